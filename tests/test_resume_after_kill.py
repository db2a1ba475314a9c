"""Crash safety with real processes: `autogpt run` is SIGKILLed (or Ctrl-C'd) part-way through, then
`autogpt resume` finishes it, and the workspace ends exactly as after an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.helpers import reply, write_script
from tests.processes import (
    THINK, THREAD, assert_resumed_to_end, checkpoint_rows, cli, env, files_of, kill_at, setup_folder, start_run,
    wait_for_rows,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, str]:
    """The workspace after an uninterrupted run of the same script."""
    folder = tmp_path_factory.mktemp("reference")
    ws = setup_folder(folder)
    proc = start_run(folder, ws)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "Task complete: all parts written" in out
    files = files_of(ws)
    assert sorted(files) == [f"part{i}.txt" for i in range(1, 7)]
    assert files["part1.txt"] == "part 1: line 1\nappended after part 6\n"
    return files


@pytest.mark.parametrize("rows", [3, 12, 25])
def test_killed_run_resumes_to_the_same_workspace(tmp_path, expected, rows):
    ws = setup_folder(tmp_path)
    kill_at(tmp_path, ws, rows)
    assert files_of(ws) != expected  # really interrupted part-way
    assert_resumed_to_end(tmp_path, ws, expected)


def test_run_killed_twice_still_ends_the_same(tmp_path, expected):
    ws = setup_folder(tmp_path)
    kill_at(tmp_path, ws, 8)
    first = checkpoint_rows(ws)
    # Kill the resumed session too, a few cycles later.
    proc = subprocess.Popen(
        [*cli(), "resume", "--thread", THREAD, "-w", str(ws)], cwd=tmp_path, env=env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    kill_at(tmp_path, ws, first + 14, proc)
    assert files_of(ws) != expected
    assert_resumed_to_end(tmp_path, ws, expected)


def test_ctrl_c_prints_resume_hint_and_resume_completes(tmp_path, expected):
    ws = setup_folder(tmp_path)
    proc = start_run(tmp_path, ws)
    wait_for_rows(proc, ws, 15)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, out
    assert any("autogpt resume --thread T" in line for line in out.splitlines()), out
    assert "Traceback" not in out
    assert files_of(ws) != expected
    assert_resumed_to_end(tmp_path, ws, expected)


def test_crash_right_after_an_append_does_not_append_twice(tmp_path):
    # Deterministic stand-in for a SIGKILL landing in that window: the process "dies" right after the write.
    from autogpt_graph.graph.context import make_context
    from autogpt_graph.graph.runs.runner import AgentRunner
    from autogpt_graph.graph.settings import Settings
    from tests.helpers import AI_CONFIG, run_to_end

    script = write_script(tmp_path, [
        reply("append_to_file", filename="log.txt", text="once\n"), reply("task_complete", reason="done"),
    ])
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as runner:
        ctx = make_context({"llm": f"script:{script}", "workspace": str(runner.workspace)}, runner.settings)
        tool = ctx.tools.get("append_to_file")
        append = tool.func

        def append_then_die(**kwargs):
            append(**kwargs)
            raise KeyboardInterrupt

        tool.func = append_then_die
        with pytest.raises(KeyboardInterrupt):
            run_to_end(runner, runner.start(
                ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, thread_id=THREAD, context=ctx,
            ))
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as runner:
        run_to_end(runner, runner.resume(THREAD))
        assert runner.status(THREAD).stop_reason == "Task complete: done"
    assert (tmp_path / "ws" / "log.txt").read_text() == "once\n"


class Crash(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


@pytest.mark.parametrize("crash_step", [2, 6])  # after think's writes; after summarise_memory's writes
def test_kill_between_a_nodes_writes_and_the_next_checkpoint(tmp_path, crash_step):
    # Deterministic stand-in for a SIGKILL landing between put_writes and put (seen ~1 in 8 kills under load).
    # LangGraph's snapshot.next leaves out tasks whose writes were saved, so the run must not look finished.
    import sqlite3 as sqlite

    from langgraph.checkpoint.sqlite import SqliteSaver

    from autogpt_graph.graph.runs.checkpointers import default_checkpoint_path
    from autogpt_graph.graph.errors import AgentError
    from autogpt_graph.graph.runs.runner import AgentRunner
    from autogpt_graph.graph.settings import Settings
    from tests.helpers import AI_CONFIG, run_to_end

    class CrashingSaver(SqliteSaver):
        def put(self, config, checkpoint, metadata, new_versions):
            if metadata.get("step") == crash_step:
                raise Crash
            return super().put(config, checkpoint, metadata, new_versions)

    script = write_script(tmp_path, {"think": THINK, "summarise": ["I wrote some files."] * 50})
    ws = tmp_path / "ws"
    db = default_checkpoint_path(ws)
    db.parent.mkdir(parents=True)
    conn = sqlite.connect(str(db), check_same_thread=False)
    try:
        runner = AgentRunner(ws, checkpointer=CrashingSaver(conn), settings=Settings(_env_file=None))
        with pytest.raises(Crash):
            run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, thread_id=THREAD))
    finally:
        conn.close()

    with AgentRunner(ws, settings=Settings(_env_file=None)) as runner:
        status = runner.status(THREAD)
        assert status.stop_reason is None and not status.finished
        try:
            run_to_end(runner, runner.resume(THREAD))
        except AgentError as exc:
            pytest.fail(f"resume refused: {exc}")
        assert runner.status(THREAD).stop_reason == "Task complete: all parts written"
    assert sorted(files_of(ws)) == [f"part{i}.txt" for i in range(1, 7)]


KILL_IN_FSYNC = """
import os, signal, sys
real_fsync = os.fsync
def fsync(fd):
    real_fsync(fd)
    os.kill(os.getpid(), signal.SIGKILL)  # dies inside write_to_file, after the temp file is written
os.fsync = fsync
from autogpt_graph.graph.cli.app import main
sys.argv = ["autogpt", *sys.argv[1:]]
main()
"""


def test_kill_inside_write_to_file_leaves_no_temp_file(tmp_path, expected):
    ws = setup_folder(tmp_path)
    args = ["run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", str(ws), "-c", "--thread", THREAD]
    killed = subprocess.run(
        [sys.executable, "-c", KILL_IN_FSYNC, *args], cwd=tmp_path, env=env(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert not (ws / "part1.txt").exists()  # killed before the rename
    assert_resumed_to_end(tmp_path, ws, expected)
