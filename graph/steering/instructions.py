"""Goals that defer to instructions found in files ("open start.txt and follow the instructions you
find there"): a note that shows the model the latest instruction it read, until it acts on it.

The 1.5B model read start.txt ("For step 2, read the file next.txt."), then next.txt ("Final step: write
the word lighthouse to a file named result.txt."), then went back to start.txt, the file its goal names,
and alternated between the two until the loop guard stopped it or it finished without writing
(follow_the_trail, tuned suite, 3 of 3 runs on 2026-12-05, and failing in every measurement since #22).
Its goal names the first file; the step to take is in the file read last.
"""

from __future__ import annotations

import re

from autogpt_graph.graph.prompting.events import REPLY, command_of, ok, result_of
from autogpt_graph.graph.prompting.texts import render_steering
from autogpt_graph.graph.safety.injection import drops_instructions
from autogpt_graph.graph.state import AgentState
from autogpt_graph.graph.steering.run_facts import RUNS_CODE, WRITES, goals_text, result_for

# A goal that tells the agent to do what files say: "follow the instructions in ...", "carry out the
# steps listed in ...", "do what notes.txt says".
_DEFERS = re.compile(
    r"\b(?:follow|carry out|do what|obey|execute|complete)\b(?:[^.\n]|\.(?=\w)){0,60}?\b(?:instructions?|steps?|directions?|says|tells)\b",
    re.IGNORECASE,
)
# Text that gives an order: a sentence that starts with a verb of the commands ("Read the file
# next.txt.", "Final step: write ..."). Data (a CSV, a list of numbers) rarely does; its read is not
# shown as an instruction.
_ORDER = re.compile(
    r"(?:^|[.:;!,]\s+)(?:then\s+|now\s+|next,?\s+)?(?:read|open|write|save|create|append|add|put|copy|run|list|delete|"
    r"count|sum|find|look|go|follow|compute|calculate|sort|answer|reply|use)\b",
    re.IGNORECASE | re.MULTILINE,
)
_SHOWN = 300  # characters of the instruction quoted; instruction files are short


def defers_to_files(goals: str) -> bool:
    """Whether the goals tell the agent to follow instructions it finds in files."""
    return bool(_DEFERS.search(goals))


def instruction_to_follow(state: AgentState) -> tuple[str, str, dict | None] | None:
    """(file, its text, the write that did it or None) for the latest read that gives an order, when
    the goals defer to such files; None when they do not, or when the run has done something else since
    that file was first read (code run, another file written: the step is under way, the note would
    only repeat it). A text that tells the reader to drop its instructions is never one to follow (it
    gets the injection note instead)."""
    if not defers_to_files(goals_text(state)):
        return None
    history = state.get("history") or []
    latest, since = None, {}  # the latest instruction read; per file, the actions after its first read
    for index, event in enumerate(history):
        command = command_of(event) if event["kind"] == REPLY else None
        name = (command or {}).get("name")
        if name in WRITES or name in RUNS_CODE or name == "delete_file":
            for actions in since.values():
                actions.append(command)
            continue
        result = result_for(history, index) if name == "read_file" else None
        text = result_of(result).strip() if result is not None and ok(result) else ""
        if _ORDER.search(text) and not drops_instructions(text):
            filename = str((command.get("args") or {}).get("filename", ""))
            latest = (filename, text)
            since.setdefault(filename, [])
    if latest is None:
        return None
    filename, text = latest
    actions = since[filename]
    if not actions:
        return filename, text, None
    done = next((a for a in actions if a.get("name") in WRITES and _names(text, a)), None)
    return (filename, text, done) if done else None


def _names(text: str, write: dict) -> bool:
    target = str((write.get("args") or {}).get("filename", ""))
    return bool(target) and target in text


def instructions_note(state: AgentState) -> str | None:
    """The note that quotes the instruction to follow next, or, once the run wrote the file it names,
    that suggests task_complete (see instruction_to_follow)."""
    found = instruction_to_follow(state)
    if found is None:
        return None
    filename, text, done = found
    said = text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
    if done is None:
        return render_steering("follow_instructions", filename=filename, said=said)
    return render_steering("instructions_followed", filename=filename, said=said,
                           written=done["args"]["filename"])
