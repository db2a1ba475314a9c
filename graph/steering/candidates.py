"""Another candidate for a code run that failed a cheap check: the runtime checks, not the model.

Seen with the 1.5B model (benchmarks/RESULTS.md #19-#22): shown its failed code, or a count of 0 from
a test that matched nothing (`line.strip()[0] == '[ ]'`), it re-sends the same code or writes the 0;
told to look again, it re-reads. In #20's held-out runs, those with a failed command passed 4 times in
20, the others 23 in 55. So such a run is set aside before the model sees it, and the model is asked
the same prompt again at a higher temperature for another candidate, up to MAX_CANDIDATES a cycle; the
model reads only the candidate that stands (the first that passes, or the last one asked for).
The check also reads what the code wrote (#24): in #23's runs the count of 0 went to the answer file
with nothing printed (`f.write(str(count))`), or was printed inside a sentence ("Open items count: 0").
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from autogpt_graph.graph.state import SetAside
from autogpt_graph.graph.steering.base import CommandOutput, Facts

MAX_CANDIDATES = 3
# Sampling temperature for another candidate: at the run's 0.2 the same prompt gives the same code.
CANDIDATE_TEMPERATURE = 0.8
# What a program prints when its test matched nothing.
NOTHING_FOUND = {"", "0", "0.0", "[]", "{}", "()", "set()", "None", "''", '""'}
# A one-line report whose every number is 0 ("Open items count: 0") found nothing either.
ZERO_REPORT_CHARS = 80
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# Code with these writes a file: printing nothing is then no sign that it failed.
FILE_WRITES = ("write(", "to_csv(", "write_text(", "dump(")
# Calls that write the file named by their first argument (`df.to_csv('x')`, `Path('x').write_text`
# names it on the Path), and open()'s modes that write.
WRITING_METHODS = {"to_csv", "to_json"}
WRITING_MODES = set("wax")
KEPT_RESULT_CHARS = 2000
READ_BACK_BYTES = 10_000


def found_nothing(text: str) -> bool:
    """Text that reports nothing found: empty, an empty container, or a short line of zeros."""
    text = text.strip()
    if text in NOTHING_FOUND:
        return True
    numbers = NUMBER.findall(text)
    return (len(text) <= ZERO_REPORT_CHARS and "\n" not in text and bool(numbers)
            and all(float(n.replace(",", ".")) == 0 for n in numbers))


def doubt(command: dict, output: CommandOutput, facts: Facts) -> str | None:
    """Why this code run looks like it failed, or None. Only execute_python_code: its code is sampled
    afresh with the reply, while a file runs the same until the model rewrites it."""
    code = (command.get("args") or {}).get("code")
    if command["name"] != "execute_python_code" or not isinstance(code, str):
        return None
    if not output.ok:
        return "it failed"
    printed = str(output.artifact.get("stdout", "")).strip()
    if printed and found_nothing(printed):
        return f"it printed {printed!r}"
    for filename in written_files(code):
        text = read_back(facts, filename)
        if text is not None and found_nothing(text):
            return f"it wrote {text.strip()!r} to {filename}"
    if not printed and not any(w in code for w in FILE_WRITES):
        return "it printed nothing"
    return None


def written_files(code: str) -> Iterator[str]:
    """The files the code names as literals in the calls that write them (a name bound once to a
    string counts: `path = 'open_items.txt'` ... `open(path, 'w')`); none when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return
    names = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)
             and isinstance(n.value.value, str)}

    def text_of(node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return names.get(node.id) if isinstance(node, ast.Name) else None

    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func, first = call.func, call.args[0] if call.args else None
        if isinstance(func, ast.Name) and func.id == "open":
            mode = call.args[1] if len(call.args) > 1 else next(
                (k.value for k in call.keywords if k.arg == "mode"), None)
            if WRITING_MODES & set(text_of(mode) or "") and (filename := text_of(first)):
                yield filename
        elif isinstance(func, ast.Attribute) and func.attr in WRITING_METHODS and (filename := text_of(first)):
            yield filename
        elif (isinstance(func, ast.Attribute) and func.attr == "write_text" and isinstance(func.value, ast.Call)
              and func.value.args and (filename := text_of(func.value.args[0]))):
            yield filename


def read_back(facts: Facts, filename: str) -> str | None:
    """A small text file of the workspace as it is now, or None (missing, outside, big or binary)."""
    try:
        path = facts.workspace.resolve(filename)
        if not path.is_file() or path.stat().st_size > READ_BACK_BYTES:
            return None
        return path.read_text("utf-8")
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def set_aside(command: dict, output: CommandOutput, tried: Sequence[SetAside], facts: Facts) -> SetAside | None:
    """The record of this run set aside (the model asked for another candidate), or None: it stands.
    It stands when it passes the check, when it is the cycle's last candidate, or when its code was
    set aside already this cycle (the sample repeats itself: asking again would too)."""
    why = doubt(command, output, facts)
    if why is None or len(tried) + 1 >= MAX_CANDIDATES:
        return None
    if any(t["command"] == command for t in tried):
        return None
    return SetAside(command=command, result=output.text[:KEPT_RESULT_CHARS], ok=output.ok, why=why)
