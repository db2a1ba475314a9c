"""Resume latency and the cost of reading a long run's history, with the scripted model.

1. Resume latency, SQLite and Postgres: a run waits at the human gate; a new process
   `autogpt resume --thread T -c` approves and goes on. Measured from process start to the first
   resumed node's output (execute_tool's "SYSTEM:" line; human_gate, which runs first, prints
   nothing), median of REPEATS. Baseline, measured in turns with it: a process that only imports
   the CLI (python and the libraries' import time, which every command pays); and, in this process,
   the time from opening the checkpointer to the first resumed node (what resuming itself costs).
2. Listing history: `AgentRunner.history` over a 1,000-step thread (SQLite, and Postgres when
   reachable), against one `status` call (a single checkpoint read) as the baseline.

    python benchmarks/resume_latency.py [--repeats 5] [--steps 1000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autogpt_graph.graph.runs.runner import AgentRunner  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402
from tests.helpers import AI_CONFIG, reply, run_to_end, write_script  # noqa: E402
from tests.services import fresh_schema, postgres_unreachable  # noqa: E402

CLI = [sys.executable, "-m", "autogpt_graph.graph.cli.app"]
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))}, "COLUMNS": "500"}
WRITE = reply("write_to_file", filename="hello.txt", text="hello world")


def first_output(args: list[str], marker: str, cwd: Path) -> float:
    """Seconds from process start to the first line of output containing `marker`."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen = None
    for line in proc.stdout:
        if seen is None and marker in line:
            seen = time.perf_counter() - start
    proc.wait()
    if seen is None:
        raise SystemExit(f"no {marker!r} in the output of {' '.join(args)}")
    return seen


def import_only(cwd: Path) -> float:
    # Up to a printed line, like the resume figure: not counting the interpreter's shutdown.
    return first_output([sys.executable, "-c", "import autogpt_graph.graph.cli.app; print('imported', flush=True)"], "imported", cwd)


def paused_run(spec: str | None, work: Path) -> list[str]:
    """A run waiting at the human gate; returns the command that resumes it with approval."""
    script = write_script(work, [WRITE, reply("task_complete", reason="done")], "resume.yaml")
    ws, thread = work / f"ws-{uuid.uuid4().hex[:6]}", f"latency-{uuid.uuid4().hex[:8]}"
    with AgentRunner(ws, checkpointer=spec, settings=Settings(_env_file=None)) as runner:
        list(runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", thread_id=thread))  # waits at the gate
    return [*CLI, "resume", "--thread", thread, "-w", str(ws), "-c"] + (["--checkpointer", spec] if spec else [])


def resume_latencies(backends: list[tuple[str, str | None]], repeats: int, work: Path) -> dict[str, float]:
    """Median seconds per backend, and for the import-only baseline, measured in turns so that a
    change in machine load affects all alike."""
    times: dict[str, list[float]] = {"baseline": [], **{name: [] for name, _ in backends}}
    for _ in range(repeats):
        times["baseline"].append(import_only(work))
        for name, spec in backends:
            times[name].append(first_output(paused_run(spec, work), "SYSTEM:", work))
    return {name: statistics.median(values) for name, values in times.items()}


def in_process(spec: str | None, repeats: int, work: Path) -> float:
    """Median seconds from opening the checkpointer to the first resumed node's update, in this
    process: the part of the latency that is not Python start-up and imports."""
    times = []
    for _ in range(repeats):
        args = paused_run(spec, work)
        thread, ws = args[args.index("--thread") + 1], args[args.index("-w") + 1]
        start = time.perf_counter()
        with AgentRunner(ws, checkpointer=spec, settings=Settings(_env_file=None), create=False) as runner:
            next(iter(runner.resume(thread, "y")))
            times.append(time.perf_counter() - start)
            list(runner.resume(thread) if runner.status(thread).next_nodes else [])
    return statistics.median(times)


def long_thread(spec: str | None, steps: int, work: Path) -> tuple[float, float, int]:
    """(seconds to list the history, seconds for one status read, steps listed)."""
    think = [reply("write_to_file", filename="a.txt", text="a"), reply("read_file", filename="a.txt"),
             reply("list_files", directory="."), reply("append_to_file", filename="log.txt", text="line\n")]
    script = write_script(work, {"repeat": True, "think": think, "summarise": ["I worked on a.txt and log.txt."]}, "long.yaml")
    thread = f"long-{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, smart_token_limit=4000, fast_token_limit=4000)
    with AgentRunner(work / "ws-long", checkpointer=spec, settings=settings) as runner:
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", thread_id=thread,
                                        continuous=True, continuous_limit=steps // 6 + 1))
        listing, status = [], []
        for _ in range(3):
            start = time.perf_counter()
            lines = runner.history(thread)
            listing.append(time.perf_counter() - start)
            start = time.perf_counter()
            runner.status(thread)
            status.append(time.perf_counter() - start)
    return statistics.median(listing), statistics.median(status), len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    opts = parser.parse_args()
    why = postgres_unreachable(opts.postgres)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        pg_url = None if why else stack.enter_context(fresh_schema(opts.postgres, "bench"))
        backends = [("sqlite", None)] + ([("postgres", pg_url)] if pg_url else [])
        work = Path(tmp)
        latencies = resume_latencies(backends, opts.repeats, work)
        base = latencies["baseline"]
        print(f"process start + importing the CLI: {base * 1000:7.0f} ms (baseline)")
        for name, spec in backends:
            latency = latencies[name]
            own = in_process(spec, opts.repeats, work)
            print(f"resume latency, {name:8}: {latency * 1000:7.0f} ms to the first resumed node "
                  f"({latency / base:.2f}x the baseline); in-process, checkpointer opened to first node: "
                  f"{own * 1000:.1f} ms")
        if not pg_url:
            print(f"postgres: not measured ({why})")
        for name, spec in backends:
            listing, status, count = long_thread(spec, opts.steps, work)
            print(f"history of a {count}-step thread, {name:8}: {listing * 1000:7.0f} ms "
                  f"({listing / count * 1000:.2f} ms a step; {listing / status:.0f}x one status read of "
                  f"{status * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
