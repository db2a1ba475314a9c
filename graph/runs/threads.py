"""Time travel over runs (threads): list them, read one step by step, replay or fork from a step.

    with AgentRunner("ws") as runner:
        for t in runner.threads(): print(t.thread_id, t.status)
        for line in runner.history("T"): print(line.step, line.node, line.command, line.result)
        run_to_end(runner, runner.replay("T", step=7))                       # same thread, new branch
        fork_id = runner.fork("T", step=9, command={"name": "write_to_file", "args": {...}})
        run_to_end(runner, runner.resume(fork_id))                          # a new thread

Steps are the checkpoints on a thread's current branch, oldest first: step K is the state before
`node` runs (LangGraph's checkpoint after step K-1), so "replay from K" runs that node and all after.

- replay: LangGraph's own time travel. Streaming from step K's checkpoint starts a new branch in the
  same thread; the thread goes on from there and `history` shows that branch. The replaced
  checkpoints stay in the database but are no longer on the thread's branch.
- fork: a NEW thread that starts from a copy of step K's state with an edit (feedback for the model,
  a field such as a goal, or a replacement for the proposed command), written with `update_state`.
  The original thread is not touched at all: its history, status, resumability and files stay as
  they were, and both threads can go on independently. The fork works in a folder of its own
  (`.autogpt/forks/ID` of the run's home) that starts with the files of step K. Its steps are
  numbered on from K and it remembers where it came from (`forked_from`).

Files (graph/file_history): every step that may change the workspace keys a record of its files to the
checkpoint that follows it. Replay first brings the thread's workspace back to step K (what it held
is recorded first, so nothing is lost), a fork starts from step K's files, `checkout` writes them
anywhere, and `diff` shows what a step changed. The world outside the workspace (web pages, other
processes, sub-agents' own threads) is not restored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.graph.state import CompiledStateGraph

from autogpt_graph.graph.file_history.diffing import FileChange, record_changes
from autogpt_graph.graph.file_history.recorder import FileHistory
from autogpt_graph.graph.file_history.restoring import Restored
from autogpt_graph.graph.runs.checkpointers import thread_ids
from autogpt_graph.graph.runs.run_lock import holding_thread
from autogpt_graph.graph.runs.steps import INTERRUPT, RunStatus
from autogpt_graph.graph.context import AgentContext, file_history, make_context, run_home, run_tools
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.prompting.events import FEEDBACK, RESULT, event_text, feedback_event, reply_event, result_of
from autogpt_graph.graph.memory.agent_memory import AgentMemory
from autogpt_graph.graph.settings import Settings
from autogpt_graph.nodes.validate_json import check_command
from autogpt_graph.tools.workspace import Workspace

END_NODE = "end"
BRANCH = "branch:to:"  # LangGraph's trigger channel of the node that runs next
HEAD = 90  # characters of a command or result shown in a history line

# For each node, a node whose outgoing routing (autogpt_graph.graph.builder) leads to it when the state allows:
# a fork writes its copied state "as" that node so the new thread's next step is the same node.
ENTERED_FROM = {
    "decompose_goals": "__start__",
    "build_prompt": "summarise_memory",
    "think": "build_prompt",
    "validate_json": "think",
    "human_gate": "validate_json",
    "execute_tool": "human_gate",
    "summarise_memory": "execute_tool",
}

# A fork's folder, inside its origin's home: .autogpt/forks/<thread id, or its hash when not a plain name>.
FORKS = "forks"
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")

# Fields `fork --set FIELD=VALUE` may change; goalN replaces (or with N one past the last, adds) a goal.
SETTABLE = ("ai_name", "ai_role", "goal1", "goal2", "goal3", "goal4", "goal5", "api_budget", "summary")


class Runs(Protocol):
    """What time travel uses of a runner: graph/runs/runner.py's AgentRunner, which calls these
    functions (so they see it through this, not by importing it)."""

    workspace: Path
    settings: Settings
    saver: BaseCheckpointSaver
    graph: CompiledStateGraph

    def status(self, thread_id: str) -> RunStatus: ...


@dataclass(frozen=True)
class ThreadInfo:
    thread_id: str
    name: str
    status: str  # "waiting for approval", "paused" (resumable) or "ended: <reason>"
    cycles: int
    cost: float
    updated: str  # ISO time of the last checkpoint
    forked_from: dict | None


@dataclass(frozen=True)
class HistoryLine:
    step: int
    cycle: int
    node: str  # the node that runs from this step, or "end"
    command: str  # the command proposed or run at this step, if any
    result: str  # what the node did: a command's result, the reply head, the stop reason...
    config: dict  # the step's checkpoint, for graph.get_state / stream
    forked_from: dict | None  # the thread's origin when it was made by `fork`
    files: tuple[str, ...] = ()  # the workspace paths this step changed (written, added or deleted)

    @property
    def checkpoint_id(self) -> str:
        return self.config["configurable"]["checkpoint_id"]

    def __str__(self) -> str:
        return f"{self.step:>4}  {self.cycle:>3}  {self.node:<16} {self.command:<40} {self.result}"


def _head(text: Any, size: int = HEAD) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= size else line[: size - 1] + "…"


def _config(thread_id: str) -> dict:
    return {"configurable": {"thread_id": thread_id}}


def list_threads(runner: Runs) -> list[ThreadInfo]:
    """Every run in the runner's checkpointer, the most recently updated first."""
    out = []
    for thread_id in thread_ids(runner.saver):
        snapshot = runner.graph.get_state(_config(thread_id))
        if not snapshot.values:
            continue
        status = runner.status(thread_id)
        values = snapshot.values
        if status.waiting is not None:
            state = "waiting for approval"
        elif status.finished:
            state = f"ended: {status.stop_reason or 'finished'}"
        else:
            state = "paused"
        out.append(ThreadInfo(
            thread_id=thread_id, name=(values.get("ai_config") or {}).get("ai_name", "-"), status=state,
            cycles=values.get("cycle", 0), cost=float(values.get("usage", {}).get("cost", 0.0)),
            updated=snapshot.created_at or "", forked_from=values.get("forked_from"),
        ))
    return out


def _parent_id(item: CheckpointTuple) -> str | None:
    return (item.parent_config or {}).get("configurable", {}).get("checkpoint_id")


def _branch(runner: Runs, thread_id: str) -> list[CheckpointTuple]:
    """The checkpoints of the thread's current branch, oldest first, without the input checkpoint and
    without checkpoints that a replay copied (LangGraph's "fork" checkpoint stands in for its parent).

    Read with one `list` call on the checkpointer, not `get_state_history`: that would rebuild the
    whole state (the history window's deltas included) at every step, about 5x slower on Postgres."""
    items = list(runner.saver.list(_config(thread_id)))
    if not items:
        raise AgentError(f"There is no run '{thread_id}' in {runner.workspace}; see `autogpt threads`.")
    by_id = {item.config["configurable"]["checkpoint_id"]: item for item in items}
    head = max(by_id)  # checkpoint ids grow with time: the newest is where the thread goes on
    chain, current = [], by_id[head]
    while current is not None:
        chain.append(current)
        parent = _parent_id(current)
        if current.metadata.get("source") == "fork" and parent in by_id:
            parent = _parent_id(by_id[parent])  # a replay's copy of its parent replaces it
        current = by_id.get(parent) if parent else None
    chain.reverse()
    return [item for item in chain if item.metadata.get("source") != "input"]


def _thought(reply: str) -> str:
    """The raw reply's thought when it parses, else its start."""
    try:
        return str(json.loads(reply)["thoughts"]["text"])
    except (json.JSONDecodeError, KeyError, TypeError):
        return reply


def _describe(item: CheckpointTuple) -> tuple[str, str, str]:
    """(node, command, result) of one step: the node LangGraph runs next from this checkpoint (its
    trigger channel "branch:to:NODE") and that node's saved writes."""
    values = item.checkpoint["channel_values"]
    nodes = [c.removeprefix(BRANCH) for c in values if c.startswith(BRANCH)]
    if not nodes:
        return END_NODE, "", _head(values.get("stop_reason") or "finished")
    node = nodes[0]
    writes = [(channel, value) for _, channel, value in item.pending_writes]
    result = {c: v for c, v in writes if not c.startswith((BRANCH, "__"))}
    command = result.get("command") or (values.get("command") if node in ("human_gate", "execute_tool") else None)
    shown = _head(f"{command['name']} {json.dumps(command.get('args', {}), ensure_ascii=False)}", 40) if command else ""
    if not result and not any(c.startswith(BRANCH) for c, _ in writes):
        interrupted = any(c == INTERRUPT for c, _ in writes)
        return node, shown, "waiting for approval" if interrupted else "(not run yet)"
    if result.get("stop_reason"):
        return node, shown, _head(f"stopped: {result['stop_reason']}")
    events = result.get("history") if isinstance(result.get("history"), list) else []
    if node == "execute_tool":
        return node, shown, _head(next((result_of(e) for e in events if e["kind"] == RESULT), ""))
    if node == "human_gate":
        feedback = next((event_text(e) for e in events if e["kind"] == FEEDBACK), None)
        return node, shown, _head(feedback) if feedback else "approved"
    if node == "think":
        return node, shown, _head(_thought(result.get("reply") or ""))
    if node == "validate_json":
        return node, shown, "accepted" if command else f"unusable reply ({result.get('invalid_replies', 0)})"
    if node == "build_prompt":
        return node, shown, f"cycle {result.get('cycle', values.get('cycle', 0))} starts"
    if node == "summarise_memory":
        return node, shown, "summary updated" if result.get("summary") else "nothing to summarise"
    if node == "decompose_goals":
        return node, shown, _head((result.get("ai_config") or {}).get("ai_name", ""))
    return node, shown, ""


def _written_record(item: CheckpointTuple) -> str | None:
    """The file record the step's node made (its write to `files`), if any."""
    return next((value for _, channel, value in item.pending_writes if channel == "files"), None)


def history(runner: Runs, thread_id: str) -> list[HistoryLine]:
    """One line per step of the thread's current branch, oldest first."""
    return _lines(runner, _branch(runner, thread_id))


def _lines(runner: Runs, branch: list[CheckpointTuple]) -> list[HistoryLine]:
    origin = branch[-1].checkpoint["channel_values"].get("forked_from")
    files = _files_of(runner, branch[-1].checkpoint["channel_values"])
    first = (origin or {}).get("step", 0)
    lines = []
    for index, item in enumerate(branch):
        node, command, result = _describe(item)
        cycle = item.checkpoint["channel_values"].get("cycle", 0)
        changed = _changed_paths(files, _written_record(item)) if files else ()
        lines.append(HistoryLine(first + index, cycle, node, command, result, item.config, origin, changed))
    return lines


def _changed_paths(files: FileHistory, record: str | None) -> tuple[str, ...]:
    """The paths a step's record changed; none for the first record (the files the run found are
    inputs, not a change), or when the record is not in the store (a run moved from elsewhere)."""
    try:
        return tuple(sorted(files.changes_of(record))) if record and files.parent_of(record) else ()
    except OSError:
        return ()


def _files_of(runner: Runs, values: dict) -> FileHistory | None:
    """The run's file history (None when FILE_HISTORY is off)."""
    run = values.get("run", {})
    return file_history(run_home(run, Workspace(run.get("workspace") or runner.workspace)), runner.settings)


def _workspace_of(runner: Runs, values: dict) -> Path:
    return Path(values.get("run", {}).get("workspace") or runner.workspace).resolve()


def _record_at(at: Step, values: dict, files: FileHistory) -> str | None:
    """The record of the files at step K: the state's, or before the run's first record (made as the
    first cycle begins), that record's root: nothing changes the files before it."""
    if values.get("files"):
        return values["files"]
    first = next((r for item in at.branch[at.index:] if (r := item.checkpoint["channel_values"].get("files"))), None)
    return files.root_of(first) if first else None


def _head_record(runner: Runs, thread_id: str) -> str | None:
    return runner.graph.get_state(_config(thread_id)).values.get("files")


@dataclass(frozen=True)
class Step:
    """Step K of a thread: its history line, and the branch it is on with its index there (the branch
    is read once: each read lists every checkpoint of the thread)."""

    line: HistoryLine
    branch: list[CheckpointTuple]
    index: int


def step_at(runner: Runs, thread_id: str, step: int) -> Step:
    branch = _branch(runner, thread_id)
    lines = _lines(runner, branch)
    first, last = lines[0].step, lines[-1].step
    if not first <= step <= last:
        origin = lines[-1].forked_from
        hint = f" (earlier steps are in run '{origin['thread']}')" if origin and step < first else ""
        raise AgentError(f"Run '{thread_id}' has steps {first} to {last}, not {step}{hint}; see `autogpt history --thread {thread_id}`.")
    return Step(lines[step - first], branch, step - first)


def line_at(runner: Runs, thread_id: str, step: int) -> HistoryLine:
    return step_at(runner, thread_id, step).line


def replay_point(
    runner: Runs, thread_id: str, step: int, **overrides: Any
) -> tuple[AgentContext, dict, Callable[[], Restored | None]]:
    """Where replaying the thread from step K starts: the context to run with, step K's checkpoint,
    from which the runner streams (the node of that step and everything after it run again), and
    the restore of the workspace to step K's files, which the runner calls holding the thread."""
    at = step_at(runner, thread_id, step)
    line = at.line
    if line.node == END_NODE:
        raise AgentError(f"Step {step} is the end of run '{thread_id}'; replay an earlier step, or fork from this one.")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    values = runner.graph.get_state(line.config).values

    def restore() -> Restored | None:
        files = _files_of(runner, values)
        if files is None:
            return None
        record = _record_at(at, values, files)
        if record is None:
            return Restored(unrecorded=True)
        return files.restore(_workspace_of(runner, values), record, previous=_head_record(runner, thread_id))

    return make_context(values.get("run", {}), runner.settings, overrides), line.config, restore


def checkout(runner: Runs, thread_id: str, step: int, to: str | Path | None = None) -> Restored:
    """Write the files of step K into `to` (a new or empty folder), or into the run's own workspace
    (what it holds is recorded first, so `checkout` of a later step brings it back)."""
    at = step_at(runner, thread_id, step)
    values = runner.graph.get_state(at.line.config).values
    files = _files_of(runner, values)
    if files is None:
        raise AgentError("File history is off (FILE_HISTORY=false), so there are no past files to check out.")
    record = _record_at(at, values, files)
    if record is None:
        raise AgentError(f"Run '{thread_id}' has no record of its files (it was made before file history); nothing to check out.")
    if to is not None:
        target = Path(to).expanduser().resolve()
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise AgentError(f"{target} is not an empty folder; give a new or empty folder to --to.")
        return files.restore(target, record, save=False)
    with holding_thread(runner.saver, thread_id):
        head = runner.graph.get_state(_config(thread_id)).values
        return files.restore(_workspace_of(runner, head), record, previous=head.get("files"))


def diff(runner: Runs, thread_id: str, step: int) -> list[FileChange]:
    """What step K did to the files (nothing for a step whose node changes none)."""
    at = step_at(runner, thread_id, step)
    files = _files_of(runner, runner.graph.get_state(at.line.config).values)
    record = _written_record(at.branch[at.index]) if files else None
    if not record or not files.parent_of(record):
        return []
    return record_changes(files, record)


def parse_set(assignment: str) -> tuple[str, str]:
    field, sep, value = assignment.partition("=")
    field = field.strip()
    if not sep or field not in SETTABLE:
        raise AgentError(f"Cannot set '{field or assignment}': use FIELD=VALUE with FIELD one of {', '.join(SETTABLE)}.")
    return field, value.strip()


def parse_command(text: str | dict) -> dict:
    """A replacement command: {"name": ..., "args": {...}} (AutoGPT's "command" object)."""
    try:
        command = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise AgentError(f"The command is not valid JSON ({exc.msg} at character {exc.pos}); give e.g. "
                         '\'{"name": "write_to_file", "args": {"filename": "a.txt", "text": "hi"}}\'.') from exc
    if not (isinstance(command, dict) and isinstance(command.get("name"), str) and isinstance(command.get("args", {}), dict)):
        raise AgentError('The command must be a JSON object like {"name": "list_files", "args": {"directory": "."}}.')
    return {"name": command["name"], "args": command.get("args", {})}


def _apply_sets(values: dict, sets: list[tuple[str, str]]) -> None:
    for field, value in sets:
        if field == "summary":
            values["summary"] = value
            continue
        if not values.get("ai_config"):
            raise AgentError(f"Cannot set {field} before the run has its AI settings; fork from a later step.")
        cfg = values["ai_config"] = dict(values["ai_config"])
        if field == "api_budget":
            try:
                cfg["api_budget"] = float(value)
            except ValueError:
                raise AgentError(f"api_budget must be a number of USD, not '{value}'.") from None
        elif field.startswith("goal"):
            goals, index = list(cfg.get("ai_goals", [])), int(field[4:]) - 1
            if index > len(goals):
                raise AgentError(f"The run has {len(goals)} goals; set goal1 to goal{len(goals) + 1}.")
            if index == len(goals):
                goals.append(value)
            elif value:
                goals[index] = value
            else:
                del goals[index]  # an empty value removes the goal
            cfg["ai_goals"] = goals
        else:
            cfg[field] = value


def fork(
    runner: Runs,
    thread_id: str,
    step: int,
    *,
    feedback: str | None = None,
    sets: list[str] | tuple[str, ...] = (),
    command: str | dict | None = None,
    new_thread_id: str | None = None,
) -> str:
    """A new thread starting from step K of `thread_id` with the edits applied; returns its id.
    Nothing runs yet: continue it with `runner.resume(new_id)`."""
    if feedback is not None and command is not None:
        raise AgentError("Give either --feedback or --command, not both.")
    assignments = [parse_set(s) for s in sets]
    new_command = parse_command(command) if command is not None else None
    at = step_at(runner, thread_id, step)
    line = at.line
    values = dict(runner.graph.get_state(line.config).values)
    new_thread_id = new_thread_id or f"{thread_id}-fork{step}-{line.checkpoint_id[-4:]}"
    if runner.graph.get_state(_config(new_thread_id)).values:
        raise AgentError(f"Run '{new_thread_id}' already exists; choose another name for the fork.")
    _apply_sets(values, assignments)
    values["forked_from"] = {"thread": thread_id, "step": step}
    node = line.node
    if new_command is not None:
        if node not in ("human_gate", "execute_tool"):
            raise AgentError(f"Step {step} has no proposed command to replace (it runs {node}); fork from a step "
                             "that runs human_gate or execute_tool.")
        run = values.get("run", {})
        workspace = Workspace(run.get("workspace") or runner.workspace)
        memory = AgentMemory(run.get("memory"), run_home(run, workspace), runner.settings)
        tools = run_tools(workspace, runner.settings, memory)  # the commands the run has, memory_add included
        if new_command["name"] not in tools:
            raise AgentError(f"Unknown command '{new_command['name']}'; the commands are: {', '.join(tools.names())}.")
        checked, problem = check_command(new_command, tools)  # the same checks as the model's commands get
        if problem:
            raise AgentError(problem)
        values["command"] = checked
        as_node = "validate_json"  # the new command goes to the human gate (skipped in continuous mode)
    elif feedback is not None:
        cycle = values.get("cycle", 0)
        events = []
        if values.get("command") and node in ("human_gate", "execute_tool"):  # as the gate does it
            events.append(reply_event(cycle, values.get("thoughts", {}), values["command"]))
        events.append(feedback_event(cycle, feedback))
        values.update(history=[*values.get("history", []), *events], command=None, stop_reason=None)
        as_node = "human_gate"  # rejected with feedback: a new cycle that sees it
    elif node == END_NODE:
        values["stop_reason"] = None
        as_node = "summarise_memory"  # an ended run forked goes on with a new cycle
    else:
        as_node = ENTERED_FROM[node]
    _give_own_folder(runner, at, values, new_thread_id)
    runner.graph.update_state(_config(new_thread_id), values, as_node=as_node)
    return new_thread_id


def _give_own_folder(runner: Runs, at: Step, values: dict, new_thread_id: str) -> None:
    """Point the fork's run at a new folder holding step K's files (with file history off, the fork
    shares its origin's workspace, as before)."""
    files = _files_of(runner, values)
    if files is None:
        return
    run = dict(values.get("run", {}))
    origin = _workspace_of(runner, values)
    home = run_home(run, Workspace(origin))
    name = new_thread_id if PLAIN_NAME.fullmatch(new_thread_id) else hashlib.sha1(new_thread_id.encode()).hexdigest()[:16]
    folder = home / Workspace.RESERVED / FORKS / name
    if folder.exists() and any(folder.iterdir()):
        raise AgentError(f"The folder {folder} for the fork already exists; choose another name for the fork.")
    record = _record_at(at, values, files)
    if record is None:  # a run from before file history: the fork starts from today's files
        record = files.record(origin, None)
    files.restore(folder, record, save=False)
    run.update(workspace=str(folder), home=str(home))
    values["run"], values["files"] = run, record
