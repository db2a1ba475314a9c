"""One process runs a thread at a time (issue 15): two `autogpt resume` of the same thread at once
both ran, and every command executed twice. The second is refused in one sentence, exit 1; a killed
holder leaves nothing locked. On SQLite and on Postgres (real processes, a real server)."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

import pytest

from autogpt_graph.graph.runs.run_lock import ThreadBusy, holding_thread
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import write_script
from tests.processes import SCRIPT, THREAD, _default_sigint, assert_one_error, cli, env, setup_folder, wait_for_rows
from tests.services import postgres_schema


def _slow_folder(folder):
    """The crash scenario's folder, with 1.5 s per model call: the run outlasts a second process's start."""
    ws = setup_folder(folder)
    write_script(folder, {**SCRIPT, "delay": 1.5}, "S.yaml")
    return ws


def _start(folder, ws, *extra) -> subprocess.Popen:
    args = [*cli(), "run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", str(ws), "-c", "--thread", THREAD, *extra]
    return subprocess.Popen(args, cwd=folder, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, preexec_fn=_default_sigint)


def _resume(folder, ws, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([*cli(), "resume", "--thread", THREAD, "-w", str(ws), *extra], cwd=folder, env=env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def test_a_second_resume_on_sqlite_is_refused_and_a_killed_holder_frees_the_thread(tmp_path):
    ws = _slow_folder(tmp_path)
    first = _start(tmp_path, ws)
    try:
        wait_for_rows(first, ws, 5)
        second = _resume(tmp_path, ws)
        assert_one_error(second.returncode, second.stdout + second.stderr, f"Run '{THREAD}' is being run by another process (pid {first.pid}")
    finally:
        _kill(first)
    done = _resume(tmp_path, ws)
    assert done.returncode == 0 and "Task complete" in done.stdout, done.stdout + done.stderr


def _pg_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            return conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def test_a_second_resume_on_postgres_is_refused(tmp_path):
    ws = _slow_folder(tmp_path)
    with postgres_schema() as url:
        first = _start(tmp_path, ws, "--checkpointer", url)
        try:
            deadline = time.monotonic() + 60
            while _pg_rows(url) < 5:
                assert first.poll() is None, first.stdout.read()
                assert time.monotonic() < deadline, "no checkpoints after 60 s"
                time.sleep(0.05)
            second = _resume(tmp_path, ws, "--checkpointer", url)
            assert_one_error(second.returncode, second.stdout + second.stderr,
                             f"Run '{THREAD}' is being run by another process or machine")
        finally:
            _kill(first)
        done = _resume(tmp_path, ws, "--checkpointer", url)
        assert done.returncode == 0 and "Task complete" in done.stdout, done.stdout + done.stderr


def _try_from_another_thread(saver, thread_id: str) -> str:
    """What another OS thread of this process gets when it takes the lock: "" or the error."""
    got: list[str] = []

    def take() -> None:
        try:
            with holding_thread(saver, thread_id):
                got.append("")
        except ThreadBusy as exc:
            got.append(str(exc))

    worker = threading.Thread(target=take)
    worker.start()
    worker.join()
    return got[0]


def test_in_one_process_a_thread_is_streamed_once(tmp_path):
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None)) as runner:
        with holding_thread(runner.saver, "t"):
            assert "elsewhere in this process" in _try_from_another_thread(runner.saver, "t")
            with holding_thread(runner.saver, "t"):  # re-entrant for its holder (the server, for a step)
                pass
            assert "elsewhere in this process" in _try_from_another_thread(runner.saver, "t")
            with holding_thread(runner.saver, "other"):
                pass
        with holding_thread(runner.saver, "t"):  # released
            pass
