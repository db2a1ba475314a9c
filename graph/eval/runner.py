"""Run one challenge: a fresh temporary workspace holding its artifacts_in, its web pages served on
127.0.0.1, the agent in continuous mode up to a cycle limit and the challenge's cutoff in seconds,
then grading. `llm="scripted"` runs each challenge's own solution.yaml on the scripted model."""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.eval.defaults import DEFAULT_CYCLES, SCRIPTED
from autogpt_graph.graph.eval.challenge import SITE_PLACEHOLDER, Challenge
from autogpt_graph.graph.eval.fixture_web import FixtureWeb
from autogpt_graph.graph.eval.grading import grade
from autogpt_graph.graph.prompting.events import REPLY, RESULT, event_text, ok, set_aside_text
from autogpt_graph.graph.runs.runner import AgentRunner, Step
from autogpt_graph.graph.settings import Settings, get_settings
from autogpt_graph.graph.state import AIConfig

# As AutoGPT's own benchmark entry point did: the task is the agent's single goal, no decomposition call.
AI_NAME = "Auto-GPT"
AI_ROLE = "a multi-purpose AI assistant."


@dataclass(frozen=True)
class RunResult:
    challenge: str
    repeat: int  # 1-based
    passed: bool
    reason: str  # the grader's
    cycles: int
    seconds: float
    prompt_tokens: int
    completion_tokens: int
    stop_reason: str | None  # how the run ended: task complete, cycle limit, cutoff, an error...
    # What the agent did, to see why a model fails: the commands it ran, how many of them failed (an
    # error, a refusal, or code that exited with an error), how many of its replies could not be used (invalid JSON, unknown command, bad arguments),
    # how many of its well-formed commands the steering pushed back, and how many results it set aside
    # to ask for another candidate (their commands are in `commands`, their failures not in command_errors).
    commands: list[str] = field(default_factory=list)
    command_errors: int = 0
    invalid_replies: int = 0
    push_backs: int = 0
    set_aside: int = 0

    @property
    def prompt_tokens_per_cycle(self) -> float:
        return self.prompt_tokens / self.cycles if self.cycles else 0.0

    @property
    def seconds_per_cycle(self) -> float:
        return self.seconds / self.cycles if self.cycles else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "prompt_tokens_per_cycle": round(self.prompt_tokens_per_cycle, 1),
                "seconds_per_cycle": round(self.seconds_per_cycle, 3)}


def ai_config_for(goals: list[str]) -> AIConfig:
    return AIConfig(ai_name=AI_NAME, ai_role=AI_ROLE, ai_goals=list(goals), api_budget=0.0)


def _model_spec(challenge: Challenge, llm: str, tmp: Path, site_url: str | None) -> str:
    if llm != SCRIPTED:
        return llm
    if not challenge.solution.is_file():
        raise AgentError(f"Challenge '{challenge.name}' has no solution.yaml to run with --llm {SCRIPTED}.")
    text = challenge.solution.read_text("utf-8")
    script = tmp / "solution.yaml"  # outside the workspace: the agent never sees it
    script.write_text(text.replace(SITE_PLACEHOLDER, site_url) if site_url else text, "utf-8")
    return f"script:{script}"


@dataclass
class Trace:
    commands: list[str] = field(default_factory=list)
    command_errors: int = 0
    invalid_replies: int = 0
    push_backs: int = 0
    set_aside: int = 0  # command results the steering set aside for another candidate
    # What happened, in order (the model's raw replies, push-backs, command results, the stop), kept
    # with the workspace by --keep: the JSON says that a run failed, this says why.
    transcript: list[str] = field(default_factory=list)

    def see(self, step: Step) -> None:
        self._record(step.node, step.update)
        if step.node == "validate_json":
            if step.update.get("command"):
                self.commands.append(step.update["command"]["name"])
            elif step.update.get("invalid_replies"):
                self.invalid_replies += 1
            elif step.update.get("push_backs"):
                self.push_backs += 1
        elif step.node == "execute_tool":
            self.command_errors += sum(1 for e in _events(step.update) if e["kind"] == RESULT and not ok(e))


    def _record(self, node: str, update: dict) -> None:
        if node == "think" and update.get("reply"):
            self.transcript.append(f"MODEL: {update['reply']}")
        elif node == "validate_json" and (update.get("prompt") or {}).get("retries"):
            self.transcript.append(f"PUSHED BACK: {update['prompt']['retries'][-1]}")
        if node == "execute_tool" and update.get("set_aside"):
            self.set_aside += 1
            self.transcript.append(f"SET ASIDE: {set_aside_text(update['set_aside'])}")
        for event in _events(update) if node != "think" else []:
            if event["kind"] != REPLY:
                self.transcript.append(f"{event['kind'].upper()}: {event_text(event)}")
        if update.get("stop_reason"):
            self.transcript.append(f"STOP: {update['stop_reason']}")


def _events(update: dict) -> list:
    """The history events an update adds: summarise_memory's write is a DropBefore marker instead."""
    events = update.get("history")
    return events if isinstance(events, list) else []


def _drive(steps: Iterable[Step], deadline: float, trace: Trace) -> str | None:
    """Drain the run's steps; stop it (None = it ended by itself) at the cutoff."""
    for step in steps:
        trace.see(step)
        if time.monotonic() > deadline:
            return "Cutoff: the challenge's time ran out."
    return None


@dataclass(frozen=True)
class Prepared:
    """A challenge's run, ready for an agent: its workspace, its pages' URL, the settings to use."""

    tmp: Path  # scratch folder outside the workspace (the agent never sees it)
    workspace: Path
    site_url: str | None  # where the challenge's web pages are served, if it has any
    settings: Settings  # loopback URLs allowed when pages are served


@contextmanager
def prepared_run(challenge: Challenge, settings: Settings) -> Iterator[Prepared]:
    """A fresh temporary workspace holding the challenge's artifacts_in and its pages served for the
    length of the block (shared with benchmarks/langchain_port.py, so both agents get the same setup)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"autogpt-eval-{challenge.folder.name}-"))
    workspace = tmp / "workspace"
    try:
        if challenge.artifacts_in.is_dir():
            shutil.copytree(challenge.artifacts_in, workspace)
        workspace.mkdir(exist_ok=True)
        web = FixtureWeb(challenge.web_root) if challenge.web_root else nullcontext()
        with web as site:
            site_url = site.url if site else None
            if site:  # the pages are on loopback, which the web commands refuse unless allowed
                settings = settings.model_copy(update={"allow_loopback_urls": True})
            yield Prepared(tmp, workspace, site_url, settings)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def keep_workspace(workspace: Path, keep: Path | None, challenge: Challenge, repeat: int,
                   transcript: list[str] | None = None) -> None:
    """Copy the final workspace to keep/<name>-<repeat> for inspection, and the run's transcript to
    keep/<name>-<repeat>.transcript.txt (nothing when keep is None)."""
    if keep is not None:
        target = Path(keep) / f"{challenge.folder.name}-{repeat}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(workspace, target)
        if transcript is not None:
            target.with_name(target.name + ".transcript.txt").write_text("\n\n".join(transcript) + "\n", "utf-8")


def run_challenge(
    challenge: Challenge,
    *,
    llm: str = "auto",
    cycles: int = DEFAULT_CYCLES,
    repeat: int = 1,
    settings: Settings | None = None,
    memory: str = "none",
    keep: Path | None = None,
) -> RunResult:
    """One run of `challenge`; `keep`: copy the final workspace to keep/<name>-<repeat> for inspection."""
    with prepared_run(challenge, settings or get_settings()) as run:
        spec = _model_spec(challenge, llm, run.tmp, run.site_url)
        started = time.monotonic()
        stop, trace = None, Trace()
        with AgentRunner(run.workspace, checkpointer="memory", settings=run.settings) as runner:
            # A model that cannot be made (no such file, no key) fails the whole eval, here.
            steps = runner.start(
                ai_config=ai_config_for(challenge.goals_for(run.site_url)), llm=spec, continuous=True,
                continuous_limit=cycles, memory=memory,
            )
            try:
                stop = _drive(steps, started + challenge.cutoff, trace)
            except AgentError as exc:  # a model that fails, a script that runs out: the run ends there
                stop = f"Error: {exc}"
            except Exception as exc:  # noqa: BLE001 - a defect of the agent fails this run, not the eval
                stop = f"Crashed: {type(exc).__name__}: {exc}"
                trace.transcript.append(f"CRASH: {traceback.format_exc()}")
            seconds = time.monotonic() - started
            try:
                status = runner.status(runner.thread_id) if runner.thread_id else None
            except AgentError:  # it ended before its first checkpoint
                status = None
        result = grade(challenge, run.workspace, run.settings)
        keep_workspace(run.workspace, keep, challenge, repeat, trace.transcript)
    usage = status.usage if status else {}
    return RunResult(
        challenge=challenge.name, repeat=repeat, passed=result.passed, reason=result.reason,
        cycles=status.cycle if status else 0, seconds=round(seconds, 3),
        prompt_tokens=usage.get("prompt_tokens", 0), completion_tokens=usage.get("completion_tokens", 0),
        stop_reason=stop or (status.stop_reason if status else None),
        commands=trace.commands, command_errors=trace.command_errors, invalid_replies=trace.invalid_replies,
        push_backs=trace.push_backs, set_aside=trace.set_aside,
    )


def run_suite(
    challenges: list[Challenge], *, repeats: int = 1, on_result: Callable[[RunResult], None] | None = None,
    run_one: Callable[..., RunResult] = run_challenge, **options
) -> list[RunResult]:
    """Every challenge `repeats` times (all challenges once, then again), in order; `run_one` runs one
    (another agent's runner, called as run_one(challenge, repeat=k, **options))."""
    results = []
    for k in range(1, repeats + 1):
        for challenge in challenges:
            result = run_one(challenge, repeat=k, **options)
            results.append(result)
            if on_result:
                on_result(result)
    return results
