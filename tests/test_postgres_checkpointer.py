"""The Postgres checkpointer against the real server on 127.0.0.1:5432: runs, time travel, and
threads paused or killed in one process and resumed in another (the scale-out path)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from autogpt_graph.graph.runs.checkpointers import open_checkpointer, thread_ids
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import AI_CONFIG, WRITE_AND_FINISH, run_to_end, write_script
from tests.services import postgres_schema
from tests.processes import AI_SETTINGS, SCRIPT, cli, env, files_of


@pytest.fixture
def pg_url():
    with postgres_schema() as url:
        yield url


def autogpt(folder: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([*cli(), *args], cwd=folder, env=env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def test_a_run_with_time_travel_on_postgres(tmp_path, pg_url):
    script = write_script(tmp_path, WRITE_AND_FINISH)
    with AgentRunner(tmp_path / "ws", checkpointer=pg_url, settings=Settings(_env_file=None)) as runner:
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, thread_id="T"))
        assert runner.status("T").stop_reason == "Task complete: hello.txt is written"
        lines = runner.history("T")
        assert [line.step for line in lines] == list(range(12)) and lines[4].result == "File written to successfully."
        new = runner.fork("T", 3, command='{"name": "write_to_file", "args": {"filename": "b.txt", "text": "pg"}}')
        run_to_end(runner, runner.resume(new))
        run_to_end(runner, runner.replay("T", 6))
        assert [t.thread_id for t in runner.threads()] == ["T", new]
        assert [str(line) for line in runner.history("T")] == [str(line) for line in lines]
        assert (Path(runner.status(new).workspace) / "b.txt").read_text() == "pg"  # in the fork's own folder
    assert not (tmp_path / "ws" / "b.txt").exists()


def test_paused_in_one_process_resumes_in_another(tmp_path, pg_url):
    (tmp_path / "ai.yaml").write_text(yaml.safe_dump(AI_CONFIG), "utf-8")
    write_script(tmp_path, WRITE_AND_FINISH, "S.yaml")
    first = autogpt(tmp_path, "run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", "ws", "--thread", "T",
                    "--checkpointer", pg_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "The run is paused" in first.stdout
    assert not (tmp_path / "ws" / "hello.txt").exists()
    listed = autogpt(tmp_path, "threads", "-w", "ws", "--checkpointer", pg_url)
    assert "waiting for approval" in listed.stdout, listed.stdout + listed.stderr
    # Another process (as another worker would): approve and go on without asking.
    second = autogpt(tmp_path, "resume", "--thread", "T", "-w", "ws", "-c", "--checkpointer", pg_url)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Task complete: hello.txt is written" in second.stdout
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"
    history = autogpt(tmp_path, "history", "--thread", "T", "-w", "ws", "--checkpointer", pg_url)
    assert "File written to successfully." in history.stdout


def test_killed_worker_resumes_elsewhere_with_the_same_workspace(tmp_path, pg_url):
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    for folder in (reference, killed):
        folder.mkdir()
        (folder / "ai.yaml").write_text(yaml.safe_dump(AI_SETTINGS, sort_keys=False), "utf-8")
        write_script(folder, SCRIPT, "S.yaml")
    run = ["run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", "ws", "-c", "--checkpointer", pg_url]
    done = autogpt(reference, *run, "--thread", "R")
    assert done.returncode == 0, done.stdout + done.stderr
    proc = subprocess.Popen([*cli(), *run, "--thread", "K"], cwd=killed, env=env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (killed / "ws" / "part3.txt").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert files_of(killed / "ws") != files_of(reference / "ws")
    resumed = autogpt(killed, "resume", "--thread", "K", "-w", "ws", "--checkpointer", pg_url)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Task complete: all parts written" in resumed.stdout
    assert files_of(killed / "ws") == files_of(reference / "ws")


def test_the_checkpointer_setting_selects_postgres(tmp_path, pg_url, monkeypatch):
    script = write_script(tmp_path, WRITE_AND_FINISH)
    monkeypatch.setenv("CHECKPOINTER", pg_url)
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as runner:
        assert type(runner.saver).__name__ == "PostgresSaver"
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, thread_id="S"))
    assert not (tmp_path / "ws" / ".autogpt" / "checkpoints.sqlite").exists()
    with open_checkpointer(pg_url, tmp_path) as saver:
        assert thread_ids(saver) == ["S"]


def test_concurrent_workers_share_one_database(tmp_path, pg_url):
    write_script(tmp_path, WRITE_AND_FINISH, "S.yaml")
    (tmp_path / "ai.yaml").write_text(yaml.safe_dump(AI_CONFIG), "utf-8")
    procs = [
        subprocess.Popen([*cli(), "run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", f"ws{i}", "-c",
                          "--thread", f"W{i}", "--checkpointer", pg_url], cwd=tmp_path, env=env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(3)
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=90)
        assert proc.returncode == 0, out
    with open_checkpointer(pg_url, tmp_path) as saver:
        assert sorted(thread_ids(saver)) == ["W0", "W1", "W2"]


def test_unreachable_server_is_one_sentence():
    with pytest.raises(AgentError, match=r"Cannot connect to the Postgres checkpointer at postgresql://me:\*\*\*@127\.0\.0\.1:1/x"):
        with open_checkpointer("postgresql://me:secret@127.0.0.1:1/x", Path(".")):
            pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX")
def test_cli_error_for_unreachable_server(tmp_path):
    done = autogpt(tmp_path, "threads", "--checkpointer", "postgres://nobody@127.0.0.1:1/none")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "Error: Cannot connect to the Postgres checkpointer at postgres://nobody@127.0.0.1:1/none" in done.stdout
