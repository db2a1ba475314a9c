"""A check of the run's work against its goals before task_complete (issue 16's "verification cycle").

The 1.5B model finished with wrong work it could have seen: the first two lines of a poem joined into
first_line.txt, every action item of a meeting where the goal asked for Priya's, a count that was no
answer. Before it finishes, the push-back shows it its goals and, exactly, what the text files it made
hold, and asks it to compare them one by one: task_complete again if they match, a fix if not.
"""

from __future__ import annotations

import json

from autogpt_graph.graph.prompting.texts import render_steering as render
from autogpt_graph.graph.steering.run_facts import (
    RUNS_CODE, WRITES, created_by_run, goals_text, named_files, normalised, ran_commands,
)
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.workspace import PathRefused, Workspace

_MAX_FILES = 3  # the goals of one run name a few outputs; more would crowd the window
_MAX_CHARS = 300  # of each file: enough for a line, a count or a short list


def work_to_check(state: AgentState, workspace: Workspace) -> list[tuple[str, str]]:
    """(file, its text) for the text files the run made: those it wrote with a file command, and the
    files the goals name that code the run ran created. Code (.py) is left out: running it checks it
    (code_tasks.untested_code)."""
    ran = ran_commands(state)
    names = [normalised(c["args"].get("filename")) for c, worked in ran if worked and c["name"] in WRITES]
    if any(c["name"] in RUNS_CODE for c, _ in ran):
        named, missing = named_files(goals_text(state), workspace)
        names += created_by_run(state, [normalised(n) for n in named if n not in missing])
    work = []
    for name in dict.fromkeys(names):
        text = _text_of(workspace, name) if not name.endswith(".py") else None
        if text is not None:
            work.append((name, text))
    return work[:_MAX_FILES]


def check_before_finish(state: AgentState, workspace: Workspace) -> str | None:
    """The push-back on task_complete that shows the goals and the run's files, or None when the run
    made no text file to check."""
    work = work_to_check(state, workspace)
    if not work:
        return None
    goals = state.get("ai_config", {}).get("ai_goals", [])
    shown = "; ".join(render("file_holds", filename=name, content=_exact(text)) for name, text in work)
    return render("check_before_finish", goals=" ".join(f"{i}. {_sentence(g)}" for i, g in enumerate(goals, 1)),
                  files=shown)


def _sentence(goal: str) -> str:
    goal = goal.strip()
    return goal if goal.endswith((".", "!", "?")) else goal + "."


def _exact(text: str) -> str:
    """The text as a JSON string (line breaks as \\n, so two lines joined or split show), cut short."""
    cut = text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS]
    return json.dumps(cut, ensure_ascii=False) + ("..." if cut != text else "")


def _text_of(workspace: Workspace, name: str) -> str | None:
    try:
        return workspace.resolve(name).read_text("utf-8")
    except (OSError, UnicodeDecodeError, PathRefused):
        return None  # deleted since, a folder, or not text: nothing to show
