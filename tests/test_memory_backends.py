"""One behaviour suite for every vector memory backend (FAISS in SQLite, Redis on 127.0.0.1:6379):
recall by similarity, scopes (namespaces, branches, cycles), persistence across a reopen, embedder
mismatch. Pure-logic tests use a small deterministic embedder; the real local model has its own tests."""

from __future__ import annotations

import gc
import hashlib
import uuid
import weakref

import numpy as np
import pytest

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory.agent_memory import open_store
from autogpt_graph.graph.memory.base import VectorMemory
from autogpt_graph.graph.memory.embeddings import Embedder, local_embedder
from autogpt_graph.graph.memory.faiss_store import FaissMemory
from autogpt_graph.graph.memory.lineage import advanced, cursor_for_write, visible_branches
from autogpt_graph.graph.memory.records import DOCUMENT, Memory, Scope
from autogpt_graph.graph.settings import Settings
from tests.services import require_redis


def bag_of_words(dimension: int = 64, name: str = "test-bag-of-words") -> Embedder:
    """Deterministic: each word hashes to one dimension, so texts sharing words are close."""

    def load():
        def encode(texts):
            out = np.zeros((len(texts), dimension), np.float32)
            for row, text in enumerate(texts):
                for word in text.lower().replace(".", " ").replace(":", " ").split():
                    out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % dimension] += 1
            return out
        return encode

    return Embedder(name, dimension, load)


@pytest.fixture(params=["faiss", "redis"])
def make_store(request, tmp_path):
    """A factory: make_store(embedder) opens (or reopens) the same store, as a restart would."""
    opened: list[VectorMemory] = []
    index = f"autogpt-test-{uuid.uuid4().hex[:8]}"

    def make(embedder=None) -> VectorMemory:
        embedder = embedder or bag_of_words()
        if request.param == "faiss":
            store = FaissMemory(tmp_path / "memory.sqlite", embedder)
        else:
            from autogpt_graph.graph.memory.redis_store import RedisMemory

            store = RedisMemory(require_redis(), index, embedder)
        opened.append(store)
        return store

    yield make
    if request.param == "redis" and opened:
        opened[0].drop()
    for store in opened:
        store.close()


def doc(text, namespace="agent"):
    return Memory(text=text, namespace=namespace, source=DOCUMENT)


def event(text, branch, seq, cycle=1, namespace="agent"):
    return Memory(text=text, namespace=namespace, source="event", thread="t", branch=branch, seq=seq, cycle=cycle)


EVERYTHING = Scope(namespaces=("agent",), branches=(("b1", 100),))


def test_recall_returns_the_closest_memories_first(make_store):
    store = make_store()
    store.add([doc("the vault code is 4711"), doc("apples are red"), doc("the sky is blue today")])
    found = store.recall("what is the vault code", EVERYTHING, k=2)
    assert [r.memory.text for r in found][0] == "the vault code is 4711"
    assert len(found) == 2 and found[0].score >= found[1].score
    assert store.count() == 3


def test_namespaces_are_separate(make_store):
    store = make_store()
    store.add([doc("secret of agent one", "one"), doc("secret of agent two", "two")])
    texts = [r.memory.text for r in store.recall("secret", Scope(namespaces=("one",)), k=5)]
    assert texts == ["secret of agent one"]


def test_branches_and_cycles_limit_what_is_seen(make_store):
    store = make_store()
    store.add([event("fact alpha", "b1", 0, cycle=1), event("fact beta", "b1", 1, cycle=2),
               event("fact gamma", "b2", 0, cycle=3)])
    def seen(scope):
        return sorted(r.memory.text for r in store.recall("fact", scope, k=10))
    assert seen(Scope(("agent",), (("b1", 1),))) == ["fact alpha"]  # seq < written
    assert seen(Scope(("agent",), (("b1", 2),))) == ["fact alpha", "fact beta"]
    assert seen(Scope(("agent",), (("b2", 1), ("b1", 1)))) == ["fact alpha", "fact gamma"]
    assert seen(Scope(("agent",), (("b1", 2),), before_cycle=2)) == ["fact alpha"]
    assert seen(Scope(("agent",), ())) == []
    assert store.max_seq("b1") == 1 and store.max_seq("nope") == -1


def test_memories_survive_a_reopen(make_store):
    make_store().add([doc("the meeting is on Tuesday"), doc("bananas are yellow")])
    reopened = make_store()  # a new connection and index, as after a restart
    assert reopened.count() == 2
    assert reopened.recall("when is the meeting", EVERYTHING, k=1)[0].memory.text == "the meeting is on Tuesday"


def test_two_open_stores_see_each_others_writes(make_store):
    first, second = make_store(), make_store()
    first.add([doc("written by the first process")])
    assert second.recall("first process", EVERYTHING, k=1)[0].memory.text == "written by the first process"
    assert second.get([first.recall("first", EVERYTHING, k=1)[0].memory.id])[0].text == "written by the first process"


def test_clear_forgets_one_namespace(make_store):
    store = make_store()
    store.add([doc("keep me", "a"), doc("forget me", "b")])
    store.clear("b")
    assert store.count() == 1 and store.recall("me", Scope(("a", "b")), k=5)[0].memory.text == "keep me"


def test_replace_swaps_one_writers_rows_and_keeps_the_rest(make_store):
    store, other = make_store(), make_store()
    def chunk(text, writer="ingest:/notes/a.txt", namespace="agent"):
        return Memory(text=text, namespace=namespace, source=DOCUMENT, thread=writer)
    store.add([chunk("old version of a"), chunk("b stays", "ingest:/notes/b.txt"), chunk("a elsewhere", namespace="x")])
    other.count()  # a second process holding the old rows
    store.replace([chunk("new version of a, part one"), chunk("new version of a, part two")])
    for seen_by in (store, other, make_store()):
        texts = sorted(m.text for m in (r.memory for r in seen_by.recall("version a b", Scope(("agent", "x")), k=10)))
        assert texts == ["a elsewhere", "b stays", "new version of a, part one", "new version of a, part two"]


def test_another_embedding_model_is_refused(make_store):
    make_store().add([doc("made with the bag of words")])
    with pytest.raises(AgentError, match="was made with the embedding model 'test-bag-of-words'"):
        make_store(bag_of_words(32, name="other-model"))


def test_top_k_over_many_rows_matches_brute_force(make_store):
    store = make_store(bag_of_words(16))
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.add_vectors(vectors, [event(f"row {i}", "b1", i) for i in range(500)])
    query = vectors[7] + 0.1
    query /= np.linalg.norm(query)
    scope = Scope(("agent",), (("b1", 250),))  # only the first half is visible
    found = store.recall_vector(query, scope, k=5)
    expected = np.argsort(-(vectors[:250] @ query))[:5]
    assert [r.memory.text for r in found] == [f"row {i}" for i in expected]


def test_the_local_model_recalls_by_meaning(make_store):
    store = make_store(local_embedder())
    store.add([doc("The password for the staging server is hunter2."), doc("Cats sleep most of the day."),
               doc("The quarterly report is due on Friday.")])
    found = store.recall("Which credentials open the staging machine?", EVERYTHING, k=1)
    assert found[0].memory.text.startswith("The password for the staging server")


def test_lineage_forks_when_the_store_holds_a_future():
    cursor = cursor_for_write(None, -1)
    assert cursor["written"] == 0 and cursor["parents"] == []
    after = advanced(cursor, 3)
    assert cursor_for_write(after, 2) is after  # nothing past this checkpoint: keep writing
    fork = cursor_for_write(advanced(cursor, 1), 2)  # rows 1 and 2 exist: an abandoned future
    assert fork["branch"] != cursor["branch"] and fork["parents"] == [[cursor["branch"], 1]]
    assert visible_branches(fork) == ((fork["branch"], 0), (cursor["branch"], 1))


def test_a_store_no_run_holds_is_released(tmp_path):
    """Runs in one process share a location's store while they hold it; once none does it is freed
    (with its SQLite connection): `autogpt serve` opens a workspace per task, and a process-wide dict
    kept them all open."""
    settings = Settings(_env_file=None, memory_embeddings="local")
    store = open_store("faiss", tmp_path, settings)
    assert open_store("faiss", tmp_path, settings) is store
    released = weakref.ref(store)
    del store
    gc.collect()
    assert released() is None
