"""Memory branches: forking a run never leaks memories written by the abandoned branch.

The memory store lives outside the checkpoints, so a fork (resuming, replaying or `update_state` from
an earlier checkpoint) finds in it whatever the abandoned future wrote. The state therefore carries a
small cursor, checkpointed with every step:

    {"branch": "b-3f2a...", "written": 42, "parents": [["b-91cc...", 17], ...]}

- every memory a run writes is tagged (branch, seq) with seq = written, written + 1, ...;
- recall sees, on its own branch, the rows with seq < written, and on each parent branch the rows
  with seq < the count at the fork: exactly the memories written by the checkpoints it descends from;
- before writing, if the store already holds a row on this branch with seq >= written, someone wrote
  past this checkpoint (the abandoned branch, or this very step before a crash): the run starts a new
  branch whose parent is the old one up to `written`.

The cursor grows only by one pair per fork, never with run length, so checkpoints stay small.
"""

from __future__ import annotations

import uuid
from typing import TypedDict


class MemoryCursor(TypedDict):
    branch: str
    written: int
    parents: list[list]  # [[branch, written at the fork], ...], nearest first


def new_branch() -> str:
    return f"b-{uuid.uuid4().hex[:16]}"


def visible_branches(cursor: MemoryCursor | None) -> tuple[tuple[str, int], ...]:
    if not cursor:
        return ()
    return ((cursor["branch"], cursor["written"]), *((b, n) for b, n in cursor["parents"]))


def cursor_for_write(cursor: MemoryCursor | None, stored_max_seq: int) -> MemoryCursor:
    """The cursor to write with: the current one, or a new branch when the store already holds
    memories this checkpoint did not write (`stored_max_seq` >= written)."""
    if not cursor:
        return MemoryCursor(branch=new_branch(), written=0, parents=[])
    if stored_max_seq < cursor["written"]:
        return cursor
    parents = [[cursor["branch"], cursor["written"]], *cursor["parents"]]
    # Parent branches that contributed nothing are left out, so the list stays short.
    return MemoryCursor(branch=new_branch(), written=0, parents=[p for p in parents if p[1] > 0])


def advanced(cursor: MemoryCursor, count: int) -> MemoryCursor:
    return MemoryCursor(branch=cursor["branch"], written=cursor["written"] + count, parents=cursor["parents"])
