"""Score a workspace against a challenge's ground truth, as agbenchmark does: the challenge passes when
one graded file (eval type file: its content; python: the script's output) contains every
should_contain string and none of the should_not_contain ones.

For python grading the challenge's own test scripts (custom_python/, and any graded script shipped in
artifacts_in/) are copied over the workspace first, so an agent that edited a test does not pass by it.
The scripts run in the same sandbox as the agent's own code (tools/sandbox.py: time, memory and output
limits, no network where bubblewrap works), since what they import was written by the model.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from autogpt_graph.graph.eval.challenge import Challenge, Ground
from autogpt_graph.graph.settings import Settings, get_settings
from autogpt_graph.tools.execute import python_argv
from autogpt_graph.tools.sandbox import Sandbox
from autogpt_graph.tools.workspace import Workspace

SHOWN = 300  # characters of output kept in a failure's reason


@dataclass(frozen=True)
class Grade:
    passed: bool
    reason: str  # why it passed or the first reason it failed


def matching_files(workspace: Path, pattern: str) -> list[Path]:
    """`.txt`: every file ending so at the workspace's top level, as agbenchmark globs (so the agent's
    own bookkeeping in sub-folders, such as saved command outputs, is not graded); else the named file."""
    if pattern.startswith("."):
        return sorted(p for p in workspace.glob(f"*{pattern}") if p.is_file())
    path = workspace / pattern
    return [path] if path.is_file() else []


def restore_tests(challenge: Challenge, workspace: Path) -> list[str]:
    """Put the challenge's test scripts back as shipped; returns their names."""
    restored = []
    if challenge.custom_python.is_dir():
        for src in sorted(p for p in challenge.custom_python.rglob("*") if p.is_file()):
            rel = src.relative_to(challenge.custom_python)
            (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, workspace / rel)
            restored.append(str(rel))
    for name in challenge.ground.files:
        shipped = challenge.artifacts_in / name
        if name.endswith(".py") and shipped.is_file() and name not in restored:
            shutil.copyfile(shipped, workspace / name)
            restored.append(name)
    return restored


def run_script(path: Path, workspace: Path, settings: Settings) -> tuple[bool, str]:
    """(True, its output) when the script exits 0, else (False, why)."""
    outcome = Sandbox(Workspace(workspace), settings).run([*python_argv(), str(path.relative_to(workspace))])
    if outcome.exit_code != 0:
        detail = " ".join(outcome.notes) + " " + (outcome.stderr or outcome.stdout).strip()[-SHOWN:]
        return False, f"{path.name} exited with {outcome.exit_code}: {detail.strip()}"
    return True, outcome.stdout


def check_text(text: str, ground: Ground) -> str | None:
    """None when `text` satisfies the ground truth, else what is wrong."""
    seen = text if ground.case_sensitive else text.lower()
    for wanted in ground.should_contain:
        if (wanted if ground.case_sensitive else wanted.lower()) not in seen:
            return f"missing {wanted!r}"
    for unwanted in ground.should_not_contain:
        if (unwanted if ground.case_sensitive else unwanted.lower()) in seen:
            return f"contains {unwanted!r}"
    return None


def grade(challenge: Challenge, workspace: Path, settings: Settings | None = None) -> Grade:
    ground = challenge.ground
    settings = settings or get_settings()
    if ground.eval_type == "python":
        restore_tests(challenge, workspace)
    problems: list[str] = []
    for pattern in ground.files:
        found = matching_files(workspace, pattern)
        if not found:
            problems.append(f"no file {pattern}")
        for path in found:
            rel = path.relative_to(workspace)
            if ground.eval_type == "python":
                ok, text = run_script(path, workspace, settings)
                if not ok:
                    problems.append(text)
                    continue
            else:
                text = path.read_text("utf-8", errors="replace")
            wrong = check_text(text, ground)
            if wrong is None:
                return Grade(True, f"{rel} is right")
            problems.append(f"{rel}: {wrong}")
    return Grade(False, "; ".join(problems) or "nothing to grade")
