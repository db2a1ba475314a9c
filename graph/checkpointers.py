"""Checkpointers: SQLite in the workspace by default, in-memory for tests.

SQLite commits each checkpoint in one transaction, so a process killed at any moment leaves the
last complete checkpoint and never a half-written one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from graph.errors import AgentError
from tools.workspace import Workspace


def default_checkpoint_path(workspace: Path) -> Path:
    # Inside the workspace's reserved folder, which the agent's file commands cannot touch.
    return Path(workspace) / Workspace.RESERVED / "checkpoints.sqlite"


@contextmanager
def open_checkpointer(spec: str | None, workspace: Path, *, create: bool = True) -> Iterator[BaseCheckpointSaver]:
    """`spec`: None or "sqlite" (the workspace default), "sqlite:PATH", or "memory". With
    create=False a missing SQLite file is an error (resuming must not make an empty workspace)."""
    spec = spec or "sqlite"
    if spec == "memory":
        yield InMemorySaver()
        return
    kind, _, arg = spec.partition(":")
    if kind != "sqlite":
        raise AgentError(f"Unknown checkpointer '{spec}'; use sqlite, sqlite:PATH or memory.")
    path = Path(arg) if arg else default_checkpoint_path(workspace)
    if not create and not path.is_file():
        raise AgentError(f"There is no run in {workspace}: {path} does not exist; check -w and --checkpointer.")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()
