"""Questions about a proposed write, asked once per cycle before it runs: the 1.5B model wrote before
reading its inputs, copied its input where the goals asked for a change, and replaced finished work.
A model that insists gets its write (nodes/validate_json.py).
"""

from __future__ import annotations

import json
import re

from autogpt_graph.graph.prompting.events import RESULT, command_of, ok, result_of, telling_line
from autogpt_graph.graph.prompting.texts import render_steering as render
from autogpt_graph.graph.steering.run_facts import (
    RUNS_CODE, WRITES, files_in_goal_folders, goal_urls, goals_text, named_files,
    normalised, past_commands, unused_goal_files,
)
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.workspace import PathRefused, Workspace


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


# Goals that ask for a copy: "copy", "its exact content", "verbatim", "write its content to output.txt"
# (agbenchmark's ReadFile task).
_ASKS_FOR_A_COPY = re.compile(
    r"\b(?:cop(?:y|ies|ied)|exact(?:ly)?|verbatim|unchanged|identical|its contents?)\b", re.IGNORECASE)


def copied_result(state: AgentState, command: dict) -> str | None:
    """A write of exactly what an earlier command returned (a file read, a listing), line for line: the
    1.5B model copied song.txt instead of uppercasing it, people.csv instead of the Oslo names and the
    whole listing instead of the .log files. Asked once whether the goals want it unchanged (a copy is
    sometimes the task)."""
    text = (command.get("args") or {}).get("text")
    if command.get("name") not in WRITES or not isinstance(text, str) or not _lines(text):
        return None
    if _ASKS_FOR_A_COPY.search(goals_text(state)):
        return None  # the goals want it copied (the 1.5B model, asked anyway, took its copy as written)
    target = normalised(command["args"].get("filename"))
    history = state.get("history") or []
    for i, event in enumerate(history[:-1]):
        earlier = command_of(event)
        if not earlier or normalised((earlier.get("args") or {}).get("filename")) == target:
            continue  # the file's own earlier text, written back, is not a copy of an input
        result = history[i + 1]
        if result["kind"] == RESULT and _lines(result_of(result)) == _lines(text):
            args = [str(v) for v in (earlier.get("args") or {}).values()]
            return render("copied_result", filename=command["args"].get("filename", "The file"),
                          source=" ".join([earlier.get("name", ""), *args[:1]]))
    return None


def write_after_set_aside(state: AgentState, command: dict) -> str | None:
    """A write proposed after this cycle's code run was set aside (candidates.py): the model never read
    that run, and its next sample wrote a guess. Seen in sum_despite_note (tuned suite): the code failed
    on the data's note line, the hint said to skip what is not a number, and the next candidate wrote
    "58" to sum.txt, three cycles running. Asked once, quoting the set-aside run's telling line."""
    tried = state.get("set_aside") or []
    if command.get("name") not in WRITES or not tried:
        return None
    return render("write_after_set_aside", why=tried[-1]["why"], said=telling_line(tried[-1])[:300])


def second_thoughts(state: AgentState, command: dict, workspace: Workspace) -> str | None:
    """A write_to_file that would replace a goal file the run already wrote, with nothing failing since
    that write: the 1.5B model wrote the right uppercase song or palindrome function, then at once or a
    few cycles later wrote it again wrong ("test" over palindrome.py). Asked once, with what the file
    holds, whether that does not meet the goals (an identical rewrite is no_op_write's). Appends build a
    file step by step and a rewrite after a failure (a test run) is a fix: neither is asked about."""
    target = str((command.get("args") or {}).get("filename", ""))
    if command.get("name") != "write_to_file" or target not in named_files(goals_text(state), workspace)[0]:
        return None
    history = state.get("history") or []
    for i in range(len(history) - 1, -1, -1):
        if history[i]["kind"] == RESULT and not ok(history[i]):
            return None
        earlier = command_of(history[i])
        if earlier and earlier.get("name") in WRITES and str((earlier.get("args") or {}).get("filename", "")) == target:
            break
    else:
        return None  # the run has not written it
    try:
        held = workspace.resolve(target).read_text("utf-8", errors="replace").strip()
    except (OSError, PathRefused):
        return None  # deleted since, or not a file: nothing to keep
    shown = held[:200] + ("..." if len(held) > 200 else "")
    return render("second_thoughts", filename=target, content=shown)


def unread_inputs_before_write(state: AgentState, command: dict, workspace: Workspace,
                               can_browse: bool = False) -> str | None:
    """A write before the input files the goals name have been read (the 1.5B model wrote "John Doe"
    to name.txt before reading first.txt and last.txt), or before any file was read at all when the
    goals name a folder of the workspace (it wrote a made-up "code" after listing the three notes of
    the folder its goal pointed at, never opening one), or as the run's first command while the
    workspace held files."""
    if command.get("name") not in WRITES:
        return None
    target = (command.get("args") or {}).get("filename")
    return read_first_note(state, workspace, target, can_browse) or nothing_read(state, target)


def nothing_read(state: AgentState, target: str | None) -> str | None:
    """A write before any command has looked at the workspace, while it held files when the run
    started: the 1.5B model, told the settings were "somewhere in this workspace", wrote port.txt =
    8080 as its first command, never opening settings.yaml (distractor_old_settings)."""
    if past_commands(state):
        return None
    inputs = [name for name in state.get("start_files") or [] if name != normalised(target)]
    if not inputs:
        return None
    return render("read_something_first", files=_listed(inputs), filename=inputs[0])


def read_first_note(state: AgentState, workspace: Workspace, target: str | None = None,
                    can_browse: bool = False, folder_rest: bool = False) -> str | None:
    """What to read before writing (`target`), with the read command to copy: the input files the
    goals name that no command touched yet, the pages they name that no command visited, else the
    files of the folders the goals mention while the run has read none of them, or with `folder_rest`
    (in place of a no-op) those it has not read (none once code has run: it may have read them). None
    when there is nothing left to read."""
    unused = [name for name in unused_goal_files(state, workspace) if name != target]
    if unused:
        return render("read_inputs_first", files=", ".join(unused), filename=unused[0])
    past = past_commands(state)
    visited = {str((c.get("args") or {}).get("url", "")).rstrip("/") for c in past}
    unvisited = [url for url in goal_urls(state) if url.rstrip("/") not in visited] if can_browse else []
    if unvisited:  # web_lighthouse_year: told to "compose it yourself", it wrote a made-up year
        browse = {"name": "browse_website", "args": {"url": unvisited[0], "question": goals_text(state)[:300]}}
        return render("browse_first", url=unvisited[0], command=json.dumps(browse, ensure_ascii=False))
    if any(c.get("name") in RUNS_CODE for c in past):
        return None  # code may have read them
    read = {normalised((c.get("args") or {}).get("filename")) for c in past if c.get("name") == "read_file"}
    unread = [name for name in files_in_goal_folders(goals_text(state), workspace)
              if name != normalised(target) and name not in read]
    if not unread or (read and not folder_rest):
        return None  # a write after reading some of them: what it read may be what it needed
    # find_shed_code: one note of three read, then, told "compose it yourself", it wrote made-up code.
    return render("read_folder_rest" if read else "read_something_first", files=_listed(unread), filename=unread[0])


def _listed(names: list[str], most: int = 8) -> str:
    """The first `most` names, and how many more."""
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
