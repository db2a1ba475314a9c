"""What memory stores and what a recall may see (plain data, no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENT = "document"
SHARED_NAMESPACE = "shared"  # where `autogpt ingest` puts documents every agent recalls


@dataclass(frozen=True)
class Memory:
    text: str
    namespace: str
    source: str = "event"  # document | event | note | output
    thread: str = ""
    branch: str = ""
    seq: int = -1  # position on the branch; -1 for documents
    cycle: int = 0
    id: int = 0  # the row's id in its store, set when stored


@dataclass(frozen=True)
class Recalled:
    memory: Memory
    score: float  # cosine similarity, higher is closer


@dataclass(frozen=True)
class Scope:
    """What one recall may see: documents of `namespaces`, and the memories written by this run's
    lineage: on each (branch, written) pair, the rows with seq < written; and only events of cycles
    before `before_cycle` (later ones are still in the prompt's history)."""

    namespaces: tuple[str, ...]
    branches: tuple[tuple[str, int], ...] = ()
    before_cycle: int | None = None
