"""Graph overhead and checkpoint size per cycle, early and late in one long run, beside LangGraph's
prebuilt ReAct agent run in the same process and the same conditions.

Ours: a scripted model drives CYCLES continuous cycles with the SQLite checkpointer (durability "sync",
as the CLI runs) and vector memory (FAISS). Per cycle we report wall time minus the time spent inside
commands and inside the embedding model (the graph's own overhead: prompt assembly and token counting,
the scripted model, reply parsing, memory storage and search, checkpoint writes), and the bytes the
cycle added to the checkpoint database (checkpoint rows + pending writes). The embedder is, like the
chat model, a stand-in that answers at once (a hash of the text; `--embedder local` uses the real
all-MiniLM-L6-v2 and reports its time apart).

The baseline: `langgraph.prebuilt.create_react_agent` with one trivial tool and a fake chat model that
asks for that tool every turn, the same number of cycles, its own SqliteSaver on a temporary file,
durability "sync". A cycle is one model step and one tool step there (2 node-steps) and build_prompt ..
summarise_memory here (6, plus a retry of think when the reply is refused).

Early = the WINDOW cycles after the history window first overflows (before that, cycles do less: no
summary, nothing stored in or recalled from memory; shown apart as warm-up); late = the last WINDOW
cycles. Figures are medians over the window; compare ratios within one run (the machine is shared).

    python benchmarks/graph_overhead.py [--cycles 500] [--window 20] [--embedder instant|local] [--memory faiss|none]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autogpt_graph.graph.memory.embeddings as embeddings_module  # noqa: E402
import autogpt_graph.nodes.execute_tool as execute_tool_module  # noqa: E402
from autogpt_graph.graph.runs.checkpointers import default_checkpoint_path, open_checkpointer  # noqa: E402
from autogpt_graph.graph.runs.runner import INTERRUPT, AgentRunner  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402
from tests.helpers import AI_CONFIG, reply, write_script  # noqa: E402

# A realistic mix of cheap commands, each reply ~150 tokens like a real model's.
THINK = [
    reply("write_to_file", "I will save my notes so far.", filename="notes.txt", text="my notes"),
    reply("read_file", "I will check what I wrote.", filename="notes.txt"),
    reply("list_files", "I will look at the workspace.", directory="."),
    reply("append_to_file", "I will add a line to the log.", filename="log.txt", text="one more line"),
]
SUMMARY = "I wrote notes.txt, read it back, listed the workspace and appended lines to log.txt several times."


@dataclass
class Run:
    """Per-cycle figures of one agent's run."""

    overhead: dict[int, float]  # ms of the graph's own work
    cpu: dict[int, float]  # of which process CPU ms (the rest: waiting, mostly for the disk to sync)
    steps: dict[int, int]  # node-steps
    sizes: dict[int, float]  # checkpoint bytes
    excluded: dict[str, float] = field(default_factory=dict)  # ms/cycle left out (commands, embeddings)
    warm_up: int = 0  # the last cycle before the steady state (history window full, memory in use)


def instant_embedder() -> embeddings_module.Embedder:
    """A stand-in for the embedding model, as the scripted model is for the chat model: a unit vector
    derived from the text's hash (the same text always gets the same vector), in microseconds."""

    def encode(texts: list[str]) -> np.ndarray:
        seeds = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts]
        return np.stack([np.random.default_rng(s).standard_normal(embeddings_module.LOCAL_DIMENSION) for s in seeds])

    return embeddings_module.Embedder("benchmark-instant", embeddings_module.LOCAL_DIMENSION, lambda: encode)


class Timed:
    """Wall and process CPU time spent inside a patched function, added to the current cycle's account."""

    def __init__(self, owner: Any, name: str, cycle: list[int]):
        self.owner, self.name, self.cycle = owner, name, cycle
        self.ms: dict[int, float] = defaultdict(float)
        self.cpu: dict[int, float] = defaultdict(float)
        self.real = getattr(owner, name)

        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return self.real(*args, **kwargs)
            finally:
                self.ms[self.cycle[0]] += (time.perf_counter() - start) * 1000
                self.cpu[self.cycle[0]] += (time.process_time() - cpu) * 1000

        setattr(owner, name, timed)

    def restore(self) -> None:
        setattr(self.owner, self.name, self.real)


def run_ours(cycles: int, workdir: Path, embedder: str, memory: str) -> Run:
    script = write_script(workdir, {"repeat": True, "think": THINK, "summarise": [SUMMARY]})
    current = [0]
    commands = Timed(execute_tool_module, "run_command", current)
    embeds = Timed(embeddings_module.Embedder, "embed", current)
    real_make_embedder = embeddings_module.make_embedder
    if embedder == "instant":
        fake = instant_embedder()
        embeddings_module.make_embedder = lambda settings: fake
    starts: dict[int, float] = {}
    cpu_starts: dict[int, float] = {}
    steps: dict[int, int] = defaultdict(int)
    warm_up = 0
    # A gpt-3.5-class context (4,000 tokens) so the history window fills within the first cycles.
    settings = Settings(smart_token_limit=4000, fast_token_limit=4000, _env_file=None)
    try:
        with AgentRunner(workdir / "ws", settings=settings) as runner:
            stream = runner.start(
                ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, continuous_limit=cycles,
                thread_id="bench", memory=memory,
            )
            for step in stream:
                if step.node == "build_prompt" and "cycle" in step.update:
                    current[0] = step.update["cycle"]
                    starts[current[0]], cpu_starts[current[0]] = time.perf_counter(), time.process_time()
                if step.node != INTERRUPT:
                    steps[current[0]] += 1
                if step.node == "summarise_memory" and "summary" in step.update and not warm_up:
                    warm_up = current[0]
            starts[cycles + 1], cpu_starts[cycles + 1] = time.perf_counter(), time.process_time()
            overhead = {
                c: (starts[c + 1] - starts[c]) * 1000 - commands.ms[c] - embeds.ms[c] for c in range(1, cycles + 1)
            }
            cpu = {
                c: (cpu_starts[c + 1] - cpu_starts[c]) * 1000 - commands.cpu[c] - embeds.cpu[c]
                for c in range(1, cycles + 1)
            }
            sizes = checkpoint_bytes_per_cycle(runner, "bench")
    finally:
        commands.restore()
        embeds.restore()
        embeddings_module.make_embedder = real_make_embedder
    late = range(max(warm_up + 1, 1), cycles + 1)
    excluded = {
        "commands": statistics.median(commands.ms[c] for c in late),
        f"embeddings ({embedder})": statistics.median(embeds.ms[c] for c in late),
    }
    return Run(overhead, cpu, dict(steps), sizes, excluded, warm_up)


def checkpoint_bytes_per_cycle(runner: AgentRunner, thread: str) -> dict[int, float]:
    """Bytes stored per cycle: every checkpoint row and pending write, attributed to its cycle."""
    cycle_of = {}
    for item in runner.saver.list({"configurable": {"thread_id": thread}}):
        cycle_of[item.config["configurable"]["checkpoint_id"]] = item.checkpoint["channel_values"].get("cycle", 0)
    return _bytes_by(default_checkpoint_path(runner.workspace), thread, cycle_of)


def _bytes_by(db_path: Path, thread: str, cycle_of: dict[str, int]) -> dict[int, float]:
    db = sqlite3.connect(db_path)
    sizes: dict[int, float] = defaultdict(float)
    for cid, size in db.execute(
        "SELECT checkpoint_id, length(checkpoint) + length(metadata) FROM checkpoints WHERE thread_id = ?", (thread,)
    ):
        sizes[cycle_of.get(cid, 0)] += size
    for cid, size in db.execute(
        "SELECT checkpoint_id, sum(length(value)) FROM writes WHERE thread_id = ? GROUP BY checkpoint_id", (thread,)
    ):
        sizes[cycle_of.get(cid, 0)] += size
    db.close()
    return sizes


def run_prebuilt(cycles: int, workdir: Path) -> Run:
    """LangGraph's prebuilt ReAct agent: the model asks for the `tick` tool every turn, CYCLES times,
    then answers; each of its steps is checkpointed like ours."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult
    from langchain_core.tools import tool
    from pydantic import PrivateAttr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent is deprecated in favour of langchain.agents
        from langgraph.prebuilt import create_react_agent

    @tool
    def tick(n: int) -> str:
        """Count one step."""
        return f"tick {n}"

    class ToolCallingFake(BaseChatModel):
        """Answers at once: a call of `tick` for each of the first `cycles` turns, then a final answer."""

        cycles: int
        _turns: int = PrivateAttr(default=0)

        @property
        def _llm_type(self) -> str:
            return "fake-tool-calling"

        def bind_tools(self, tools, **kwargs):
            return self

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            self._turns += 1
            if self._turns > self.cycles:
                message = AIMessage("done")
            else:
                message = AIMessage("", tool_calls=[{"name": "tick", "args": {"n": self._turns}, "id": f"call-{self._turns}"}])
            return ChatResult(generations=[ChatGeneration(message=message)])

    path = workdir / "prebuilt.sqlite"
    config = {"configurable": {"thread_id": "prebuilt"}, "recursion_limit": 10 * cycles + 10}
    starts: dict[int, float] = {}
    cpu_starts: dict[int, float] = {}
    steps: dict[int, int] = defaultdict(int)
    cycle = 0
    with open_checkpointer(f"sqlite:{path}", workdir) as saver:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agent = create_react_agent(ToolCallingFake(cycles=cycles), [tick], checkpointer=saver)
        payload = {"messages": [("user", "Tick until told to stop.")]}
        for chunk in agent.stream(payload, config, stream_mode="updates", durability="sync"):
            for node in chunk:
                if node == "agent":
                    cycle += 1
                    starts[cycle], cpu_starts[cycle] = time.perf_counter(), time.process_time()
                steps[cycle] += 1
        step_of = {cid: json.loads(meta).get("step", 0) for cid, meta in saver.conn.execute(
            "SELECT checkpoint_id, metadata FROM checkpoints WHERE thread_id = 'prebuilt'")}
    overhead = {c: (starts[c + 1] - starts[c]) * 1000 for c in range(1, cycles + 1)}
    cpu = {c: (cpu_starts[c + 1] - cpu_starts[c]) * 1000 for c in range(1, cycles + 1)}
    # Step 2c-1 is the model's turn of cycle c, step 2c its tool call.
    sizes = _bytes_by(path, "prebuilt", {cid: (step + 1) // 2 for cid, step in step_of.items()})
    # Its database grows to ~100 MB in 300 cycles (every checkpoint holds all messages): deleted now,
    # its pages are never written back, which would slow the disk syncs of the run that follows.
    for file in workdir.glob("prebuilt.sqlite*"):
        file.unlink()
    return Run(overhead, cpu, dict(steps), sizes)


def window(values: dict[int, float], first: int, size: int) -> list[float]:
    return [values[c] for c in range(first, first + size) if c in values]


@dataclass
class Figures:
    ms: tuple[float, float]  # ms/cycle, early and late
    cpu: tuple[float, float]  # CPU ms/cycle
    per_step: tuple[float, float]  # ms/node-step
    steps: float  # node-steps per cycle (late)
    bytes: tuple[float, float]  # checkpoint bytes/cycle


def figures(run: Run, early: int, late: int, size: int) -> Figures:
    def median_ms(first, values=run.overhead):
        return statistics.median(window(values, first, size))

    def per_step(first):
        return statistics.median(run.overhead[c] / max(run.steps.get(c, 1), 1) for c in range(first, first + size))

    def mean_bytes(first):
        return statistics.mean(window(run.sizes, first, size) or [0])

    steps = statistics.mean(run.steps.get(c, 0) for c in range(late, late + size))
    return Figures((median_ms(early), median_ms(late)), (median_ms(early, run.cpu), median_ms(late, run.cpu)),
                   (per_step(early), per_step(late)), steps,
                   (mean_bytes(early), mean_bytes(late)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--window", type=int, default=20, help="cycles in each median (default 20)")
    parser.add_argument("--embedder", choices=("instant", "local"), default="instant",
                        help="instant: a hash stand-in (default); local: all-MiniLM-L6-v2, its time reported apart")
    parser.add_argument("--memory", choices=("faiss", "none"), default="faiss", help="our vector memory backend")
    args = parser.parse_args()
    size = args.window
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        os.sync()  # each run starts with nothing left to write back, so neither waits on the other's data
        theirs = run_prebuilt(args.cycles, Path(tmp))
        os.sync()
        ours = run_ours(args.cycles, Path(tmp), args.embedder, args.memory)
        total = time.perf_counter() - started
    early = ours.warm_up + 1
    late = args.cycles - size + 1
    if late < early + size:
        sys.exit(f"--cycles {args.cycles} is too short: the steady state starts at cycle {early}; use more cycles.")
    a, b = figures(ours, early, late, size), figures(theirs, early, late, size)
    print(f"graph overhead per cycle: {args.cycles} cycles, instant scripted models, SQLite checkpoints "
          f"(durability sync), memory {args.memory}, embedder {args.embedder} ({total:.0f} s)")
    print(f"early = cycles {early}-{early + size - 1} (the history window first overflowed at cycle {ours.warm_up}), "
          f"late = cycles {late}-{args.cycles}; medians; cpu = process CPU (the rest is waiting, mostly on disk syncs)")
    pairs = ("ms/cycle", "cpu ms/cycle", "ms/node-step", "ckpt bytes/cycle")
    print(f"{'':15}" + "".join(f"{name:>17}" for name in pairs[:2]) + f"{'late/':>7}{'node-':>7}"
          + "".join(f"{name:>15}" for name in pairs[2:3]) + f"{pairs[3]:>19}")
    print(f"{'':15}" + f"{'early':>9}{'late':>8}" * 2 + f"{'early':>7}{'steps':>7}" + f"{'early':>8}{'late':>7}"
          + f"{'early':>10}{'late':>9}")
    for label, f in (("autogpt-graph", a), ("prebuilt ReAct", b)):
        print(f"{label:15}{f.ms[0]:9.1f}{f.ms[1]:8.1f}{f.cpu[0]:9.1f}{f.cpu[1]:8.1f}{f.ms[1] / f.ms[0]:6.2f}x"
              f"{f.steps:7.1f}{f.per_step[0]:8.2f}{f.per_step[1]:7.2f}{f.bytes[0]:10.0f}{f.bytes[1]:9.0f}")

    def ratio(x: float, y: float, width: int) -> str:
        return f"{x / y:{width - 1}.2f}x"

    print(f"{'ours/prebuilt':15}{ratio(a.ms[0], b.ms[0], 9)}{ratio(a.ms[1], b.ms[1], 8)}"
          f"{ratio(a.cpu[0], b.cpu[0], 9)}{ratio(a.cpu[1], b.cpu[1], 8)}{'':7}{ratio(a.steps, b.steps, 7)}"
          f"{ratio(a.per_step[0], b.per_step[0], 8)}{ratio(a.per_step[1], b.per_step[1], 7)}"
          f"{ratio(a.bytes[0], b.bytes[0], 10)}{ratio(a.bytes[1], b.bytes[1], 9)}")
    warm = window(ours.overhead, 1, min(size, max(ours.warm_up, 1)))
    print(f"warm-up (ours, cycles 1-{len(warm)}): {statistics.median(warm):.1f} ms/cycle; left out of ours (ms/cycle): "
          + ", ".join(f"{k} {v:.1f}" for k, v in ours.excluded.items()))
    # Amortised over 100 cycles: DeltaChannel snapshots every 50 history updates land in some cycles.
    late100 = window(ours.sizes, args.cycles - min(100, args.cycles) + 1, min(100, args.cycles))
    print(f"ours: late checkpoint bytes/cycle amortised over the last {len(late100)} cycles: {statistics.mean(late100):.0f}")


if __name__ == "__main__":
    main()
