"""execute_python_file, execute_python_code and execute_shell, all run in the sandbox (tools/sandbox.py).

AutoGPT ran Python in a Docker container and the shell unrestricted on the host; here both get the
same sandbox. execute_shell exists only with EXECUTE_LOCAL_COMMANDS=True (otherwise it is absent from
the prompt) and obeys the shell allow/denylist. What the child does is a result for the model (exit
code, output, which limit stopped it), never an exception that stops the run.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.sandbox import Sandbox
from autogpt_graph.tools.shell_policy import refusal
from autogpt_graph.tools.workspace import Workspace


class PythonFileArgs(BaseModel):
    filename: str = Field(description="the .py file to run, relative to the workspace")


class PythonCodeArgs(BaseModel):
    code: str = Field(description="the Python source to run")


class ShellArgs(BaseModel):
    command_line: str = Field(description="the shell command line to run in the workspace")


def python_argv() -> list[str]:
    # -E -s: ignore PYTHON* variables and the user's site folder. Not -I, which would also leave the
    # script's own folder off sys.path, so a test could not import the module next to it.
    # -B: no __pycache__ in the workspace; a .pyc of a file rewritten within the same second at the same
    # size (a one-character fix) would otherwise be taken as current and the old code would run.
    # -u: unbuffered, so output written before a kill is not lost.
    return [sys.executable, "-B", "-E", "-s", "-u"]


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


PRINTED_NOTHING = "The code printed nothing: print() the values you need to see them."


def _for_model(outcome) -> str:
    hint = error_hint(outcome.stderr)
    if outcome.exit_code == 0 and not (outcome.stdout.strip() or outcome.stderr.strip()):
        # The 1.5B model computed a total without printing it, then read the input again.
        hint = PRINTED_NOTHING
    return outcome.for_model() + (f"\n{hint}" if hint else "")


def build_execute_tools(workspace: Workspace, settings) -> list[BaseTool]:
    sandbox = Sandbox(workspace, settings)

    def execute_python_file(filename: str) -> str:
        path = workspace.resolve(filename)
        if path.suffix != ".py":
            raise ValueError(f"{filename!r} is not a Python file; execute_python_file runs .py files only.")
        if not path.is_file():
            raise FileNotFoundError(f"File {filename!r} does not exist; write it with write_to_file first.")
        return _for_model(sandbox.run([*python_argv(), workspace.relative(path)]))

    def execute_python_code(code: str) -> str:
        if not code.strip():
            raise ValueError("The code is empty: give the Python source to run as \"code\".")
        # Two repairs with one sensible reading each, said in the result (as JSON repair mends a reply).
        notes = []
        if (escaped := escape_broken_strings(code)) != code:
            code = escaped
            notes.append("(The runtime wrote line breaks inside string literals as \\n: in JSON, write \\\\n for them.)")
        if added := missing_imports(code):
            code = f"import {', '.join(added)}\n{code}"
            notes.append(f"(The runtime added `import {', '.join(added)}` as a first line: the code used it without importing it.)")
        # Through stdin, not a file: nothing is left in the workspace, and no argv length limit.
        result = _for_model(sandbox.run([*python_argv(), "-"], stdin=code.encode("utf-8", errors="replace")))
        return "\n".join([result, *notes])

    def execute_shell(command_line: str) -> str:
        refused = refusal(command_line, settings)
        if refused:
            raise PermissionError(refused)
        return sandbox.run(["/bin/sh", "-c", command_line]).for_model()

    tools = [
        StructuredTool.from_function(execute_python_file, name="execute_python_file",
                                     description="Execute Python File", args_schema=PythonFileArgs),
        StructuredTool.from_function(execute_python_code, name="execute_python_code",
                                     description="Execute Python Code", args_schema=PythonCodeArgs),
    ]
    if settings.execute_local_commands:
        tools.append(StructuredTool.from_function(execute_shell, name="execute_shell",
                                                  description="Execute Shell Command, non-interactive commands only",
                                                  args_schema=ShellArgs))
    return tools
