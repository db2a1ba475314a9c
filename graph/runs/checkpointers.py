"""Checkpointers: SQLite in the workspace by default, Postgres to scale out, in-memory for tests.

SQLite and Postgres commit each checkpoint in one transaction, so a process killed at any moment
leaves the last complete checkpoint and never a half-written one. With Postgres every worker
process (on any machine) sees the same threads, so a run paused in one resumes in another.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.tools.workspace import Workspace

POSTGRES_SCHEMES = ("postgres://", "postgresql://")
# Any 64-bit constant: serialises the schema set-up of workers that start at the same moment.
_SETUP_LOCK = 0x6175746F677074


def default_checkpoint_path(workspace: Path) -> Path:
    # Inside the workspace's reserved folder, which the agent's file commands cannot touch.
    return Path(workspace) / Workspace.RESERVED / "checkpoints.sqlite"


def is_postgres(spec: str | None) -> bool:
    return bool(spec) and spec.startswith(POSTGRES_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


@contextmanager
def open_checkpointer(spec: str | None, workspace: Path, *, create: bool = True) -> Iterator[BaseCheckpointSaver]:
    """`spec`: None or "sqlite" (the workspace default), "sqlite:PATH", "postgres://..." (or
    postgresql://), or "memory". With create=False a missing SQLite file is an error (resuming
    must not make an empty workspace)."""
    spec = spec or "sqlite"
    if spec == "memory":
        yield InMemorySaver()
        return
    if is_postgres(spec):
        with _open_postgres(spec) as saver:
            yield saver
        return
    kind, _, arg = spec.partition(":")
    if kind != "sqlite":
        raise AgentError(f"Unknown checkpointer '{redact(spec)}'; use sqlite, sqlite:PATH, postgres://... or memory.")
    path = Path(arg) if arg else default_checkpoint_path(workspace)
    if not create and not path.is_file():
        raise AgentError(f"There is no run in {workspace}: {path} does not exist; check -w and --checkpointer.")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        saver = SqliteSaver(conn)
        saver.setup()  # WAL mode
        _bound_wal(conn)
        yield saver
    finally:
        conn.close()


# The write-ahead log grows by ~180 KB a cycle (7 checkpoints) until SQLite folds it into the database at
# 1,000 pages (4 MB), and then keeps its size. On a nearly full disk that growth is what fills it again
# after space was freed. Folding every 256 pages (1 MB) and truncating the log to 1 MB bound it, and
# a run that opens the database first folds and empties the log, giving its space back.
WAL_PAGES = 256
WAL_BYTES = 1 << 20


def _bound_wal(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit={WAL_BYTES}")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:  # another process is writing: its own checkpoints will fold the log
        pass


@contextmanager
def _open_postgres(url: str) -> Iterator[BaseCheckpointSaver]:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    try:
        opened = PostgresSaver.from_conn_string(url)
        saver = opened.__enter__()
    except psycopg.Error as exc:
        reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
        raise AgentError(f"Cannot connect to the Postgres checkpointer at {redact(url)}: {reason}") from exc
    try:
        _setup_postgres(saver)
        yield saver
    finally:
        opened.__exit__(None, None, None)


def _setup_postgres(saver) -> None:
    """Create or migrate the tables once, even when several workers start together."""
    import psycopg

    def migrated() -> bool:
        try:
            row = saver.conn.execute("SELECT max(v) AS v FROM checkpoint_migrations").fetchone()
        except psycopg.errors.UndefinedTable:
            return False
        return row is not None and row["v"] == len(saver.MIGRATIONS) - 1

    if migrated():
        return
    # A session lock taken by polling: waiting inside a statement would hold a transaction open,
    # which the migrations' CREATE INDEX CONCURRENTLY waits for (a deadlock). The server releases
    # the lock if this process dies.
    while not saver.conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (_SETUP_LOCK,)).fetchone()["ok"]:
        time.sleep(0.05)
    try:
        if not migrated():
            saver.setup()
    finally:
        saver.conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


def thread_ids(saver: BaseCheckpointSaver) -> list[str]:
    """Every thread the checkpointer holds, the most recently updated first."""
    newest_first = (
        "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY MAX(checkpoint_id) DESC"
    )
    if isinstance(saver, SqliteSaver):
        with saver.lock:
            return [row[0] for row in saver.conn.execute(newest_first)]
    if isinstance(saver, InMemorySaver):
        latest = {t: max(ns.get("", {}), default="") for t, ns in saver.storage.items()}
        return sorted((t for t in latest if latest[t]), key=latest.get, reverse=True)
    if type(saver).__name__ == "PostgresSaver":
        with saver._cursor() as cur:  # the saver's own lock and connection handling
            return [row["thread_id"] for row in cur.execute(newest_first)]
    seen: dict[str, None] = {}
    for item in saver.list(None):  # any other saver: newest checkpoints come first
        seen.setdefault(item.config["configurable"]["thread_id"])
    return list(seen)
