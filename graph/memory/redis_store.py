"""Redis memory, the server backend (AutoGPT's docker default): any process on any machine that
reaches the server shares the agent's memory.

Vector search in Redis needs the RediSearch module, which Debian's redis-server (7.0) does not ship
(`redis-cli MODULE LIST` is empty here). So Redis stores rows and vectors, and the similarity search
runs client-side with numpy over a local copy that each process keeps in sync:

    {index}:next          INCR counter handing out row ids
    {index}:rows          list of row ids in insertion order; a client loads the ones it has not seen
    {index}:row:{id}      hash: namespace, source, thread, branch, seq, cycle, text, vector (float32 bytes)
    {index}:info          hash: embedder, dimension

Each add is one MULTI/EXEC transaction (rows and their ids in the list together). A search is one
LLEN round trip when nothing changed, then an exact cosine scan of the local matrix (numpy BLAS).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory.base import Memory, StoreInfo, VectorMemory, check_embedder
from autogpt_graph.graph.memory.embeddings import NOT_INSTALLED, Embedder

_FIELDS = ("namespace", "source", "thread", "branch", "seq", "cycle", "text", "vector")
_LOAD_BATCH = 2000


class RedisMemory(VectorMemory):
    name = "redis"

    def __init__(self, url: str, index: str, embedder: Embedder):
        super().__init__(embedder)
        try:
            import redis
        except ImportError as exc:
            raise AgentError(NOT_INSTALLED) from exc
        self.url, self.index = url, index
        self._client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        try:
            self._client.ping()
        except redis.RedisError as exc:
            raise AgentError(f"Could not reach Redis at {url} ({exc}); start the server, set REDIS_URL, or use --use-memory faiss.") from exc
        self._check_info()
        self._loaded = 0  # how many ids of {index}:rows are in the local copy
        self._matrix = np.zeros((0, embedder.dimension), np.float32)
        self.sync()

    def _key(self, *parts: str) -> str:
        return ":".join((self.index, *parts))

    def _check_info(self) -> None:
        info = {k.decode(): v.decode() for k, v in self._client.hgetall(self._key("info")).items()}
        if info:
            stored = StoreInfo(info["embedder"], int(info["dimension"]))
            check_embedder(stored, self.embedder, f"Redis index '{self.index}'", "set MEMORY_INDEX to another index")
        else:
            self._client.hsetnx(self._key("info"), "embedder", self.embedder.name)
            self._client.hsetnx(self._key("info"), "dimension", self.embedder.dimension)

    def _append(self, vectors: np.ndarray, memories: Sequence[Memory]) -> None:
        last = self._client.incrby(self._key("next"), len(memories))
        ids = range(last - len(memories) + 1, last + 1)
        with self._client.pipeline(transaction=True) as pipe:
            for row_id, m, v in zip(ids, memories, vectors):
                pipe.hset(self._key("row", str(row_id)), mapping={
                    "namespace": m.namespace, "source": m.source, "thread": m.thread, "branch": m.branch,
                    "seq": m.seq, "cycle": m.cycle, "text": m.text, "vector": v.tobytes(),
                })
            pipe.rpush(self._key("rows"), *ids)
            pipe.execute()

    def _load_new(self) -> tuple[np.ndarray, list[Memory]]:
        total = self._client.llen(self._key("rows"))
        memories: list[Memory] = []
        chunks: list[bytes] = []
        while self._loaded < total:
            ids = self._client.lrange(self._key("rows"), self._loaded, min(total, self._loaded + _LOAD_BATCH) - 1)
            with self._client.pipeline(transaction=False) as pipe:
                for row_id in ids:
                    pipe.hmget(self._key("row", row_id.decode()), _FIELDS)
                rows = pipe.execute()
            for row_id, (ns, source, thread, branch, seq, cycle, text, vector) in zip(ids, rows):
                if vector is None:  # removed by clear() in between
                    continue
                memories.append(Memory(text=text.decode(), namespace=ns.decode(), source=source.decode(),
                                       thread=thread.decode(), branch=branch.decode(), seq=int(seq), cycle=int(cycle),
                                       id=int(row_id)))
                chunks.append(vector)
            self._loaded += len(ids)
        vectors = np.frombuffer(b"".join(chunks), dtype=np.float32).reshape(len(chunks), self.embedder.dimension)
        return vectors, memories

    def _index_rows(self, vectors: np.ndarray, memories: Sequence[Memory]) -> None:
        self._matrix = np.concatenate([self._matrix, vectors]) if len(self._matrix) else vectors.copy()

    def _search(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        scores = self._matrix @ query[0]
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return scores[top], top

    def _delete_ids(self, ids: Sequence[int]) -> None:
        """Remove the rows and rebuild the id list without them. WATCH makes it a compare-and-set:
        a row another process appends meanwhile restarts the rebuild instead of being dropped."""
        import redis

        gone = {str(i) for i in ids}
        with self._client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(self._key("rows"))
                    kept = [i for i in pipe.lrange(self._key("rows"), 0, -1) if i.decode() not in gone]
                    pipe.multi()
                    pipe.delete(self._key("rows"))
                    if kept:
                        pipe.rpush(self._key("rows"), *kept)
                    for row_id in gone:
                        pipe.delete(self._key("row", row_id))
                    pipe.incr(self._key("generation"))
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def _generation(self) -> int:
        return int(self._client.get(self._key("generation")) or 0)

    def _reset_index(self) -> None:
        self._loaded = 0
        self._matrix = np.zeros((0, self.embedder.dimension), np.float32)

    def drop(self) -> None:
        """Delete the whole index from the server (tests and benchmarks)."""
        keys = list(self._client.scan_iter(match=f"{self.index}:*", count=5000))
        for start in range(0, len(keys), 5000):
            self._client.delete(*keys[start:start + 5000])

    def close(self) -> None:
        self._client.close()
