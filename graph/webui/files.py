"""The run's files, read-only: the list of a run's workspace, one file's text, and what a step changed.

Every path from the page goes through Workspace.resolve, the same guard the agent's file commands
use: nothing outside the run's folder, nothing in its .autogpt folder, no symlink out.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.tools.workspace import PathRefused, Workspace

# A file larger than this is shown cut, with its size (the page is a viewer, not a download).
SHOWN_BYTES = 256 * 1024
LISTED = 2000


def run_folder(runner: AgentRunner, thread_id: str) -> Path:
    """Where the run's commands work: its workspace, or a fork's own folder."""
    return Path(runner.status(thread_id).workspace or runner.workspace)


def list_files(folder: Path) -> dict:
    if not folder.is_dir():
        return {"folder": str(folder), "files": [], "more": False}
    names = Workspace(folder).file_names(LISTED)
    more = names is None
    if more:  # too many to list them all: the first ones, in the order the disk gives them
        names = sorted(str(p.relative_to(folder).as_posix()) for p, _ in zip(_walk(folder), range(LISTED)))
    files = [{"path": name, "size": (folder / name).stat().st_size} for name in names]
    return {"folder": str(folder), "files": files, "more": more}


def _walk(folder: Path):
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if path.is_file() and not any(part.startswith(".") for part in rel):
            yield path


def read_file(folder: Path, path: str) -> dict:
    """One file's text (cut at SHOWN_BYTES), or a note that it is binary."""
    if not folder.is_dir():
        raise AgentError(f"The run's folder {folder} is gone; there are no files to show.")
    try:
        resolved = Workspace(folder).resolve(path)
    except PathRefused as exc:
        raise AgentError(str(exc)) from None
    if not resolved.is_file():
        raise AgentError(f"There is no file '{path}' in {folder}; pick one from the list.")
    size = resolved.stat().st_size
    with resolved.open("rb") as handle:
        data = handle.read(SHOWN_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"path": path, "size": size, "binary": True, "text": ""}
    return {"path": path, "size": size, "binary": False, "text": text, "cut": size > SHOWN_BYTES}


def step_changes(runner: AgentRunner, thread_id: str, step: int) -> list[dict]:
    return [asdict(change) for change in runner.diff(thread_id, step)]
