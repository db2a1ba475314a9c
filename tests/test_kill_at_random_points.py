"""kill -9 at 20 random points: 10 scripted runs, each SIGKILLed once while running and once more
while resuming, at a random checkpoint count plus a random delay (so the kill lands anywhere in a
step: inside a node, inside a tool's write, between a node's writes and its checkpoint). Each run
is then resumed to the end and must leave exactly the workspace of an uninterrupted run: nothing
lost, nothing applied twice (the script appends to a file), and a sound checkpoint database."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.processes import (
    THREAD, assert_resumed_to_end, checkpoint_rows, cli, env, files_of, setup_folder, start_run, wait_for_rows,
)

# About 80 s of subprocesses on 2 cores: slow (CI and ./test.sh run it; `-m "not slow"` skips it).
pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"), pytest.mark.slow]

RUNS = 10  # two kills each
SEED = int(os.environ.get("KILL_SEED", random.SystemRandom().randrange(1_000_000)))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The workspace and checkpoint count of an uninterrupted run."""
    folder = tmp_path_factory.mktemp("reference")
    ws = setup_folder(folder)
    proc = start_run(folder, ws)
    out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    return files_of(ws), checkpoint_rows(ws)


def kill_after(proc: subprocess.Popen, ws, rows: int, delay: float) -> None:
    wait_for_rows(proc, ws, rows, timeout=60)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"


def assert_sound(ws) -> None:
    conn = sqlite3.connect(ws / ".autogpt" / "checkpoints.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@pytest.mark.parametrize("run", range(RUNS))
def test_two_random_kills_then_resume_ends_like_an_uninterrupted_run(tmp_path, reference, run):
    expected, total = reference
    rng = random.Random(SEED * 100 + run)
    first = rng.randrange(1, total - 14)
    print(f"KILL_SEED={SEED} run {run}: kill at checkpoint {first} ...", end=" ")
    ws = setup_folder(tmp_path)
    # Delays up to about one step (each think waits 0.15 s), so kills land inside steps too.
    kill_after(start_run(tmp_path, ws), ws, first, rng.uniform(0, 0.15))
    assert_sound(ws)
    now = checkpoint_rows(ws)
    # Not in the last cycle, which could end before a delayed kill lands.
    second = rng.randrange(now + 1, max(now + 2, total - 9))
    print(f"and at checkpoint {second} of the resumed run")
    resumed = subprocess.Popen([*cli(), "resume", "--thread", THREAD, "-w", str(ws)], cwd=tmp_path, env=env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    kill_after(resumed, ws, second, rng.uniform(0, 0.15))
    assert_sound(ws)
    assert_resumed_to_end(tmp_path, ws, expected)
