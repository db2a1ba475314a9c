"""execute_python_file, execute_python_code and execute_shell, all run in the sandbox (tools/sandbox.py).

AutoGPT ran Python in a Docker container and the shell unrestricted on the host; here both get the
same sandbox. execute_shell exists only with EXECUTE_LOCAL_COMMANDS=True (otherwise it is absent from
the prompt) and obeys the shell allow/denylist. What the child does is a result for the model (exit
code, output, which limit stopped it), never an exception that stops the run.
"""

from __future__ import annotations

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


def _outcome(outcome) -> tuple[str, dict]:
    """The result for the model, and the process's outcome as data (the tool's artifact: exit code
    and output, for the ok flag and for steering's notes on the result)."""
    return outcome.for_model(), {"exit_code": outcome.exit_code, "stdout": outcome.stdout, "stderr": outcome.stderr}


def build_execute_tools(workspace: Workspace, settings) -> list[BaseTool]:
    sandbox = Sandbox(workspace, settings)

    def execute_python_file(filename: str) -> tuple[str, dict]:
        path = workspace.resolve(filename)
        if path.suffix != ".py":
            raise ValueError(f"{filename!r} is not a Python file; execute_python_file runs .py files only.")
        if not path.is_file():
            raise FileNotFoundError(f"File {filename!r} does not exist; write it with write_to_file first.")
        return _outcome(sandbox.run([*python_argv(), workspace.relative(path)]))

    def execute_python_code(code: str) -> tuple[str, dict]:
        if not code.strip():
            raise ValueError("The code is empty: give the Python source to run as \"code\".")
        # Through stdin, not a file: nothing is left in the workspace, and no argv length limit.
        return _outcome(sandbox.run([*python_argv(), "-"], stdin=code.encode("utf-8", errors="replace")))

    def execute_shell(command_line: str) -> tuple[str, dict]:
        refused = refusal(command_line, settings)
        if refused:
            raise PermissionError(refused)
        return _outcome(sandbox.run(["/bin/sh", "-c", command_line]))

    tools = [
        StructuredTool.from_function(execute_python_file, name="execute_python_file",
                                     description="Execute Python File", args_schema=PythonFileArgs,
                                     response_format="content_and_artifact"),
        StructuredTool.from_function(execute_python_code, name="execute_python_code",
                                     description="Execute Python Code", args_schema=PythonCodeArgs,
                                     response_format="content_and_artifact"),
    ]
    if settings.execute_local_commands:
        tools.append(StructuredTool.from_function(execute_shell, name="execute_shell",
                                                  description="Execute Shell Command, non-interactive commands only",
                                                  args_schema=ShellArgs,
                                                  response_format="content_and_artifact"))
    return tools
