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

from autogpt_graph.graph.settings import Settings  # noqa: E402
from autogpt_graph.tools.sandbox import Sandbox, bwrap_usable, describe_isolation  # noqa: E402
from autogpt_graph.tools.workspace import Workspace  # noqa: E402


def medians_ms(runners: dict, runs: int) -> dict[str, float]:
    """Median ms per execution of each runner, interleaved run by run so that load from other work on
    the machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    for run in runners.values():
        run()  # warm the page cache
    for _ in range(runs):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


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
            runners = {"bare": lambda argv=argv: subprocess.run(argv, capture_output=True, check=True)}
            for mode in modes:
                box = Sandbox(ws, Settings(_env_file=None, sandbox_isolation=mode))
                runners[mode] = lambda box=box, argv=argv: box.run(argv)
            ms = medians_ms(runners, runs)
            print(f"{label:20s} bare subprocess      {ms['bare']:7.1f} ms")
            for mode in modes:
                extra = ms[mode] - ms["bare"]
                print(f"{label:20s} sandbox {mode:12s} {ms[mode]:7.1f} ms   overhead {extra:+6.1f} ms ({ms[mode] / ms['bare']:.2f}x)")
        if not bwrap_usable():
            print("bubblewrap is not usable here: only the rlimits sandbox was measured.")


if __name__ == "__main__":
    main()
