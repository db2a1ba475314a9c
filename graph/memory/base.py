"""The vector memory interface shared by the FAISS and Redis backends.

A memory is a piece of text with its embedding and where it came from:
- `document`: ingested text (`autogpt ingest`); belongs to a namespace, visible to every run in it;
- `event` (a history event that left the context window), `note` (the model's memory_add) and
  `output` (chunks of a command output too big for the context): written by one run, on one branch.

Branches keep forks from leaking (see graph/memory/lineage.py): a run's memories carry the branch id
and a sequence number on that branch, and recall only sees the memories its own checkpoint lineage
wrote. Backends store vectors and metadata and answer "the top k among these rows"; the filtering
logic lives here, once, as a numpy mask over the rows' metadata, so both backends behave the same.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory.embeddings import Embedder
from autogpt_graph.graph.memory.records import DOCUMENT, Memory, Recalled, Scope

class _Rows:
    """Metadata of every stored row as numpy columns, for fast masks; row i is vector i."""

    def __init__(self) -> None:
        self.memories: list[Memory] = []
        self.namespace = np.zeros(0, np.int32)
        self.branch = np.zeros(0, np.int32)
        self.seq = np.zeros(0, np.int64)
        self.cycle = np.zeros(0, np.int64)
        self.document = np.zeros(0, bool)
        self._codes: dict[str, int] = {}
        self.by_id: dict[int, int] = {}  # store id -> row

    def code(self, name: str) -> int:
        return self._codes.setdefault(name, len(self._codes))

    def extend(self, memories: Sequence[Memory]) -> None:
        self.by_id.update((m.id, len(self.memories) + i) for i, m in enumerate(memories))
        self.memories.extend(memories)
        self.namespace = np.concatenate([self.namespace, [self.code(m.namespace) for m in memories]]).astype(np.int32)
        self.branch = np.concatenate([self.branch, [self.code(m.branch) for m in memories]]).astype(np.int32)
        self.seq = np.concatenate([self.seq, [m.seq for m in memories]]).astype(np.int64)
        self.cycle = np.concatenate([self.cycle, [m.cycle for m in memories]]).astype(np.int64)
        self.document = np.concatenate([self.document, [m.source == DOCUMENT for m in memories]]).astype(bool)

    def mask(self, scope: Scope) -> np.ndarray:
        spaces = [self._codes[n] for n in scope.namespaces if n in self._codes]
        in_space = np.isin(self.namespace, spaces)
        visible = self.document.copy()
        for branch, written in scope.branches:
            if branch in self._codes:
                visible |= (self.branch == self._codes[branch]) & (self.seq < written)
        if scope.before_cycle is not None:
            visible &= self.document | (self.cycle < scope.before_cycle)
        return in_space & visible

    def max_seq(self, branch: str) -> int:
        if branch not in self._codes:
            return -1
        on_branch = self.seq[self.branch == self._codes[branch]]
        return int(on_branch.max()) if on_branch.size else -1


class VectorMemory(ABC):
    """Embeds texts and stores them; recalls the closest ones inside a Scope.

    Subclasses persist rows (`_load_new` returns rows written since the last call, by this process or
    another, so two processes sharing a store stay in sync) and search vectors (`_search`)."""

    name = "memory"

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self._rows = _Rows()
        self._lock = threading.RLock()
        self._generation_seen: int | None = None

    # --- backend hooks -------------------------------------------------------------------------
    @abstractmethod
    def _append(self, vectors: np.ndarray, memories: Sequence[Memory]) -> None:
        """Persist rows durably (they are picked up again by `_load_new`)."""

    @abstractmethod
    def _load_new(self) -> tuple[np.ndarray, list[Memory]]:
        """Rows persisted since the last call, in storage order."""

    @abstractmethod
    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row indexes) of the k best rows allowed by `mask` (None: all rows)."""

    @abstractmethod
    def _delete_ids(self, ids: Sequence[int]) -> None:
        """Remove rows by store id and bump the generation, in one transaction."""

    @abstractmethod
    def _generation(self) -> int:
        """How many deletions the store has seen: when it moves, every open copy reloads its rows."""

    def close(self) -> None:  # noqa: B027 - optional for backends
        pass

    # --- the API -------------------------------------------------------------------------------
    def sync(self) -> None:
        with self._lock:
            generation = self._generation()
            if generation != self._generation_seen:
                if self._generation_seen is not None:  # rows were deleted, here or by another process
                    self._rows = _Rows()
                    self._reset_index()
                self._generation_seen = generation
            vectors, memories = self._load_new()
            if memories:
                self._index_rows(vectors, memories)
                self._rows.extend(memories)

    def _index_rows(self, vectors: np.ndarray, memories: Sequence[Memory]) -> None:  # noqa: B027
        """Hook for backends keeping an in-memory search structure."""

    def add(self, memories: Sequence[Memory]) -> None:
        if not memories:
            return
        vectors = self.embedder.embed([m.text for m in memories])
        self.add_vectors(vectors, memories)

    def add_vectors(self, vectors: np.ndarray, memories: Sequence[Memory]) -> None:
        """Store precomputed embeddings (they must come from this store's embedder)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[1] != self.embedder.dimension:
            raise AgentError(f"Embeddings of size {vectors.shape[1]} do not fit this memory (size {self.embedder.dimension}).")
        with self._lock:
            self._append(vectors, memories)
            self.sync()

    def count(self, scope: Scope | None = None) -> int:
        self.sync()
        return int(self._rows.mask(scope).sum()) if scope else len(self._rows.memories)

    def max_seq(self, branch: str) -> int:
        """The highest sequence number stored on `branch` (-1: none), for fork detection."""
        self.sync()
        return self._rows.max_seq(branch)

    def recall(self, query: str, scope: Scope, k: int = 5) -> list[Recalled]:
        """The k memories in `scope` closest to `query`; embeds the query only when something is
        visible, so runs that never stored anything never load the embedding model."""
        self.sync()
        mask = self._rows.mask(scope)
        if not mask.any():
            return []
        return self.recall_vector(self.embedder.embed_query(query), scope, k, mask)

    def recall_vector(self, vector: np.ndarray, scope: Scope, k: int = 5, mask: np.ndarray | None = None) -> list[Recalled]:
        with self._lock:
            if mask is None:
                mask = self._rows.mask(scope)
            visible = int(mask.sum())
            if not visible:
                return []
            query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
            scores, rows = self._search(query, min(k, visible), None if visible == len(mask) else mask)
            return [Recalled(self._rows.memories[r], float(s)) for s, r in zip(scores, rows) if r >= 0]

    def get(self, ids: Sequence[int]) -> list[Memory | None]:
        """Memories by store id (None for ids no longer stored)."""
        with self._lock:
            if any(i not in self._rows.by_id for i in ids):
                self.sync()
            return [self._rows.memories[self._rows.by_id[i]] if i in self._rows.by_id else None for i in ids]

    def clear(self, namespace: str) -> None:
        """Forget a namespace (every run's memories and the documents in it)."""
        with self._lock:
            self.sync()
            self._forget([m.id for m in self._rows.memories if m.namespace == namespace])

    def replace(self, memories: Sequence[Memory]) -> None:
        """Store `memories` in place of the rows their writer (namespace and thread) stored before,
        e.g. a file ingested again. New rows land before old ones go, so an interrupted replace leaves
        both versions, never neither."""
        if not memories:
            return
        keys = {(m.namespace, m.thread) for m in memories}
        vectors = self.embedder.embed([m.text for m in memories])
        with self._lock:
            self.sync()
            old = [m.id for m in self._rows.memories if (m.namespace, m.thread) in keys]
            self.add_vectors(vectors, memories)
            self._forget(old)

    def _forget(self, ids: Sequence[int]) -> None:
        if ids:
            self._delete_ids(ids)
            self.sync()

    def _reset_index(self) -> None:  # noqa: B027
        """Hook: drop in-memory search structures and reload everything from storage."""


@dataclass
class StoreInfo:
    """What a store was made with; a store made with another embedding model can't be searched."""

    embedder: str
    dimension: int
    extra: dict = field(default_factory=dict)


def check_embedder(stored: StoreInfo | None, embedder: Embedder, where: str, fix: str) -> None:
    if stored and (stored.embedder != embedder.name or stored.dimension != embedder.dimension):
        raise AgentError(
            f"The memory in {where} was made with the embedding model '{stored.embedder}' and can't be searched "
            f"with '{embedder.name}'; set MEMORY_EMBEDDINGS to match, or {fix}."
        )
