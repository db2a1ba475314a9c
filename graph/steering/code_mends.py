"""Mends and hints for code the small model writes (execute_python_code / execute_python_file).

The 1.5B model wrote code with one sensible reading that did not run: a line break inside a string
literal (JSON's "\\n" read as a real break), a standard module used without its import. Such code is
mended before it runs, as JSON repair mends a reply, and the result says so. After it ran, a failure
with a common cause gets one sentence naming the fix. Part of SmallModelSteering; with steering off
the code runs as the model wrote it.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import sys

_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")
_NOT_INSTALLED = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_NOT_A_NUMBER = re.compile(r"ValueError: (?:could not convert string to float|invalid literal for int\(\) with base 10): '([^'\d]*)'")


def error_hint(stderr: str) -> str | None:
    """One sentence when code used a standard module it never imported (the 1.5B model wrote
    csv.reader(...) without `import csv`, then re-ran the same code as if the error said nothing), a
    module that is not installed (it reached for pandas to filter a five-line CSV), or converted a
    word to a number (a CSV's header row)."""
    match = _UNDEFINED.search(stderr or "")
    if match and match[1] in sys.stdlib_module_names:
        return f"The code uses the module {match[1]} without importing it: add `import {match[1]}` at its top."
    match = _NOT_INSTALLED.search(stderr or "")
    if match:
        return (f"The module {match[1]} is not installed here: use Python's standard library instead "
                "(csv, json, re, statistics).")
    match = _NOT_A_NUMBER.search(stderr or "")
    if match:  # csv_total: float(row[2]) over every row, the header's "amount" included; a note line
        word = match[1].strip()
        word = word if len(word) <= 40 else word[:40] + "..."
        return (f"'{word}' is not a number: skip what is not a number (a CSV file's header row: call "
                "next(reader) once before the loop, or use csv.DictReader; other lines: try/except ValueError).")
    return None


def missing_imports(code: str) -> list[str]:
    """Standard modules the code uses but never imports or binds (`csv.reader(...)` with no `import
    csv`): the 1.5B model wrote such code, then re-ran it unchanged despite the error naming the
    import. There is only one sensible reading of it, so the import is added, as JSON repair mends a
    reply. Code that does not parse, or starts with a __future__ import, is left alone."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    bound, used = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return []
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name):
            (used.append if isinstance(node.ctx, ast.Load) else bound.add)(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    return sorted({n for n in used if n in sys.stdlib_module_names and n not in bound and not hasattr(builtins, n)})


def escape_broken_strings(code: str) -> str:
    """The code with line breaks inside one-line string literals written as \\n, when that makes code
    that does not parse parse. The 1.5B model wrote `f.write(row[0] + '\\n')` in its JSON reply, which
    JSON reads as a real line break, so Python saw an unterminated string. Anything else: unchanged."""
    if _parses(code):
        return code
    out, quote, i = [], None, 0
    while i < len(code):
        c = code[i]
        if quote is None and c == "#":  # a comment runs to the end of its line
            end = code.find("\n", i)
            end = len(code) if end < 0 else end
            out.append(code[i:end])
            i = end
            continue
        if quote is None and code.startswith(('"""', "'''"), i):  # triple-quoted: may span lines
            end = code.find(code[i:i + 3], i + 3)
            end = len(code) if end < 0 else end + 3
            out.append(code[i:end])
            i = end
            continue
        if quote is not None and c == "\\":
            out.append(code[i:i + 2])
            i += 2
            continue
        if c in "\"'" and quote in (None, c):
            quote = c if quote is None else None
        out.append("\\n" if quote is not None and c == "\n" else c)
        i += 1
    fixed = "".join(out)
    return fixed if _parses(fixed) else code


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


# A shell line where Python source belongs: the 1.5B model, asked to run compute.py, sent
# `python compute.py` as execute_python_code's code (a SyntaxError) in every run of run_and_report.
_SCRIPT_CALL = re.compile(r"\s*!?python3?\s+([\w./-]+\.py)\s*")


def script_call(code: str) -> str | None:
    """The .py file a shell line `python FILE.py` runs, when that is all the code is (None otherwise)."""
    match = _SCRIPT_CALL.fullmatch(code)
    return match[1] if match else None


# A whole file's text wrapped in a Markdown fence: told to put a program in a ```python block after its
# reply, the 1.5B model wrote the fence lines inside write_to_file's text, and pricing.py began with ```.
_FENCED = re.compile(r"\s*```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)\n?```\s*", re.DOTALL | re.IGNORECASE)


def unfenced(text: str) -> str | None:
    """The code inside a Markdown fence that wraps the whole text (None when it does not)."""
    match = _FENCED.fullmatch(text)
    return match[1] + "\n" if match and "```" not in match[1] else None


def without_self_import(module: str, code: str) -> str | None:
    """The code of `module` (pricing for pricing.py) without the lines that import names from the module
    itself (None when it has none): the 1.5B model's fixes began `from pricing import apply_discount`
    inside pricing.py, which Python runs as a circular import of a half-made module (an ImportError in
    the test). Only top-level `from <itself> import ...` lines whose names the file defines are dropped:
    they have one reading."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    defined = {node.name for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    lines = [node.lineno for node in tree.body
             if isinstance(node, ast.ImportFrom) and node.module == module and not node.level
             and node.end_lineno == node.lineno and all(a.name in defined and not a.asname for a in node.names)]
    if not lines:
        return None
    return "".join(line for number, line in enumerate(code.splitlines(keepends=True), 1) if number not in lines)


_FRAME = re.compile(r'^  File "([^"]+)", line \d+')
_CARETS = re.compile(r"^\s*[\^~]+\s*$")


def trim_tracebacks(text: str, root: str | os.PathLike) -> str:
    """The text with Python tracebacks cut to the frames of the model's own code (the workspace's files
    and the code it ran), their paths relative to the workspace, and without the caret lines under
    them. A pandas error in the sandbox filled ~1,500 tokens of library frames (~16 s of prompt on 2
    cores) around the one line that says what went wrong, which is kept."""
    root = os.path.realpath(root) + os.sep
    out, skipped, in_library = [], 0, False

    def flush():
        nonlocal skipped
        if skipped:
            out.append(f"  ({skipped} frame{'s' if skipped > 1 else ''} of library code not shown)")
            skipped = 0

    for line in text.splitlines():
        frame = _FRAME.match(line)
        if frame:
            path = frame[1]
            in_library = not (path.startswith("<") or os.path.realpath(path).startswith(root))
            if in_library:
                skipped += 1
                continue
            flush()
            out.append(line.replace(f'"{path}"', f'"{os.path.relpath(os.path.realpath(path), root)}"')
                       if not path.startswith("<") else line)
            continue
        if line.startswith("    ") and (in_library or _CARETS.match(line)):
            continue  # the source line of a library frame, or carets under any frame's source
        in_library = False
        flush()
        out.append(line)
    flush()
    trimmed = "\n".join(out)
    return trimmed + "\n" if text.endswith("\n") else trimmed


PRINTED_NOTHING = "The code printed nothing: print() the values you need to see them."
CODE_COMMANDS = ("execute_python_code", "execute_python_file", "execute_shell")


def mend_code(code: str) -> tuple[str, list[str]]:
    """The code as it runs, and the notes that say what the runtime changed."""
    notes = []
    if (escaped := escape_broken_strings(code)) != code:
        code = escaped
        notes.append("(The runtime wrote line breaks inside string literals as \\n: in JSON, write \\\\n for them.)")
    if added := missing_imports(code):
        code = f"import {', '.join(added)}\n{code}"
        notes.append(f"(The runtime added `import {', '.join(added)}` as a first line: the code used it without importing it.)")
    return code, notes


def code_hint(exit_code: int | None, stdout: str, stderr: str) -> str | None:
    """One sentence on a run's outcome: an error with a common cause, or code that printed nothing
    (the 1.5B model computed a total without printing it, then read the input again)."""
    if exit_code == 0 and not (stdout.strip() or stderr.strip()):
        return PRINTED_NOTHING
    return error_hint(stderr)
