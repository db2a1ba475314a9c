"""Notes that steer the model toward finishing, from what the history shows.

Small models loop: they rewrite a file that is already done, keep working after the goal is met, or
keep looking for a file they are meant to write (shared/LOCAL_MODEL.md). Three signals are cheap and
reliable: the last command repeats an earlier one exactly; the last command successfully wrote a
file that the goals name; a file the goals name does not exist yet.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path

from graph import loop_guard
from graph.prompts import render
from graph.state import AgentState, Event
from tools.files import already_written
from tools.workspace import PathRefused, Workspace

_WRITES = ("write_to_file", "append_to_file")
_ERROR = "returned: Error"
# A file name in a goal ("haiku.txt", "out/report.md"): common file extensions only, so "e.g." or a
# domain name is not taken for a file; URLs are removed first.
_EXTENSIONS = "txt|md|py|json|csv|tsv|yaml|yml|html|css|js|ts|sh|log|xml|ini|toml|rst|tex|c|cpp|h|java|go|rs|sql"
_FILE_IN_GOAL = re.compile(rf"(?<![\w/.])[\w\-/]*\w\.(?:{_EXTENSIONS})\b")
_URL = re.compile(r"\S+://\S+")


def _goals_text(state: AgentState) -> str:
    """All goals as one text, where the file names they mention are looked for."""
    return " ".join(state.get("ai_config", {}).get("ai_goals", []))


def _command_of(event: Event) -> dict | None:
    try:
        command = json.loads(event["text"]).get("command")
    except (json.JSONDecodeError, AttributeError):
        return None
    return command if isinstance(command, dict) else None


def _past_commands(state: AgentState) -> list[dict]:
    """The commands of the model's replies in the history, oldest first (unreadable replies left out)."""
    return [c for e in state.get("history") or [] if e["kind"] == "assistant" and (c := _command_of(e))]


def nudges(state: AgentState, workspace: Workspace | None = None) -> list[str]:
    history = state.get("history") or []
    replies = [e for e in history if e["kind"] == "assistant"]
    goals = _goals_text(state)
    notes = _goal_files(state, workspace)
    loop = loop_guard.warning(state)  # kept in state, so it holds even when the history window is short
    if loop:
        notes.append(loop)
    if not replies or history[-1]["kind"] != "system":  # the rest only right after a command ran
        return notes
    commands = [_command_of(e) for e in replies]
    last = commands[-1]
    if not last or _ERROR in history[-1]["text"]:
        return notes
    if last in commands[:-1] and not loop:
        notes.append(render("repeated_command", name=last.get("name", "")))
    filename = str(last.get("args", {}).get("filename", ""))
    if workspace is None and last.get("name") in _WRITES and filename and filename in goals:
        notes.append(render("goal_files_written", files=filename))
    return notes


def read_only(command: dict, tools) -> bool:
    """A command that only looks at the workspace (list_files, read_file)."""
    tool = tools.get(command.get("name", ""))
    return tool is not None and bool((tool.metadata or {}).get("read_only"))


def unchanged_repeat(state: AgentState, command: dict, tools) -> str | None:
    """The model proposes a read-only command (list_files, read_file) it already ran with the same
    arguments, and nothing that could change its result has run since: the result would be what it has
    already seen.
    Small models loop on exactly this; say so, with the result, instead of running it again."""
    if not read_only(command, tools):
        return None
    history = state.get("history") or []
    since: list[dict] = []  # the commands run after the one found, newest first
    for i in range(len(history) - 1, -1, -1):
        event = history[i]
        if event["kind"] != "assistant":
            continue
        earlier = _command_of(event)
        if not earlier:
            continue
        if earlier == command:
            result = next((e["text"] for e in history[i + 1:] if e["kind"] == "system"), "")
            seen = result.partition(" returned: ")[2]
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
    if change.get("name") not in _WRITES:
        return True
    target = _normalised((change.get("args") or {}).get("filename"))
    if look.get("name") == "read_file":
        return target == _normalised((look.get("args") or {}).get("filename"))
    if look.get("name") == "list_files":
        return target not in {_normalised(line) for line in seen.splitlines()}
    return look.get("name") != "browse_website"  # a page is not changed by the workspace


def _normalised(path) -> str:
    return posixpath.normpath(str(path or "").strip())


# A result that says the command failed: a refused or failing command ("Error: ..."), or code that
# exited with an error or was killed (tools/sandbox.py's status line).
_FAILED = re.compile(r"returned: Error|\bExit code: (?:[1-9]|none)|\bKilled by signal")


_EXCEPTION_LINE = re.compile(r"^\w+(?:Error|Exception|Exit)\b.*$", re.MULTILINE)


def _error_of(result: str) -> str:
    """The line that states a failure: Python's last exception line, else the result's end."""
    exceptions = _EXCEPTION_LINE.findall(result)
    if exceptions:
        return exceptions[-1][:300]
    return result.partition(" returned: ")[2].strip()[-300:]


def failed_repeat(state: AgentState, command: dict, tools) -> str | None:
    """The model proposes exactly the command that failed the last time it ran, and nothing has been
    written since (seen with the 1.5B model: code missing `import csv`, re-run unchanged until the
    cycle limit). Say so with the line that states the error."""
    history = state.get("history") or []
    for i in range(len(history) - 1, -1, -1):
        earlier = _command_of(history[i]) if history[i]["kind"] == "assistant" else None
        if earlier == command:
            result = next((e["text"] for e in history[i + 1:] if e["kind"] == "system"), "")
            if not _FAILED.search(result):
                return None
            return render("failed_repeat", name=command["name"], error=_error_of(result))
        if earlier and not read_only(earlier, tools):
            return None  # a write or a run since may have changed the outcome (a test run after a fix)
    return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


_ASKS_FOR_A_COPY = re.compile(r"\b(?:cop(?:y|ies|ied)|exact(?:ly)?|verbatim|unchanged|identical)\b", re.IGNORECASE)


def copied_result(state: AgentState, command: dict) -> str | None:
    """A write of exactly what an earlier command returned (a file read, a listing), line for line: the
    1.5B model copied song.txt instead of uppercasing it, people.csv instead of the Oslo names and the
    whole listing instead of the .log files. Asked once whether the goals want it unchanged (a copy is
    sometimes the task)."""
    text = (command.get("args") or {}).get("text")
    if command.get("name") not in _WRITES or not isinstance(text, str) or not _lines(text):
        return None
    if _ASKS_FOR_A_COPY.search(_goals_text(state)):
        return None  # the goals want it copied (the 1.5B model, asked anyway, took its copy as written)
    history = state.get("history") or []
    for i, event in enumerate(history[:-1]):
        earlier = _command_of(event) if event["kind"] == "assistant" else None
        result = history[i + 1]
        if earlier and result["kind"] == "system" and _lines(result["text"].partition(" returned: ")[2]) == _lines(text):
            args = [str(v) for v in (earlier.get("args") or {}).values()]
            return render("copied_result", filename=command["args"].get("filename", "The file"),
                          source=" ".join([earlier.get("name", ""), *args[:1]]))
    return None


def second_thoughts(state: AgentState, command: dict, workspace: Workspace) -> str | None:
    """A write or append that would change a goal file the run already wrote: the 1.5B model wrote the
    right uppercase song, shopping list or palindrome function, then at once or a few cycles later
    wrote it again wrong ("test" over palindrome.py), or appended to it. Asked once, with what the file
    holds, whether that does not meet the goals (an identical rewrite is no_op_write's)."""
    target = str((command.get("args") or {}).get("filename", ""))
    if command.get("name") not in _WRITES or target not in _named_files(_goals_text(state), workspace)[0]:
        return None
    if not any(c.get("name") in _WRITES and str((c.get("args") or {}).get("filename", "")) == target
               for c in _past_commands(state)):
        return None
    try:
        held = workspace.resolve(target).read_text("utf-8", errors="replace").strip()
    except (OSError, PathRefused):
        return None  # deleted since, or not a file: nothing to keep
    shown = held[:200] + ("..." if len(held) > 200 else "")
    return render("second_thoughts", filename=target, content=shown)


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
    """The files the goals name once every one of them exists and the run has produced one ([] while
    one is missing, none is named, or all existed before and nothing wrote since)."""
    named, missing = _named_files(_goals_text(state), workspace)
    return named if named and not missing and _produced(state, named) else []


# Commands after which a goal file may hold the run's work: a write to it, or code that ran (and may
# have written it).
_RUNS_CODE = ("execute_python_code", "execute_python_file", "execute_shell")


def _produced(state: AgentState, named: list[str]) -> bool:
    """Whether the run wrote to a file the goals name, or ran code that may have: files that exist
    from the start (the task's input, a file to fix) are not a sign that the work is done (fix_average:
    stats.py exists before the bug is fixed)."""
    for command in _past_commands(state):
        if command.get("name") in _RUNS_CODE:
            return True
        if command.get("name") in _WRITES and str((command.get("args") or {}).get("filename", "")) in named:
            return True
    return False


def goal_files_untouched(state: AgentState, workspace: Workspace) -> list[str]:
    """The files the goals name when all exist but the run has not written any file nor run code: the
    work has not started (fix_average: task_complete at cycle 1, nothing fixed)."""
    named, missing = _named_files(_goals_text(state), workspace)
    started = any(c.get("name") in (*_WRITES, *_RUNS_CODE) for c in _past_commands(state))
    return named if named and not missing and not started else []


def finish_for_repeater(files: list[str]) -> dict:
    """task_complete in place of a command that changes nothing, which the model insisted on after a
    push-back once its goal files existed (seen with the 1.5B model: the same read and the same
    write, alternating until the cycle limit, with task_complete suggested every cycle)."""
    return {"name": "task_complete", "args": {"reason": render("finish_for_repeater", files=", ".join(files))}}


def unused_goal_files(state: AgentState, workspace: Workspace) -> list[str]:
    """Files the goals name that exist but no command in the history has touched yet (the task's
    input): the 1.5B model, told to write its output, wrote "John Doe" before reading first.txt."""
    touched = {str((c.get("args") or {}).get("filename", "")) for c in _past_commands(state)}
    named, missing = _named_files(_goals_text(state), workspace)
    return [name for name in named if name not in missing and name not in touched]


def unread_inputs_before_write(state: AgentState, command: dict, workspace: Workspace,
                               can_browse: bool = False) -> str | None:
    """A write before the input files the goals name have been read (the 1.5B model wrote "John Doe"
    to name.txt before reading first.txt and last.txt), or before any file was read at all when the
    goals name a folder of the workspace (it wrote a made-up "code" after listing the three notes of
    the folder its goal pointed at, never opening one)."""
    if command.get("name") not in _WRITES:
        return None
    return read_first_note(state, workspace, (command.get("args") or {}).get("filename"), can_browse)


def read_first_note(state: AgentState, workspace: Workspace, target: str | None = None,
                    can_browse: bool = False) -> str | None:
    """What to read before writing (`target`), with the read command to copy: the input files the
    goals name that no command touched yet, the pages they name that no command visited, else, while
    the run has read nothing, the files of the folders the goals mention. None when there is nothing
    left to read."""
    unused = [name for name in unused_goal_files(state, workspace) if name != target]
    if unused:
        return render("read_inputs_first", files=", ".join(unused), filename=unused[0])
    past = _past_commands(state)
    visited = {str((c.get("args") or {}).get("url", "")).rstrip("/") for c in past}
    unvisited = [url for url in _goal_urls(state) if url.rstrip("/") not in visited] if can_browse else []
    if unvisited:  # web_lighthouse_year: told to "compose it yourself", it wrote a made-up year
        browse = {"name": "browse_website", "args": {"url": unvisited[0], "question": _goals_text(state)[:300]}}
        return render("browse_first", url=unvisited[0], command=json.dumps(browse, ensure_ascii=False))
    if any(c.get("name") in ("read_file", *_RUNS_CODE) for c in past):
        return None
    present = [name for name in _files_in_goal_folders(_goals_text(state), workspace) if name != _normalised(target)]
    if not present:
        return None
    shown = ", ".join(present[:8]) + (f" and {len(present) - 8} more" if len(present) > 8 else "")
    return render("read_something_first", files=shown, filename=present[0])


def _goal_urls(state: AgentState) -> list[str]:
    """The http(s) URLs the goals name, without trailing punctuation."""
    return [url.rstrip(".,;:!?)'\"") for url in _URL.findall(_goals_text(state)) if url.startswith("http")]


def _files_in_goal_folders(goals: str, workspace: Workspace) -> list[str]:
    """The files (as list_files shows them) in the workspace's folders whose names the goals mention
    ("the notes folder"); hidden ones left out."""
    words = set(re.findall(r"[\w\-]+", goals))
    found = []
    for seen, (folder, subfolders, files) in enumerate(os.walk(workspace.root)):
        if seen >= _MAX_FOLDERS:  # a cloned repository: enough to name a few files
            break
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        path = Path(folder)
        if path != workspace.root and (words & set(path.relative_to(workspace.root).parts)):
            found += [workspace.relative(path / f) for f in files if not f.startswith(".")]
    return sorted(found)


_MAX_FOLDERS = 200


def missing_goal_files(state: AgentState, workspace: Workspace) -> list[str]:
    """Files the goals name that do not exist in the workspace yet."""
    goals = _goals_text(state)
    return _named_files(goals, workspace)[1]


def _named_files(goals: str, workspace: Workspace) -> tuple[list[str], list[str]]:
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


def _goal_files(state: AgentState, workspace: Workspace | None) -> list[str]:
    """While a file the goals name is missing, say to write it; once all exist and the run has
    produced one, that the goals may be met (the small model otherwise keeps listing and appending
    after it is done)."""
    if workspace is None:
        return []
    named, missing = _named_files(_goals_text(state), workspace)
    if missing:
        return [render("goal_file_missing", files=", ".join(missing))]
    done = named and _produced(state, named)
    return [render("goal_files_written", files=", ".join(named))] if done else []
