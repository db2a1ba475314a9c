"""What a run's goals and history say, for the notes and push-backs that steer a small model: the files
and pages the goals name, the commands the model ran, and which commands only look.

Goals name files as words with a common extension ("haiku.txt", "out/report.md"); URLs are taken out
first, so "e.g." or a domain name is not a file.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from autogpt_graph.graph.prompting.events import REPLY, RESULT, command_of, structure
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.workspace import PathRefused, Workspace

WRITES = ("write_to_file", "append_to_file")
# Commands after which a goal file may hold the run's work: a write to it, or code that ran (and may
# have written it).
RUNS_CODE = ("execute_python_code", "execute_python_file", "execute_shell")
# A file name in a goal ("haiku.txt", "out/report.md"): common file extensions only, so "e.g." or a
# domain name is not taken for a file; URLs are removed first.
_EXTENSIONS = "txt|md|py|json|csv|tsv|yaml|yml|html|css|js|ts|sh|log|xml|ini|toml|rst|tex|c|cpp|h|java|go|rs|sql"
_FILE_IN_GOAL = re.compile(rf"(?<![\w/.])[\w\-/]*\w\.(?:{_EXTENSIONS})\b")
_URL = re.compile(r"\S+://\S+")
_MAX_FOLDERS = 200  # walked to name the files of a folder the goals mention (a cloned repository)


def goals_text(state: AgentState) -> str:
    """All goals as one text, where the file names they mention are looked for."""
    return " ".join(state.get("ai_config", {}).get("ai_goals", []))


def past_commands(state: AgentState) -> list[dict]:
    """The commands of the model's replies in the history, oldest first (unreadable replies left out)."""
    return [c for e in state.get("history") or [] if e["kind"] == REPLY and (c := command_of(e))]


def result_for(history: list, index: int) -> dict | None:
    """The result of the reply at history[index]: the result event of the same cycle, of the same
    command, right after it; None when it never ran (rejected with feedback, or a stop). Never the
    next result of another cycle: a push-back quoted "File 'count.txt' does not exist" as the error
    of a read of essay.txt that had worked."""
    reply = history[index]
    command = command_of(reply) or {}
    for event in history[index + 1:]:
        if event["cycle"] != reply["cycle"] or event["kind"] == REPLY:
            return None
        if event["kind"] == RESULT and structure(event).get("name") in (command.get("name"), ""):
            return event
    return None


def read_only(command: dict, tools) -> bool:
    """A command that only looks at the workspace (list_files, read_file)."""
    tool = tools.get(command.get("name", ""))
    return tool is not None and bool((tool.metadata or {}).get("read_only"))


def normalised(path) -> str:
    return posixpath.normpath(str(path or "").strip())


def unused_goal_files(state: AgentState, workspace: Workspace) -> list[str]:
    """Files the goals name that exist but no command in the history has touched yet (the task's
    input): the 1.5B model, told to write its output, wrote "John Doe" before reading first.txt."""
    touched = {str((c.get("args") or {}).get("filename", "")) for c in past_commands(state)}
    named, missing = named_files(goals_text(state), workspace)
    return [name for name in named if name not in missing and name not in touched]


def goal_urls(state: AgentState) -> list[str]:
    """The http(s) URLs the goals name, without trailing punctuation."""
    return [url.rstrip(".,;:!?)'\"") for url in _URL.findall(goals_text(state)) if url.startswith("http")]


def files_in_goal_folders(goals: str, workspace: Workspace) -> list[str]:
    """The files (as list_files shows them) in the workspace's folders whose names the goals mention
    ("the notes folder"); hidden ones left out."""
    words = set(re.findall(r"[\w\-]+", goals))
    found = []
    for seen, (folder, subfolders, files) in enumerate(os.walk(workspace.root)):
        if seen >= _MAX_FOLDERS:
            break
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        path = Path(folder)
        if path != workspace.root and (words & set(path.relative_to(workspace.root).parts)):
            found += [workspace.relative(path / f) for f in files if not f.startswith(".")]
    return sorted(found)


def missing_goal_files(state: AgentState, workspace: Workspace) -> list[str]:
    """Files the goals name that do not exist in the workspace yet."""
    goals = goals_text(state)
    return named_files(goals, workspace)[1]


def named_files(goals: str, workspace: Workspace) -> tuple[list[str], list[str]]:
    """(the files the goals name, those of them that do not exist yet); paths outside the workspace
    are left out."""
    named, missing = [], []
    for name in dict.fromkeys(_FILE_IN_GOAL.findall(_URL.sub(" ", goals))):
        try:
            exists = workspace.resolve(name).exists()
        except PathRefused:  # an outside path in a goal is not ours to write
            continue
        named.append(name)
        if not exists:
            missing.append(name)
    return named, missing


def created_by_run(state: AgentState, names: list[str]) -> list[str]:
    """Those of `names` that were not in the workspace when the run started; none when that is not
    known (a run from before it was recorded, or a workspace with too many files to list)."""
    start = state.get("start_files")
    if start is None:
        return []
    inputs = {normalised(name) for name in start}
    return [name for name in names if normalised(name) not in inputs]
