"""Loop detection, AutoGPT's most reported failure: the model runs the same command with the same
arguments over and over. All of the rule lives here; the nodes only call it.

execute_tool counts how many times in a row the command it runs has run (`track`); from the 3rd
time the next prompt carries a warning (`warning`, via autogpt_graph.graph.steering.nudges); a proposal that would make it
the 5th time in a row ends the run before it reaches the human or the tool (`stop_reason`, in
validate_json). Commands the human rejected never ran, so they neither count nor break a streak.
"""

from __future__ import annotations

import hashlib
import json

from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.state import AgentState

WARN_AT = 3
STOP_AT = 5


def command_key(command: dict) -> str:
    """A short fingerprint of name and arguments: state keeps it in every checkpoint, so it is kept
    tiny rather than a copy of possibly large arguments."""
    text = json.dumps({"name": command.get("name"), "args": command.get("args", {})}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _count(state: AgentState) -> tuple[str | None, int]:
    key, count = state.get("repeats") or (None, 0)
    return key, count


def _streak(state: AgentState, command: dict) -> int:
    """How many times `command` will have run in a row if it runs now."""
    key, count = _count(state)
    return count + 1 if key == command_key(command) else 1


def track(state: AgentState, command: dict) -> dict:
    """execute_tool's update for the command it has just run: `repeats` = [its key, times in a row]."""
    return {"repeats": [command_key(command), _streak(state, command)]}


def warning(state: AgentState) -> str | None:
    """The note for the next prompt once the last command has run WARN_AT times in a row."""
    key, count = _count(state)
    if count < WARN_AT:
        return None
    command = state.get("command") or {}  # the command that ran last, until the next one is chosen
    name = command.get("name") if command and command_key(command) == key else "the same command"
    return render("loop_warning", name=name, count=count, stop_at=STOP_AT)


def stop_reason(state: AgentState, command: dict) -> str | None:
    """Why the run ends instead of running `command`, when that would be the STOP_AT-th time in a row."""
    if command.get("name") == "task_complete" or _streak(state, command) < STOP_AT:
        return None
    return (
        f"Loop detected: the model chose {command.get('name')} with the same arguments {STOP_AT} times in a row."
    )
