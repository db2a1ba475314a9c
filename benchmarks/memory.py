"""Vector memory figures: recall latency (p50/p99) at 1k, 10k and 100k stored memories for FAISS and
Redis, ingestion throughput with the local embedder, and prompt tokens per cycle at cycles 10 and 200.

    .venv/bin/python benchmarks/memory.py [--sizes 1000,10000,100000] [--cycles 200] [--skip-redis]

Recall latency is the store's search over a scope (branch + namespace mask included), with vectors
inserted directly (random unit vectors of the local model's size: embedding 100k texts would take an
hour on 2 cores); the query embedding is timed separately, as it is the same for every backend.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt_graph.graph.memory.embeddings import LOCAL_DIMENSION, local_embedder  # noqa: E402
from autogpt_graph.graph.memory.faiss_store import FaissMemory  # noqa: E402
from autogpt_graph.graph.memory.records import Memory, Scope  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def fill(store, size: int, rng) -> None:
    batch = 5000
    for start in range(0, size, batch):
        n = min(batch, size - start)
        vectors = rng.normal(size=(n, LOCAL_DIMENSION)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        memories = [Memory(text=f"memory {start + i}", namespace="bench", source="event", thread="t",
                           branch="b1", seq=start + i, cycle=start + i) for i in range(n)]
        store.add_vectors(vectors, memories)


def time_recalls(store, size: int, rng, queries: int = 200) -> tuple[float, float]:
    # 90% of the rows are visible: the mask path (a branch limit) is exercised, as in real runs.
    scope = Scope(namespaces=("bench",), branches=(("b1", int(size * 0.9)),))
    samples = []
    for _ in range(queries):
        q = rng.normal(size=LOCAL_DIMENSION).astype(np.float32)
        q /= np.linalg.norm(q)
        start = time.perf_counter()
        store.recall_vector(q, scope, k=5)
        samples.append((time.perf_counter() - start) * 1000)
    return percentile(samples, 50), percentile(samples, 99)


def bench_recall(sizes: list[int], skip_redis: bool) -> None:
    print("Recall latency (ms, k=5, search only), by stored memories:")
    embedder = local_embedder()
    for backend in ("faiss", "redis"):
        if backend == "redis" and skip_redis:
            continue
        for size in sizes:
            rng = np.random.default_rng(size)
            if backend == "faiss":
                store = FaissMemory(Path(tempfile.mkdtemp()) / "memory.sqlite", embedder)
            else:
                from autogpt_graph.graph.memory.redis_store import RedisMemory

                store = RedisMemory("redis://127.0.0.1:6379/0", f"autogpt-bench-{uuid.uuid4().hex[:8]}", embedder)
            try:
                t0 = time.perf_counter()
                fill(store, size, rng)
                fill_s = time.perf_counter() - t0
                p50, p99 = time_recalls(store, size, rng)
                reopen = time.perf_counter()
                if backend == "faiss":
                    FaissMemory(store.path, embedder).close()
                reopen_s = time.perf_counter() - reopen
                extra = f", reopen {reopen_s:.2f}s" if backend == "faiss" else ""
                print(f"  {backend:5} {size:>7}: p50 {p50:7.2f}  p99 {p99:7.2f}   (insert {size / fill_s:,.0f} rows/s{extra})")
            finally:
                if backend == "redis":
                    store.drop()
                store.close()
    samples = []
    embedder.embed_query("warm up")
    for i in range(30):
        start = time.perf_counter()
        embedder.embed_query(f"What did I write to file number {i} and why did I need it?")
        samples.append((time.perf_counter() - start) * 1000)
    print(f"  query embedding (local all-MiniLM-L6-v2): p50 {percentile(samples, 50):.1f} ms, p99 {percentile(samples, 99):.1f} ms")


def bench_ingest() -> None:
    from autogpt_graph.graph.memory.ingest import ingest

    folder = Path(tempfile.mkdtemp())
    rng = np.random.default_rng(1)
    words = "agent memory vector recall summary context window token budget graph node checkpoint".split()
    for f in range(10):
        (folder / f"doc{f}.txt").write_text(" ".join(rng.choice(words, size=4000)) + ".")
    store = FaissMemory(Path(tempfile.mkdtemp()) / "memory.sqlite", local_embedder())
    local_embedder().embed(["warm up"])
    start = time.perf_counter()
    report = ingest(store, folder, "bench", chunk_size=500, overlap=50)
    seconds = time.perf_counter() - start
    print(f"Ingestion (local embedder, 500-char chunks): {report.chunks} chunks from {report.files} files in "
          f"{seconds:.1f}s = {report.chunks / seconds:.1f} chunks/s")


def bench_prompt_tokens(cycles: int) -> None:
    from autogpt_graph.graph.context import make_context
    from autogpt_graph.graph.runs.runner import AgentRunner
    from autogpt_graph.graph.settings import Settings
    from autogpt_graph.graph.tokens import count_message_tokens
    from tests.helpers import AI_CONFIG, reply, run_to_end, write_script

    tmp = Path(tempfile.mkdtemp())
    limit, reply_tokens = 4000, 500
    settings = Settings(_env_file=None, smart_token_limit=limit, fast_token_limit=limit, max_reply_tokens=reply_tokens,
                        memory_backend="faiss", memory_embeddings="local")
    think = [reply("write_to_file", f"Step {i}: saving part {i}.", filename=f"part{i % 20}.txt", text=f"item {i} " * 40)
             for i in range(cycles)] + [reply("task_complete", reason="done")]
    script = write_script(tmp, {"think": think, "summarise": [f"I saved parts up to {i}." for i in range(cycles * 2)]})
    with AgentRunner(tmp / "ws", settings=settings, checkpointer="memory") as runner:
        ctx = make_context({"llm": f"script:{script}", "workspace": str(tmp / "ws")}, settings)
        start = time.perf_counter()
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, context=ctx))
        seconds = time.perf_counter() - start
    prompts = [m for purpose, m in ctx.models.smart.chat.seen if purpose == "think"]
    sizes = [count_message_tokens([m.content for m in p]) for p in prompts]
    budget = limit - reply_tokens
    print(f"Prompt tokens per cycle (context {limit}, reply {reply_tokens}, budget {budget}; {len(prompts)} cycles in {seconds:.0f}s):")
    for cycle in (10, cycles):
        print(f"  cycle {cycle:>4}: {sizes[cycle - 1]} tokens")
    print(f"  max over the run: {max(sizes)} tokens ({'within' if max(sizes) <= budget else 'OVER'} the budget)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--skip-redis", action="store_true")
    args = parser.parse_args()
    bench_recall([int(s) for s in args.sizes.split(",")], args.skip_redis)
    bench_ingest()
    bench_prompt_tokens(args.cycles)


if __name__ == "__main__":
    main()
