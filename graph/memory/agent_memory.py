"""A run's view of vector memory: which backend, which namespace, which branch.

Memory is per agent: the namespace is the agent's name (ai_name), or `--memory-namespace`. A run
recalls the documents of its namespace and of the shared namespace (what `autogpt ingest` writes by
default), plus the memories its own checkpoint lineage wrote (graph/memory/lineage.py). Memories of the
agent's other runs are not recalled: each run continues through its own thread.

The store is opened on first use and the embedding model loaded on the first embed, so runs and
commands that never touch memory stay fast and work without the memory extra: the backends import
faiss, redis and torch only then (numpy, which they import at once, comes with pandas, a core dependency).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from pathlib import Path

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory.base import VectorMemory
from autogpt_graph.graph.memory.embeddings import make_embedder
from autogpt_graph.graph.memory.faiss_store import FaissMemory, default_faiss_path
from autogpt_graph.graph.memory.lineage import MemoryCursor, advanced, cursor_for_write, visible_branches
from autogpt_graph.graph.prompting.events import REPLY, RESULT, command_of, event_text, thoughts_of
from autogpt_graph.graph.memory.records import SHARED_NAMESPACE, Memory, Recalled, Scope
from autogpt_graph.graph.memory.redis_store import RedisMemory
from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.workspace import Workspace

BACKENDS = ("faiss", "redis", "none")


def check_backend(name: str | None) -> str:
    name = (name or "faiss").strip().lower()
    if name not in BACKENDS:
        raise AgentError(f"Unknown memory backend '{name}'; choose one of: {', '.join(BACKENDS)}.")
    return name


# Weak: a store lives while a run (its AgentMemory) holds it. `autogpt serve` opens a workspace per task,
# and a plain dict kept every one's SQLite connection and FAISS index for the life of the process.
_stores: weakref.WeakValueDictionary[tuple, VectorMemory] = weakref.WeakValueDictionary()


def open_store(backend: str, workspace: Path, settings: Settings) -> VectorMemory:
    """One store per process and location (and embedding model), shared by every run using it."""
    backend = check_backend(backend)
    if backend == "none":
        raise AgentError("Vector memory is off (--use-memory none).")
    embedder = make_embedder(settings)
    where = str(default_faiss_path(workspace).resolve()) if backend == "faiss" else settings.redis_url
    key = (backend, where, settings.memory_index if backend == "redis" else "", embedder.name)
    store = _stores.get(key)
    if store is None:
        if backend == "faiss":
            store = FaissMemory(Path(where), embedder)
        else:
            store = RedisMemory(where, settings.memory_index, embedder)
        _stores[key] = store
    return store


def namespace_of(name: str) -> str:
    return " ".join(name.split()) or "AutoGPT"


class AgentMemory:
    def __init__(self, backend: str | None, workspace: Path, settings: Settings):
        self.backend = check_backend(backend or settings.memory_backend)
        self.workspace, self.settings = Path(workspace), settings
        self._store: VectorMemory | None = None

    @property
    def enabled(self) -> bool:
        return self.backend != "none"

    @property
    def store(self) -> VectorMemory:
        if self._store is None:
            self._store = open_store(self.backend, self.workspace, self.settings)
        return self._store

    def may_have_memories(self, state: dict) -> bool:
        """False when nothing can have been stored yet, so short runs never open the store."""
        if not self.enabled:
            return False
        if self.backend == "faiss" and self._store is None and not state.get("memory_cursor"):
            return (self.workspace / Workspace.RESERVED / "memory.sqlite").exists()
        return True

    def namespace(self, state: dict) -> str:
        run = state.get("run") or {}
        return namespace_of(run.get("memory_namespace") or (state.get("ai_config") or {}).get("ai_name", ""))

    def scope(self, state: dict, before_cycle: int | None) -> Scope:
        return Scope(
            namespaces=(self.namespace(state), SHARED_NAMESPACE),
            branches=visible_branches(state.get("memory_cursor")),
            before_cycle=before_cycle,
        )

    def write(self, state: dict, texts: Sequence[tuple[int, str]], *, source: str, thread: str) -> MemoryCursor | None:
        """Store (cycle, text) pairs on the run's branch; returns the cursor for the state."""
        if not self.enabled or not texts:
            return None
        store = self.store
        cursor = state.get("memory_cursor")
        cursor = cursor_for_write(cursor, store.max_seq(cursor["branch"]) if cursor else -1)
        namespace = self.namespace(state)
        memories = [
            Memory(text=text, namespace=namespace, source=source, thread=thread, branch=cursor["branch"],
                   seq=cursor["written"] + i, cycle=cycle)
            for i, (cycle, text) in enumerate(texts)
        ]
        store.add(memories)
        return advanced(cursor, len(memories))

    def recall(self, state: dict, query: str, *, before_cycle: int | None, k: int | None = None) -> list[Recalled]:
        if not query.strip() or not self.may_have_memories(state):
            return []
        return self.store.recall(query, self.scope(state, before_cycle), k or self.settings.memory_recall_k)


def event_memory_text(event: dict) -> str:
    """How a history event is remembered: first person, like the running summary."""
    cycle, kind = event["cycle"], event["kind"]
    if kind == REPLY:
        command = command_of(event)
        if command is None:  # an old reply that never parsed
            return f"Cycle {cycle}: {event_text(event)}"
        thought = thoughts_of(event).get("text", "")
        return (f"Cycle {cycle}: I thought: {thought} I ran {command.get('name')} "
                f"{json.dumps(command.get('args', {}), ensure_ascii=False)}")
    if kind == RESULT:
        return f"Cycle {cycle}, my computer: {event_text(event)}"
    return f"Cycle {cycle}, the human: {event_text(event)}"


def current_thread() -> str:
    """The thread of the graph run this is called from ("" outside one), tagged on memories."""
    from langgraph.config import get_config

    try:
        return str(get_config()["configurable"].get("thread_id") or "")
    except RuntimeError:
        return ""
