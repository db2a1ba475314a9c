"""One process runs a thread at a time.

Two `autogpt resume` of the same thread at once both ran, and every command executed twice. Whoever
streams a thread holds its lock for as long as it streams; a second one is refused in one sentence.
The lock lives where the checkpoints do, and dies with its holder, so a crash never leaves a thread
locked:
- Postgres: a session advisory lock keyed by the thread, on the checkpointer's own connection (any
  process on any machine that shares the database sees it; the server drops it with the session);
- SQLite: an fcntl lock on a small file beside the database (the kernel drops it with the process);
- in memory: a lock in this process.
Callers in this process are kept apart first by a lock in the process, as a Postgres session lock
is re-entrant for its connection, which this process's threads share. The lock is re-entrant for
the thread that holds it, so a caller (the HTTP server, for a whole step) may hold it around code
that takes it again.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from autogpt_graph.graph.errors import AgentError

_in_process: dict[tuple[int, str], threading.Lock] = {}
_in_process_guard = threading.Lock()
_held = threading.local()  # .keys: the (saver, thread) locks this OS thread holds


class ThreadBusy(AgentError):
    """The thread is being run by another process (or another caller in this one)."""


def _busy(thread_id: str, where: str) -> ThreadBusy:
    return ThreadBusy(f"Run '{thread_id}' is being run {where}; wait for it to stop (or stop it), then resume it.")


def lock_key(thread_id: str) -> int:
    """A signed 64-bit key for the thread (Postgres advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha1(f"autogpt-thread:{thread_id}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def holding_thread(saver: BaseCheckpointSaver, thread_id: str) -> Iterator[None]:
    """Hold the thread's lock for the block; ThreadBusy when someone else holds it."""
    key = (id(saver), thread_id)
    held = _held.__dict__.setdefault("keys", set())
    if key in held:  # this thread holds it already, further up its stack
        yield
        return
    with _process_lock(saver, thread_id), _backend_lock(saver, thread_id):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


@contextmanager
def _backend_lock(saver: BaseCheckpointSaver, thread_id: str) -> Iterator[None]:
    if isinstance(saver, SqliteSaver) and (path := _database_file(saver.conn)):
        with _file_lock(path, thread_id):
            yield
    elif type(saver).__name__ == "PostgresSaver":
        with _advisory_lock(saver, thread_id):
            yield
    else:  # in memory: the process lock is the whole story
        yield


def _database_file(conn: sqlite3.Connection) -> Path | None:
    row = conn.execute("PRAGMA database_list").fetchone()  # (seq, name, file); file "" in memory
    return Path(row[2]) if row and row[2] else None


@contextmanager
def _file_lock(database: Path, thread_id: str) -> Iterator[None]:
    # One small file per thread, kept (deleting it would let a late opener lock a stale inode).
    path = database.with_name(f"{database.name}.thread-{lock_key(thread_id) & 0xFFFFFFFFFFFF:012x}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            raise _busy(thread_id, f"by another process ({holder or 'unknown'})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(saver: BaseCheckpointSaver, thread_id: str) -> Iterator[None]:
    key = lock_key(thread_id)
    conn = saver.conn
    with saver.lock:
        got = conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (key,)).fetchone()["ok"]
    if not got:
        raise _busy(thread_id, "by another process or machine on the same database")
    try:
        yield
    finally:
        with saver.lock:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


@contextmanager
def _process_lock(saver: BaseCheckpointSaver, thread_id: str) -> Iterator[None]:
    with _in_process_guard:
        lock = _in_process.setdefault((id(saver), thread_id), threading.Lock())
    if not lock.acquire(blocking=False):
        raise _busy(thread_id, "elsewhere in this process")
    try:
        yield
    finally:
        lock.release()
