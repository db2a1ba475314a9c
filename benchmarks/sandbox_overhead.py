"""Start-up overhead of the code sandbox per execution, against a bare subprocess in the same process.

Each execution runs a trivial program (`python -I -c pass`, and `/bin/true`), so the figures are the
price of the sandbox itself: the pids cgroup, rlimits, the scrubbed environment, the output readers
and, where it works, bubblewrap's namespaces and mounts.

    python benchmarks/sandbox_overhead.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.settings import Settings  # noqa: E402
from tools.sandbox import Sandbox, bwrap_usable, describe_isolation  # noqa: E402
from tools.workspace import Workspace  # noqa: E402


def median_ms(run, runs: int) -> float:
    run()  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        modes = ["rlimits"] + (["bubblewrap"] if bwrap_usable() else [])
        print(describe_isolation(Settings(_env_file=None)))
        print(f"median of {runs} runs, ms per execution")
        for label, argv in (("python -I -c pass", [sys.executable, "-I", "-c", "pass"]), ("/bin/true", ["/bin/true"])):
            bare = median_ms(lambda: subprocess.run(argv, capture_output=True, check=True), runs)
            print(f"{label:20s} bare subprocess      {bare:7.1f} ms")
            for mode in modes:
                box = Sandbox(ws, Settings(_env_file=None, sandbox_isolation=mode))
                ms = median_ms(lambda: box.run(argv), runs)
                print(f"{label:20s} sandbox {mode:12s} {ms:7.1f} ms   overhead {ms - bare:+6.1f} ms ({ms / bare:.2f}x)")
        if not bwrap_usable():
            print("bubblewrap is not usable here: only the rlimits sandbox was measured.")


if __name__ == "__main__":
    main()
