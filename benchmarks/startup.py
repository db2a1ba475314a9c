"""Start-up time of the `autogpt` command: `autogpt --help` and every `autogpt CMD --help`, as a ratio
to `python -c pass` measured in the same run (the machine's own speed cancels out). Target: each help
under 0.5 s on a quiet 2-core machine, which needs the CLI to import what a command needs only when it
runs (graph/cli/app.py): printing help loaded LangChain and LangGraph and took 2.2-2.5 s.

    python benchmarks/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = ["", "run", "resume", "threads", "history", "replay", "fork", "eval", "ingest", "serve-local"]


def _seconds(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command; the median is shown")
    args = parser.parse_args()
    exe = Path(sys.executable).parent / "autogpt"
    cli = [str(exe)] if exe.is_file() else [sys.executable, "-m", "autogpt_graph.graph.cli"]
    baseline = _seconds([sys.executable, "-c", "pass"], args.repeat)
    print(f"python -c pass: {baseline * 1000:.0f} ms (median of {args.repeat})")
    print(f"{'command':<28}{'ms':>8}{'x python':>10}  under 0.5 s")
    for command in COMMANDS:
        argv = [*cli, *([command] if command else []), "--help"]
        took = _seconds(argv, args.repeat)
        name = f"autogpt {command} --help".replace("  ", " ")
        print(f"{name:<28}{took * 1000:>8.0f}{took / baseline:>10.1f}  {'yes' if took < 0.5 else 'NO'}")


if __name__ == "__main__":
    main()
