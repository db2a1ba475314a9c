"""Another candidate for a code run that failed a cheap check: the runtime checks, not the model.

Seen with the 1.5B model (benchmarks/RESULTS.md #19-#22): shown its failed code, or a count of 0 from
a test that matched nothing (`line.strip()[0] == '[ ]'`), it re-sends the same code or writes the 0;
told to look again, it re-reads. In #20's held-out runs, those with a failed command passed 4 times in
20, the others 23 in 55. So such a run is set aside before the model sees it, and the model is asked
the same prompt again at a higher temperature for another candidate, up to MAX_CANDIDATES a cycle; the
model reads only the candidate that stands (the first that passes, or the last one asked for).
"""

from __future__ import annotations

from collections.abc import Sequence

from autogpt_graph.graph.state import SetAside
from autogpt_graph.graph.steering.base import CommandOutput

MAX_CANDIDATES = 3
# Sampling temperature for another candidate: at the run's 0.2 the same prompt gives the same code.
CANDIDATE_TEMPERATURE = 0.8
# What a program prints when its test matched nothing.
NOTHING_FOUND = {"", "0", "0.0", "[]", "{}", "()", "set()", "None", "''", '""'}
# Code with these writes a file: printing nothing is then no sign that it failed.
FILE_WRITES = ("write(", "to_csv(", "write_text(", "dump(")
KEPT_RESULT_CHARS = 2000


def doubt(command: dict, output: CommandOutput) -> str | None:
    """Why this code run looks like it failed, or None. Only execute_python_code: its code is sampled
    afresh with the reply, while a file runs the same until the model rewrites it."""
    code = (command.get("args") or {}).get("code")
    if command["name"] != "execute_python_code" or not isinstance(code, str):
        return None
    if not output.ok:
        return "it failed"
    printed = str(output.artifact.get("stdout", "")).strip()
    if printed in NOTHING_FOUND and (printed or not any(w in code for w in FILE_WRITES)):
        return f"it printed {printed!r}" if printed else "it printed nothing"
    return None


def set_aside(command: dict, output: CommandOutput, tried: Sequence[SetAside]) -> SetAside | None:
    """The record of this run set aside (the model asked for another candidate), or None: it stands.
    It stands when it passes the check, when it is the cycle's last candidate, or when its code was
    set aside already this cycle (the sample repeats itself: asking again would too)."""
    why = doubt(command, output)
    if why is None or len(tried) + 1 >= MAX_CANDIDATES:
        return None
    if any(t["command"] == command for t in tried):
        return None
    return SetAside(command=command, result=output.text[:KEPT_RESULT_CHARS], ok=output.ok, why=why)
