"""execute_tool: runs the approved command. A failing command becomes an "Error: ..." result the model
can react to, never a crash; output too big for the context is saved to a workspace file, its parts are
added to vector memory, and the model gets its head, a summary by the fast model and the file name
(no silent truncation). Commands that write memory (memory_add) write on the run's memory branch."""

from __future__ import annotations

from typing import NamedTuple

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime

from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.context import AgentContext, context_of
from autogpt_graph.graph.prompting.events import reply_event, result_event
from autogpt_graph.graph.safety.injection import mark_injection
from autogpt_graph.graph.steering.base import CommandOutput, Facts, Steering
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.llm.call import CommandModel, call_model
from autogpt_graph.graph.memory.agent_memory import current_thread
from autogpt_graph.graph.memory.chunking import chunk_text
from autogpt_graph.graph.prompting.texts import ai_function_prompt, prompts, render
from autogpt_graph.graph.state import AgentState, merge_usage
from autogpt_graph.graph.tokens import count_tokens, truncate_to_tokens
from autogpt_graph.tools.registry import ToolRegistry
from autogpt_graph.tools.runtime import ToolRuntime, using_runtime

OUTPUT_DIR = "outputs"
# An oversized output goes to memory in parts of this many characters (about the 128 word pieces the
# local embedder reads), at most this many parts.
OUTPUT_CHUNK_CHARS = 500
MAX_OUTPUT_CHUNKS = 200


def result_cap(ctx: AgentContext) -> int:
    """Largest result kept whole: a quarter of what the context leaves after the reply."""
    model = ctx.models.smart
    return max(200, (model.context_limit - model.max_reply_tokens) // 4)


def run_command(tools: ToolRegistry, name: str, args: dict) -> CommandOutput:
    """Run the command; a failure is a result the model can react to (ok=False), never a crash.
    Commands that run code return their process's outcome as the tool's artifact (exit code, output)."""
    tool = tools.get(name)
    try:
        message = tool.invoke({"type": "tool_call", "name": tool.name, "args": args, "id": name})
    except Exception as exc:  # noqa: BLE001 - any tool failure is a result for the model
        return CommandOutput(f"Error: {exc}" if str(exc) else f"Error: {type(exc).__name__}", ok=False)
    artifact = message.artifact if isinstance(message.artifact, dict) else {}
    ok = artifact.get("exit_code", 0) == 0  # code that failed or was killed (exit code None) did not work
    return CommandOutput(str(message.content), ok, artifact)


def run_steered(facts: Facts, steering: Steering, command: dict) -> CommandOutput:
    """The command as the steering mends it, its result as the steering shows it, with the steering's
    notes on that result after it."""
    mended, mend_notes = steering.mend(command)
    output = run_command(facts.tools, mended["name"], mended["args"])
    notes = [*steering.result_notes(mended, output), *mend_notes]
    text = "\n".join([steering.shown_output(mended, output, facts), *notes])
    return CommandOutput(text, output.ok, output.artifact)


class FittedResult(NamedTuple):
    """A command's result as the history keeps it."""

    text: str
    usage: dict  # of summarising it
    saved_to: str | None = None  # the workspace file with the whole output, when it was too big


def fit_result(ctx: AgentContext, name: str, cycle: int, result: str, memory: MemoryWriter | None = None,
               state: AgentState | None = None) -> FittedResult:
    """The result as the history keeps it: whole, or when too big its head, a summary and the file
    it was saved to."""
    model = ctx.models.smart.name
    tokens = count_tokens(result, model)
    cap = result_cap(ctx)
    if tokens <= cap:
        return FittedResult(result, {})
    # Named by cycle, so re-running this step after a crash rewrites the same file.
    path = ctx.workspace.resolve(f"{OUTPUT_DIR}/{name}-cycle{cycle}.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result, "utf-8")
    file = ctx.workspace.relative(path)
    remembered = ""
    if memory is not None:
        parts = chunk_text(result, OUTPUT_CHUNK_CHARS, OUTPUT_CHUNK_CHARS // 10)[:MAX_OUTPUT_CHUNKS]
        memory([(cycle, f"Cycle {cycle}, part {i} of the output of {name} (saved to {file}): {part}")
                for i, part in enumerate(parts, 1)], "output")
        remembered = prompts()["output_remembered"]
    head = truncate_to_tokens(result, cap // 4, model)
    summary, usage = summarise_output(ctx, state or {}, name, result, tokens, cap // 2)
    summary = truncate_to_tokens(summary, cap // 2, model)
    text = render("output_too_big", head=head, tokens=tokens, file=file, remembered=remembered, summary=summary)
    return FittedResult(text, usage, file)


def summarise_output(ctx: AgentContext, state: AgentState, name: str, output: str, tokens: int, reply_cap: int) -> tuple[str, dict]:
    """The fast model's summary of the output (its first part when it exceeds the fast model's
    context); without budget left, a note that there is no summary."""
    fast = ctx.models.fast
    room = max(200, fast.context_limit - fast.max_reply_tokens - 300)
    shown = truncate_to_tokens(output, room, fast.name)
    partial = render("summarise_output_partial", shown=count_tokens(shown, fast.name), tokens=tokens) if shown != output else ""
    text = render("summarise_output", name=name, output=shown, partial=partial)
    try:
        summary, usage = call_model(ctx, state, role="fast", purpose="summarise", messages=[HumanMessage(text)])
    except RunStop:
        return "(none: the API budget is spent)", {}
    return summary.strip(), usage



def tool_runtime(calls: CommandModel, step_key: str | None = None, remember=None) -> ToolRuntime:
    """What a command may use of the run (tools/runtime.py): the step's model calls, its step key and
    the memory note writer."""
    def ai_function(name: str, args: list) -> str:  # AutoGPT's call_ai_function, for the code commands
        system, user = ai_function_prompt(name, args)
        return calls.ask([SystemMessage(system), HumanMessage(user)], "code", "smart")
    return ToolRuntime(step_key=step_key, ask=calls.ask, room=calls.room, remember=remember, function=ai_function)


def _step_key(cycle: int) -> str | None:
    """Identifies this step across a crash and its re-run on resume (None outside a thread)."""
    try:
        thread = get_config()["configurable"].get("thread_id")
    except RuntimeError:
        return None
    return f"{thread}:{cycle}" if thread else None


class MemoryWriter:
    """Writes (cycle, text) pairs on the run's memory branch during one step, carrying the cursor."""

    def __init__(self, ctx: AgentContext, state: AgentState):
        self.ctx, self.state, self.cursor = ctx, state, None

    def __call__(self, texts: list[tuple[int, str]], source: str) -> None:
        cursor = self.ctx.memory.write({**self.state, "memory_cursor": self.cursor or self.state.get("memory_cursor")},
                                       texts, source=source, thread=current_thread())
        self.cursor = cursor or self.cursor


def execute_tool(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    command = state["command"]
    cycle = state.get("cycle", 0)
    memory = MemoryWriter(ctx, state) if ctx.memory and ctx.memory.enabled else None
    note = (lambda text: memory([(cycle, f"Cycle {cycle}, I noted: {text}")], "note")) if memory else None
    # What the command may use of the run; the model calls it makes (browse_website, analyze_code, ...) add to usage.
    calls = CommandModel(ctx, state)
    with using_runtime(tool_runtime(calls, _step_key(cycle), note)):
        output = run_steered(ctx.facts, ctx.steering, command)
    tried = state.get("set_aside") or []
    aside = ctx.steering.set_aside(command, output, tried)
    if aside is not None:  # the model never reads it: think asks it for another candidate (builder.py)
        update = {"set_aside": [*tried, aside], "command": None, **ctx.record_files(state)}
        return {**update, "usage": calls.usage} if calls.usage else update
    result, usage, saved_to = fit_result(ctx, command["name"], cycle, mark_injection(output.text), memory, state)
    model = ctx.models.smart.name
    events = [
        reply_event(cycle, state.get("thoughts", {}), command, model),
        result_event(cycle, command["name"], result, output.ok, model, saved_to),
    ]
    update: dict = {"history": events, **loop_guard.track(state, command), **({"set_aside": None} if tried else {})}
    usage = merge_usage(calls.usage, usage)
    if usage:
        update["usage"] = usage
    if memory and memory.cursor:
        update["memory_cursor"] = memory.cursor
    # After the command and its saved output: the files this step leaves, for replay and fork.
    update.update(ctx.record_files(state))
    if command["name"] == "task_complete":
        update["stop_reason"] = f"Task complete: {command['args'].get('reason', '')}"
    return update
