"""What recording the workspace's files at every step costs (graph/file_history).

A workspace of FILES files, SIZE bytes in all (default 1,000 files, 100 MB), and a scripted run whose
every cycle writes one 1 KB file (the run's own command: one file changed per step). The same run
goes twice in this process, FILE_HISTORY off then on; we report the median ms per cycle of each, the
ratio, the time of the recording alone per step, the first record (the whole workspace, once) and
the store's growth over the run.

    python benchmarks/file_history.py [--cycles 500] [--files 1000] [--mb 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt_graph.graph.file_history.recorder import FileHistory, store_folder  # noqa: E402
from autogpt_graph.graph.file_history.store import ObjectStore  # noqa: E402
from autogpt_graph.graph.runs.runner import AgentRunner  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402
from tests.helpers import AI_CONFIG, reply, write_script  # noqa: E402


def make_workspace(root: Path, files: int, total: int) -> None:
    size = total // files
    for i in range(files):
        folder = root / f"dir{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{i:04d}.bin").write_bytes(os.urandom(size))


def timed_run(folder: Path, cycles: int, files: int, total: int, history: bool, recorded: list[float]) -> list[float]:
    ws = folder / ("on" if history else "off")
    make_workspace(ws, files, total)
    script = write_script(folder, {"think": [
        reply("write_to_file", filename=f"notes/step{i % 50:02d}.txt", text=f"step {i}: " + "x" * 1000)
        for i in range(cycles)] + [reply("task_complete", reason="done")],
        "summarise": ["I wrote notes to the notes folder."], "repeat": True}, f"script-{ws.name}.yaml")
    settings = Settings(_env_file=None, file_history=history, memory_backend="none")
    marks: list[float] = []
    with AgentRunner(ws, settings=settings) as runner:
        for step in runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True,
                                 continuous_limit=cycles, thread_id="B"):
            if step.node == "build_prompt":
                marks.append(time.perf_counter())
    return [1000 * (b - a) for a, b in zip(marks, marks[1:])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    total = args.mb << 20
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        recorded: list[float] = []
        # The recording alone, timed around FileHistory.record during the "on" run.
        original = FileHistory.record

        def timed(self, root, previous):
            start = time.perf_counter()
            try:
                return original(self, root, previous)
            finally:
                recorded.append(1000 * (time.perf_counter() - start))

        FileHistory.record = timed
        off = timed_run(folder, args.cycles, args.files, total, False, recorded)
        on = timed_run(folder, args.cycles, args.files, total, True, recorded)
        FileHistory.record = original
        store = ObjectStore(store_folder(folder / "on"))
        stored = store.size()
        first = sum(p.stat().st_size for p in (folder / "on").rglob("*.bin"))
    print(f"workspace: {args.files} files, {args.mb} MB; {args.cycles} cycles, one 1 KB file written per cycle")
    print(f"median ms/cycle: history off {statistics.median(off):.1f}, on {statistics.median(on):.1f} "
          f"(ratio {statistics.median(on) / statistics.median(off):.2f})")
    steady = recorded[1:]
    print(f"recording alone: first record {recorded[0]:.0f} ms (the whole workspace, once); then median "
          f"{statistics.median(steady):.1f} ms per step, p90 {sorted(steady)[int(len(steady) * 0.9)]:.1f} ms")
    print(f"store after {args.cycles} steps: {stored / 1e6:.1f} MB, of which the first record's contents "
          f"{first / 1e6:.1f} MB; growth {(stored - first) / 1e3:.0f} KB ({(stored - first) / args.cycles / 1e3:.1f} KB per step)")


if __name__ == "__main__":
    main()
