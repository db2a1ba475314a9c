"""LangChain's AutoGPT port (`langchain_experimental.autonomous_agents.AutoGPT`, langchain-experimental 0.4.2)
on the challenge suite of `autogpt eval`, side by side with our graph: the same challenges, fresh workspaces,
fixture web pages, cutoffs and grading (graph/eval), the same model, the same commands, and the same table
and closing line.

    pip install -e '.[compare]'
    python benchmarks/langchain_port.py [--only write_greeting,copy_motto] [--repeat 3] [--cycles 10]
                                        [--llm local[:PATH.gguf]|scripted] [--json FILE] [--keep DIR] [--verbose]

What the port gets:
- The model. `--llm local` (default): the embedded model exactly as `autogpt eval --llm local` builds it
  (graph/llm/models.py: the LOCAL_* settings for temperature, max tokens, context, threads and seed). The port
  budgets its prompt with `llm.get_num_tokens`, which would need transformers' GPT-2 tokenizer (a download);
  the chat model's token ids come from our offline tiktoken instead (graph/tokens.py), through LangChain's
  `custom_get_token_ids` hook. `--llm scripted` replays each challenge's solution.yaml, its `task_complete`
  turned into the port's `finish`: a check of the wiring with no model.
- The commands: our own tools (autogpt_graph.graph.context.run_tools), bound to the run's workspace so confinement and
  results are identical, with the list our small local model gets (LOCAL_DISABLED_COMMANDS left out).
  task_complete is left out too: the port ends a run with its own `finish` command. browse_website asks the
  same model about the page, as in our graph.
- Memory: the port's retriever over an `InMemoryVectorStore` (k=4, the retriever's default), embedded with
  our offline all-MiniLM-L6-v2 (graph/memory/embeddings.py, the `memory` extra) for --llm local, and with
  LangChain's DeterministicFakeEmbedding (hash-seeded random vectors, so recall is arbitrary) for --llm scripted.
- The cycle limit: the port loops until `finish`. Here its chain refuses the model call that would start
  cycle N+1, which ends the run; so does the challenge's cutoff, checked around each model call (as in our
  eval, a reply that arrives after the cutoff is not acted on).

Measured per run, as `autogpt eval` does: cycles (the loop's model calls), wall seconds, prompt and completion
tokens of every model call (the loop's and browse_website's; the model's own counts, else tiktoken's), the
commands called, the commands that returned an error, and the unusable replies (invalid JSON, an unknown
command, arguments that fail the command's schema).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402
from langchain_core.callbacks import BaseCallbackHandler  # noqa: E402
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings  # noqa: E402
from langchain_core.messages import AIMessage, SystemMessage  # noqa: E402
from langchain_core.vectorstores import InMemoryVectorStore  # noqa: E402

from autogpt_graph.graph.cli import console as ui  # noqa: E402
from autogpt_graph.graph.context import AgentContext, run_tools  # noqa: E402
from autogpt_graph.graph.errors import AgentError  # noqa: E402
from autogpt_graph.graph.eval.challenge import SITE_PLACEHOLDER, Challenge, load_suite  # noqa: E402
from autogpt_graph.graph.cli.eval import DEFAULT_SUITE, _names  # noqa: E402
from autogpt_graph.graph.eval.grading import grade  # noqa: E402
from autogpt_graph.graph.eval.report import print_report, progress_line, write_json  # noqa: E402
from autogpt_graph.graph.eval.runner import AI_NAME, AI_ROLE, DEFAULT_CYCLES, RunResult, keep_workspace, prepared_run, run_suite  # noqa: E402
from autogpt_graph.graph.memory.agent_memory import AgentMemory  # noqa: E402
from autogpt_graph.graph.llm.call import CommandModel  # noqa: E402
from autogpt_graph.graph.llm.models import ModelHandle, ModelSet, make_models  # noqa: E402
from autogpt_graph.graph.settings import Settings, get_settings  # noqa: E402
from autogpt_graph.graph.tokens import count_message_tokens, count_tokens, encoding_for  # noqa: E402
from autogpt_graph.tools.runtime import ToolRuntime, using_runtime  # noqa: E402
from autogpt_graph.tools.workspace import Workspace  # noqa: E402

NOT_INSTALLED = "langchain-experimental is not installed: pip install -e '.[compare]'"
LIMIT_REACHED = "Continuous limit of {limit} cycles reached."  # the graph's words (nodes/build_prompt.py)
CUTOFF = "Cutoff: the challenge's time ran out."  # graph/eval/runner.py's

# The model for one run of a challenge (given its site URL, which a scripted solution needs).
ModelFactory = Callable[[Challenge, str | None], ModelHandle]


def port():
    """The port's agent class and its finishing command's name; one sentence when it is not installed."""
    try:
        # Recorded and dropped: langchain-community's sunset notice and a moved import, both harmless. (A
        # filter would not do: importing langchain_classic turns LangChain's deprecation warnings back on.)
        with warnings.catch_warnings(record=True):
            from langchain_experimental.autonomous_agents import AutoGPT
            from langchain_experimental.autonomous_agents.autogpt.prompt_generator import FINISH_NAME
    except ImportError as exc:
        raise AgentError(NOT_INSTALLED) from exc
    return AutoGPT, FINISH_NAME


class RunEnded(Exception):
    """Ends AutoGPT.run from inside its chain: the cycle limit or the cutoff is reached."""


class UsageCounter(BaseCallbackHandler):
    """Tokens of the loop's model calls: the model's own counts when it reports them (llama.cpp does),
    else tiktoken's, as graph/llm/call.py counts."""

    def __init__(self, model_name: str):
        self.model_name = model_name
        self.prompt_tokens = self.completion_tokens = 0
        self._prompts: dict[Any, int] = {}

    def on_chat_model_start(self, serialized, messages, *, run_id, **kwargs) -> None:
        self._prompts[run_id] = count_message_tokens([str(m.content) for m in messages[0]], self.model_name)

    def on_llm_end(self, response, *, run_id, **kwargs) -> None:
        counted = self._prompts.pop(run_id, 0)
        for generation in (g for gens in response.generations for g in gens):
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
            self.prompt_tokens += usage.get("input_tokens") or counted
            self.completion_tokens += usage.get("output_tokens") or count_tokens(generation.text, self.model_name)


class CappedChain:
    """The port's LLMChain, limited: AutoGPT.run calls `chain.run` once per cycle and loops until the
    model says `finish`, so refusing a call is the one way to end a run from outside."""

    def __init__(self, chain, limit: int, deadline: float, counter: UsageCounter):
        self.chain, self.limit, self.deadline, self.counter = chain, limit, deadline, counter
        self.cycles = 0

    def run(self, **inputs) -> str:
        if self.cycles >= self.limit:
            raise RunEnded(LIMIT_REACHED.format(limit=self.limit))
        if time.monotonic() > self.deadline:
            raise RunEnded(CUTOFF)
        self.cycles += 1
        # What the port's chain.run(**inputs) does, without its deprecation warning.
        reply = self.chain.invoke(inputs, config={"callbacks": [self.counter]})[self.chain.output_key]
        if time.monotonic() > self.deadline:  # as our eval: a reply that comes after the cutoff is not acted on
            raise RunEnded(CUTOFF)
        return reply


class MiniLMEmbeddings(Embeddings):
    """Our offline all-MiniLM-L6-v2 (the same vectors as our vector memory) as LangChain Embeddings."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        from autogpt_graph.graph.memory.embeddings import local_embedder

        return local_embedder().embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def fake_embeddings() -> Embeddings:
    return DeterministicFakeEmbedding(size=384)


def local_models(settings: Settings, spec: str = "local") -> ModelFactory:
    """The embedded model (or `local:PATH.gguf`) as `autogpt eval --llm local` makes it; loaded once, shared
    by every run."""
    handle = make_models(spec, settings).fast  # a missing model file fails here, in one sentence
    return lambda challenge, site_url: handle


def scripted_models(settings: Settings) -> ModelFactory:
    """Each challenge's solution.yaml on our scripted model, with `task_complete` as the port's `finish`."""
    from autogpt_graph.graph.llm.scripted_model import Script, ScriptedChatModel

    _, finish = port()

    def make(challenge: Challenge, site_url: str | None) -> ModelHandle:
        if not challenge.solution.is_file():
            raise AgentError(f"Challenge '{challenge.name}' has no solution.yaml to run with --llm scripted.")
        text = challenge.solution.read_text("utf-8")
        data = yaml.safe_load(text.replace(SITE_PLACEHOLDER, site_url) if site_url else text)
        for reply in data.get("think", []) if isinstance(data, dict) else data:
            command = reply.get("command") if isinstance(reply, dict) else None
            if command and command.get("name") == "task_complete":
                reply["command"] = {"name": finish, "args": {"response": command.get("args", {}).get("reason", "")}}
        chat = ScriptedChatModel(script=Script.from_data(data, source=str(challenge.solution)))
        return ModelHandle(chat, "script", settings.smart_token_limit, f"script {challenge.solution}", settings.max_reply_tokens)

    return make


def with_offline_token_count(handle: ModelHandle) -> ModelHandle:
    """The chat model counting tokens with our offline tiktoken: the port's get_num_tokens would load
    transformers' GPT-2 tokenizer."""
    encoding = encoding_for(handle.name)
    chat = handle.chat.model_copy(
        update={"custom_get_token_ids": lambda text: encoding.encode(text, disallowed_special=())}
    )
    return replace(handle, chat=chat)


def trace_of(messages: list, parse: Callable[[str], Any], known: set[str]) -> tuple[list[str], int, int]:
    """(commands, command errors, unusable replies) from the port's chat history: each cycle adds the
    model's reply (AIMessage) and, unless it finished, "Command X returned: ..." (SystemMessage)."""
    commands, errors, invalid = [], 0, 0
    for i, message in enumerate(messages):
        if not isinstance(message, AIMessage):
            continue
        name = parse(str(message.content)).name  # "ERROR" when the reply is not usable JSON
        after = messages[i + 1] if i + 1 < len(messages) else None
        result = str(after.content) if isinstance(after, SystemMessage) else ""
        if name not in known or " returned: Validation Error" in result:  # as our graph: not a command
            invalid += 1
        else:
            commands.append(name)
            errors += " returned: Error" in result
    return commands, errors, invalid


def run_port_challenge(
    challenge: Challenge,
    *,
    models: ModelFactory,
    embeddings: Embeddings,
    cycles: int = DEFAULT_CYCLES,
    repeat: int = 1,
    settings: Settings | None = None,
    keep: Path | None = None,
    replies: TextIO | None = None,
) -> RunResult:
    """One run of `challenge` by the port, set up and graded as graph/eval/runner.py's run_challenge;
    `replies`: where the port prints the model's replies (by default nowhere)."""
    auto_gpt, finish = port()
    with prepared_run(challenge, settings or get_settings()) as run:
        handle = with_offline_token_count(models(challenge, run.site_url))
        workspace = Workspace(run.workspace)
        registry = run_tools(workspace, run.settings, AgentMemory("none", run.workspace, run.settings), small=True)
        tools = [t for t in registry if t.name != "task_complete"]
        # browse_website asks the model through graph/llm/call.py, which needs the run's context.
        ctx = AgentContext(models=ModelSet(handle, handle, small=True), tools=registry, workspace=workspace,
                           settings=run.settings)
        agent = auto_gpt.from_llm_and_tools(
            ai_name=AI_NAME, ai_role=AI_ROLE, tools=tools, llm=handle.chat,
            memory=InMemoryVectorStore(embeddings).as_retriever(),
        )
        counter = UsageCounter(handle.name)
        started = time.monotonic()
        agent.chain = chain = CappedChain(agent.chain, cycles, started + challenge.cutoff, counter)
        calls = CommandModel(ctx, {"usage": {}})
        with using_runtime(ToolRuntime(ask=calls.ask, room=calls.room)), contextlib.redirect_stdout(replies or io.StringIO()):
            try:
                stop = f"Task complete: {agent.run(challenge.goals_for(run.site_url))}"
            except RunEnded as exc:
                stop = str(exc)
            except AgentError as exc:  # the model failed (e.g. a prompt over its context): the run ends there
                stop = f"Error: {exc}"
            except Exception as exc:  # noqa: BLE001 - the port crashing is a result, e.g. `finish` without args
                stop = f"Error: the port crashed: {type(exc).__name__}: {exc}"
        seconds = time.monotonic() - started
        result = grade(challenge, run.workspace, run.settings)
        keep_workspace(run.workspace, keep, challenge, repeat)
    commands, errors, invalid = trace_of(
        agent.chat_history_memory.messages, agent.output_parser.parse, {t.name for t in tools} | {finish}
    )
    return RunResult(
        challenge=challenge.name, repeat=repeat, passed=result.passed, reason=result.reason,
        cycles=chain.cycles, seconds=round(seconds, 3),
        prompt_tokens=counter.prompt_tokens + calls.usage.get("prompt_tokens", 0),
        completion_tokens=counter.completion_tokens + calls.usage.get("completion_tokens", 0),
        stop_reason=stop, commands=commands, command_errors=errors, invalid_replies=invalid,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run LangChain's AutoGPT port on the challenge suite and score it.")
    parser.add_argument("--only", action="append", help="Challenge names, comma-separated or repeated.")
    parser.add_argument("--repeat", "-k", type=int, default=1, help="Run each challenge K times.")
    parser.add_argument("--cycles", type=int, default=DEFAULT_CYCLES, help="Cycle limit per run.")
    parser.add_argument("--llm", default="local",
                        help="local[:PATH.gguf]: the embedded model (or another GGUF file); "
                             "scripted: each challenge's solution.yaml (a wiring check).")
    parser.add_argument("--json", type=Path, dest="json_file", help="Write the results to this JSON file.")
    parser.add_argument("--keep", type=Path, help="Copy each run's final workspace into this folder.")
    parser.add_argument("--verbose", action="store_true", help="Show the model's replies (on stderr).")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.cycles < 1:
        parser.error("--repeat and --cycles must be at least 1.")
    scripted = args.llm == "scripted"
    if not scripted and args.llm.partition(":")[0] != "local":
        parser.error("--llm must be local[:PATH.gguf] or scripted.")
    try:
        port()
        settings = get_settings()
        challenges = load_suite(DEFAULT_SUITE, _names(args.only))
        models = scripted_models(settings) if scripted else local_models(settings, args.llm)
        embeddings = fake_embeddings() if scripted else MiniLMEmbeddings()
        ui.show_note(f"Running {len(challenges)} challenges x {args.repeat} on LangChain's AutoGPT port with "
                     f"--llm {args.llm}, at most {args.cycles} cycles each.")
        results = run_suite(
            challenges, repeats=args.repeat, on_result=lambda r: ui.console.print(progress_line(r)),
            run_one=run_port_challenge, models=models,
            embeddings=embeddings, cycles=args.cycles, settings=settings, keep=args.keep,
            replies=sys.stderr if args.verbose else None,
        )
    except AgentError as exc:
        ui.show_error(str(exc))
        return 2
    if args.json_file:
        write_json(results, args.json_file, llm=f"langchain-port:{args.llm}", suite=str(DEFAULT_SUITE),
                   repeats=args.repeat, cycles=args.cycles)
        ui.show_note(f"Results written to {args.json_file}.")
    print_report(results, ui.console, args.repeat)  # its closing line is the output's last
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
