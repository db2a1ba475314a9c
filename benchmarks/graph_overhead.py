"""Graph overhead and checkpoint size per cycle, early and late in one long run.

A scripted model drives CYCLES continuous cycles with the SQLite checkpointer (durability "sync", as the
CLI runs). Per cycle we report wall time minus the time spent inside commands (the graph's own
overhead: prompt assembly and token counting, the scripted model, reply parsing, checkpoint writes),
and the bytes the cycle added to the checkpoint database (checkpoint rows + pending writes).
The late figures must stay within 1.5x of the early ones: nothing may grow with run length.

    python benchmarks/graph_overhead.py [--cycles 500] [--window 10]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import autogpt_graph.nodes.execute_tool as execute_tool_module  # noqa: E402
from autogpt_graph.graph.runs.checkpointers import default_checkpoint_path  # noqa: E402
from autogpt_graph.graph.runs.runner import AgentRunner  # noqa: E402
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


def run(cycles: int, workdir: Path) -> tuple[dict[int, float], dict[int, float]]:
    script = write_script(workdir, {"repeat": True, "think": THINK, "summarise": [SUMMARY]})
    tool_time: dict[int, float] = defaultdict(float)
    real_run_command = execute_tool_module.run_command

    def timed_run_command(ctx, name, args):
        start = time.perf_counter()
        try:
            return real_run_command(ctx, name, args)
        finally:
            tool_time[current_cycle[0]] += time.perf_counter() - start

    execute_tool_module.run_command = timed_run_command
    current_cycle = [0]
    starts: dict[int, float] = {}
    # A gpt-3.5-class context (4,000 tokens) so the history window fills within the first cycles.
    settings = Settings(smart_token_limit=4000, fast_token_limit=4000, _env_file=None)
    with AgentRunner(workdir / "ws", settings=settings) as runner:
        steps = runner.start(
            ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, continuous_limit=cycles, thread_id="bench"
        )
        for step in steps:
            if step.node == "build_prompt" and "cycle" in step.update:
                current_cycle[0] = step.update["cycle"]
                starts[current_cycle[0]] = time.perf_counter()
        starts[cycles + 1] = time.perf_counter()
        overhead = {
            c: (starts[c + 1] - starts[c] - tool_time[c]) * 1000 for c in range(1, cycles + 1)
        }
        sizes = checkpoint_bytes_per_cycle(runner, "bench")
    execute_tool_module.run_command = real_run_command
    return overhead, sizes


def checkpoint_bytes_per_cycle(runner: AgentRunner, thread: str) -> dict[int, float]:
    """Bytes stored per cycle: every checkpoint row and pending write, attributed to its cycle."""
    cycle_of = {}
    for item in runner.saver.list({"configurable": {"thread_id": thread}}):
        cycle_of[item.config["configurable"]["checkpoint_id"]] = item.checkpoint["channel_values"].get("cycle", 0)
    db = sqlite3.connect(default_checkpoint_path(runner.workspace))
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


def window(values: dict[int, float], end: int, size: int) -> list[float]:
    return [values[c] for c in range(end - size + 1, end + 1) if c in values]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--window", type=int, default=10, help="cycles averaged at each point")
    args = parser.parse_args()
    early = args.window
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        overhead, sizes = run(args.cycles, Path(tmp))
        total = time.perf_counter() - started
    print(f"graph overhead and checkpoint size, {args.cycles} continuous cycles, scripted model, SQLite ({total:.1f} s)")
    rows = []
    for label, end in ((f"cycle {early}", early), (f"cycle {args.cycles}", args.cycles)):
        ms = window(overhead, end, args.window)
        by = window(sizes, end, args.window)
        rows.append((label, statistics.median(ms), statistics.mean(ms), statistics.mean(by), max(by)))
    print(f"{'':>10} {'ms/cycle (median)':>18} {'ms/cycle (mean)':>16} {'bytes/cycle (mean)':>19} {'bytes (max)':>12}")
    for label, med, mean, by_mean, by_max in rows:
        print(f"{label:>10} {med:>18.1f} {mean:>16.1f} {by_mean:>19.0f} {by_max:>12.0f}")
    (_, med0, _, by0, _), (_, med1, _, by1, _) = rows
    # Amortised over 100 cycles: DeltaChannel snapshots every 50 history updates land in some cycles.
    late100 = window(sizes, args.cycles, min(100, args.cycles))
    print(f"late bytes/cycle amortised over the last {len(late100)} cycles: {statistics.mean(late100):.0f}")
    print(f"ratio late/early: overhead {med1 / med0:.2f}x, checkpoint bytes {by1 / by0:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
