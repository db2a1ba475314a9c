"""Steering for goals about code: the input file to rewrite after its test failed, and the file the
run wrote to run once before it finishes. Both were seen with the 1.5B model on tasks it was not tuned
on (benchmarks/heldout/): it read the code and the test again and again without writing a fix, and it
finished right after writing a function it had never run.
"""

from __future__ import annotations

import re

from autogpt_graph.graph.prompting.events import command_of, ok
from autogpt_graph.graph.steering.run_facts import (
    RUNS_CODE, WRITES, created_by_run, goals_text, named_files, normalised, result_for,
)
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.workspace import PathRefused, Workspace

# Test files by the usual conventions (test_x.py, x_test.py) and checks (check_x.py): the file that
# reports the bug, not the one to fix.
_TEST_FILE = re.compile(r"(?:^|/)(?:test_\w*|\w+_test|check_\w*)\.py$")


def code_to_fix(state: AgentState, workspace: Workspace) -> str | None:
    """The code file to rewrite whole: once the last code the run ran has failed and nothing was
    written since, the first .py input the goals name that the run did not run as its test and is no
    test file. The 1.5B model read pricing.py, ran check_pricing.py (it failed), then read both files
    again until the cycle limit, never writing (fix_discount and fix_word_counter: 0 of 6)."""
    failed, ran = False, set()
    for command, worked in _ran(state):
        if command["name"] == "execute_python_file":
            ran.add(normalised(command["args"].get("filename")))
        if command["name"] in RUNS_CODE:
            failed = not worked
        elif command["name"] in WRITES and worked:
            failed = False  # written since: the fix may be in
    if not failed:
        return None
    named, missing = named_files(goals_text(state), workspace)
    created = set(created_by_run(state, named))  # not inputs: the run's own files
    for name in named:
        path = normalised(name)
        if (path.endswith(".py") and name not in missing and name not in created and path not in ran
                and not _TEST_FILE.search(path)):
            return name
    return None


def untested_code(state: AgentState, workspace: Workspace) -> list[str]:
    """The .py files the run wrote that no code has run since (and still exist). The 1.5B model wrote
    names.py with a wrong initials() and at once used task_complete (write_initials, 2 of 3 runs)."""
    written: list[str] = []
    for command, worked in _ran(state):
        if not worked:
            continue
        if command["name"] in RUNS_CODE:
            written = []
        elif command["name"] in WRITES:
            filename = normalised(command["args"].get("filename"))
            if filename.endswith(".py") and filename not in written:
                written.append(filename)
    return [name for name in written if _is_file(workspace, name)]


def _ran(state: AgentState) -> list[tuple[dict, bool]]:
    """(command, whether it worked) for each command of the history that ran, oldest first."""
    history = state.get("history") or []
    ran = []
    for i, event in enumerate(history):
        command = command_of(event)
        if command and (result := result_for(history, i)) is not None:
            ran.append(({**command, "args": command.get("args") or {}}, ok(result)))
    return ran


def _is_file(workspace: Workspace, name: str) -> bool:
    try:
        return workspace.resolve(name).is_file()
    except PathRefused:
        return False
