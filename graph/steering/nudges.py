"""Notes that steer the model toward finishing, from what the history shows.

Small models loop: they rewrite a file that is already done, keep working after the goal is met, or
keep looking for a file they are meant to write (shared/LOCAL_MODEL.md). Three signals are cheap and
reliable: the last command repeats an earlier one exactly; the last command successfully wrote a
file that the goals name; a file the goals name does not exist yet.
"""

from __future__ import annotations

import re

from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.prompting.events import REPLY, RESULT, command_of, ok, result_of
from autogpt_graph.graph.prompting.texts import render_steering as render
from autogpt_graph.graph.steering.run_facts import (
    WRITES, created_by_run, goals_text, named_files, normalised, past_commands, read_only, result_for,
)
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.files import already_written
from autogpt_graph.tools.workspace import Workspace

def nudges(state: AgentState, workspace: Workspace | None = None) -> list[str]:
    history = state.get("history") or []
    replies = [e for e in history if e["kind"] == REPLY]
    goals = goals_text(state)
    notes = _goal_files(state, workspace)
    loop = loop_guard.warning(state)  # the runtime's own note (build_prompt adds it): no second one
    if not replies or history[-1]["kind"] != RESULT:  # the rest only right after a command ran
        return notes
    commands = [command_of(e) for e in replies]
    last = commands[-1]
    if not last or not ok(history[-1]):
        return notes
    if last in commands[:-1] and not loop:
        notes.append(render("repeated_command", name=last.get("name", "")))
    filename = str(last.get("args", {}).get("filename", ""))
    if workspace is None and last.get("name") in WRITES and filename and filename in goals:
        notes.append(render("goal_files_written", files=filename))
    return notes


def search_saved_output(state: AgentState) -> str | None:
    """Right after a command whose output was too big to show whole (its head and a summary were),
    say to search the file with code rather than guess: the 1.5B model read a 25 kB handbook and at
    once wrote a made-up Wi-Fi password (long_handbook_wifi, 3 of 3 runs)."""
    history = state.get("history") or []
    if not history or history[-1]["kind"] != RESULT or not history[-1].get("saved_to"):
        return None
    commands = past_commands(state)
    last = commands[-1] if commands else {}
    filename = (last.get("args") or {}).get("filename") if last.get("name") == "read_file" else None
    return render("search_saved_output", file=filename or history[-1]["saved_to"])


# Python runs whose repeat, with only looks since, prints what it printed: the 1.5B model re-ran
# compute.py five times, its answer in every result, and never wrote answer.txt.
_RERUNS = ("execute_python_file", "execute_python_code")


def unchanged_repeat(state: AgentState, command: dict, tools) -> str | None:
    """The model proposes a read-only command (list_files, read_file), or Python code, it already ran
    with the same arguments, and nothing that could change its result has run since: the result would
    be what it has already seen.
    Small models loop on exactly this; say so, with the result, instead of running it again."""
    if not read_only(command, tools) and command.get("name") not in _RERUNS:
        return None
    history = state.get("history") or []
    since: list[dict] = []  # the commands run after the one found, newest first
    for i in range(len(history) - 1, -1, -1):
        event = history[i]
        if event["kind"] != REPLY:
            continue
        earlier = command_of(event)
        if not earlier:
            continue
        if earlier == command:
            own = result_for(history, i)
            if own is None:  # it never ran (feedback instead): nothing it returned to quote
                return None
            seen = result_of(own)
            if any(_may_change(c, command, seen) for c in since if not read_only(c, tools)):
                return None
            return render("unchanged_repeat", name=command["name"], result=seen[:300])
        since.append(earlier)
    return None


def _may_change(change: dict, look: dict, seen: str) -> bool:
    """Whether a command that is not read-only may have changed what `look` returned (`seen`). A write
    to another file leaves a file read unchanged, and a write to a file already listed leaves a listing
    unchanged: the 1.5B model re-read its input and re-listed after writing its output, cycle after
    cycle. Anything but a write (code, shell, a deletion) may have changed anything."""
    if change.get("name") not in WRITES:
        return True
    target = normalised((change.get("args") or {}).get("filename"))
    if look.get("name") == "read_file":
        return target == normalised((look.get("args") or {}).get("filename"))
    if look.get("name") == "list_files":
        return target not in {normalised(line) for line in seen.splitlines()}
    return look.get("name") != "browse_website"  # a page is not changed by the workspace


_EXCEPTION_LINE = re.compile(r"^\w+(?:Error|Exception|Exit)\b.*$", re.MULTILINE)


def _error_of(result: str) -> str:
    """The line that states a failure: Python's last exception line, else the result's end."""
    exceptions = _EXCEPTION_LINE.findall(result)
    if exceptions:
        return exceptions[-1][:300]
    return result.strip()[-300:]


def failed_repeat(state: AgentState, command: dict, tools) -> str | None:
    """The model proposes exactly the command that failed the last time it ran, and nothing has been
    written since (seen with the 1.5B model: code missing `import csv`, re-run unchanged until the
    cycle limit). Say so with the line that states the error."""
    history = state.get("history") or []
    for i in range(len(history) - 1, -1, -1):
        earlier = command_of(history[i])
        if earlier == command:
            result = result_for(history, i)
            if result is None or ok(result):
                return None
            return render("failed_repeat", name=command["name"], error=_error_of(result_of(result)))
        if earlier and not read_only(earlier, tools):
            return None  # a write or a run since may have changed the outcome (a test run after a fix)
    return None


def no_op_write(command: dict, workspace: Workspace) -> str | None:
    """A write_to_file of exactly what the file already holds: the model has lost track of having
    written it (seen with the 1.5B model: the same haiku rewritten every cycle)."""
    args = command.get("args") or {}
    if command.get("name") != "write_to_file" or not isinstance(args.get("text"), str):
        return None
    if not already_written(workspace, str(args.get("filename", "")), args["text"]):
        return None
    return render("no_op_write", filename=args["filename"])


def goal_file_notes(state: AgentState, workspace: Workspace) -> list[str]:
    """The note on the files the goals name: which are still missing, or that all exist now."""
    return _goal_files(state, workspace)


def goal_files_done(state: AgentState, workspace: Workspace) -> list[str]:
    """The files the goals name that this run created, once every file the goals name exists ([] while
    one is missing, or when the run created none of them). A file that was there when the run started
    is an input, and writing over it is no sign of the work being done: the 1.5B model overwrote
    instructions_1.txt, and the runtime took that for its output."""
    named, missing = named_files(goals_text(state), workspace)
    return created_by_run(state, named) if named and not missing else []


def goal_files_untouched(state: AgentState, workspace: Workspace) -> list[str]:
    """The files the goals name when all exist and the run has not run a command yet: the work has not
    started (fix_average: task_complete at cycle 1, nothing fixed). Once it has looked, finishing may be
    right: an earlier run may have done the work (a rewrite of the same text is refused as a no-op)."""
    named, missing = named_files(goals_text(state), workspace)
    return named if named and not missing and not past_commands(state) else []


def finish_for_repeater(files: list[str]) -> dict:
    """task_complete in place of a command that changes nothing, which the model insisted on after a
    push-back once its goal files existed (seen with the 1.5B model: the same read and the same
    write, alternating until the cycle limit, with task_complete suggested every cycle)."""
    return {"name": "task_complete", "args": {"reason": render("finish_for_repeater", files=", ".join(files))}}


def _goal_files(state: AgentState, workspace: Workspace | None) -> list[str]:
    """While a file the goals name is missing, say to write it; once all exist and the run has
    produced one, that the goals may be met (the small model otherwise keeps listing and appending
    after it is done)."""
    if workspace is None:
        return []
    named, missing = named_files(goals_text(state), workspace)
    if missing:
        return [render("goal_file_missing", files=", ".join(missing))]
    created = created_by_run(state, named)
    return [render("goal_files_written", files=", ".join(created))] if created else []
