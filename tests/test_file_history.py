"""Workspace time travel (graph/file_history, graph/runs/threads.py): replay, fork and checkout see the
files as they were at the step, hash-compared against snapshots taken while the original run went on."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.file_history.recorder import FileHistory
from autogpt_graph.graph.file_history.scanning import scan
from autogpt_graph.graph.runs.runner import FILES_RESTORED, AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import AI_CONFIG, reply, run_to_end, write_script
from tests.processes import THREAD, cli, env, kill_at, resume, setup_folder

CODE = "open('made_by_code.txt', 'w').write(open('b.txt').read().upper())\n"
SCRIPT = {
    "think": [
        reply("write_to_file", filename="a.txt", text="one"),
        reply("append_to_file", filename="a.txt", text=" two"),
        reply("write_to_file", filename="b.txt", text="bee"),
        reply("write_to_file", filename="sub/c.txt", text="sea"),
        reply("delete_file", filename="input.txt"),
        reply("write_to_file", filename="script.py", text=CODE),
        reply("execute_python_file", filename="script.py"),
        reply("append_to_file", filename="b.txt", text=" and more"),
        reply("delete_file", filename="sub/c.txt"),
        reply("write_to_file", filename="a.txt", text="rewritten"),
        reply("task_complete", reason="done"),
        reply("write_to_file", filename="fork.txt", text="a fork's own"),  # only forks get this far
        reply("task_complete", reason="fork done"),
    ]
}


def digest(folder) -> dict[str, str]:
    """path -> sha256 of every file outside .autogpt/."""
    out = {}
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not (base == str(folder) and d == ".autogpt")]
        for name in files:
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return out


@pytest.fixture
def runner(tmp_path):
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as r:
        yield r


@pytest.fixture
def recorded(runner, tmp_path):
    """A finished 11-cycle run, and the files expected at each of its steps (from snapshots taken as
    each step's checkpoint landed)."""
    (runner.workspace / "input.txt").write_text("the user's input")
    path = write_script(tmp_path, SCRIPT)
    snapshots = [digest(runner.workspace)]
    for step in runner.start(ai_config=AI_CONFIG, llm=f"script:{path}", thread_id="T", continuous=True):
        if step.node == "execute_tool":
            snapshots.append(digest(runner.workspace))
    expected, after = [], iter(snapshots)
    current = next(after)
    for line in runner.history("T"):
        expected.append(current)
        if line.node == "execute_tool":  # the next step's checkpoint follows the command
            current = next(after)
    return expected


def test_record_and_restore_round_trip(tmp_path):
    ws, history = tmp_path / "ws", FileHistory(tmp_path / "home")
    (ws / "d").mkdir(parents=True)
    (ws / "a.txt").write_text("a")
    (ws / "d" / "b.bin").write_bytes(os.urandom(5000))
    (ws / "run.sh").write_text("echo hi")
    os.chmod(ws / "run.sh", 0o755)
    os.symlink("a.txt", ws / "link")
    (ws / ".autogpt").mkdir()
    (ws / ".autogpt" / "private").write_text("not recorded")
    first = history.record(ws, None)
    before = digest(ws)
    assert history.record(ws, first) == first  # nothing changed: no new record
    (ws / "a.txt").write_text("changed")
    (ws / "d" / "b.bin").unlink()
    (ws / "d" / "new.txt").write_text("new")
    second = history.record(ws, first)
    assert history.changes_of(second).keys() == {"a.txt", "d/b.bin", "d/new.txt"}
    assert history.changes_of(second)["d/b.bin"] is None
    assert history.restore(ws, first, previous=second).written == ["a.txt", "d/b.bin"]
    assert digest(ws) == before and os.readlink(ws / "link") == "a.txt"
    assert os.stat(ws / "run.sh").st_mode & 0o111 and (ws / ".autogpt" / "private").read_text() == "not recorded"
    history.restore(ws, second, previous=first)
    assert (ws / "d" / "new.txt").read_text() == "new" and not (ws / "d" / "b.bin").exists()


def test_a_step_that_changes_nothing_writes_nothing(tmp_path):
    """Most steps change no file: their record is the last one, and the head file is not rewritten."""
    ws, history = tmp_path / "ws", FileHistory(tmp_path / "home")
    ws.mkdir()
    (ws / "a.txt").write_text("a")
    first = history.record(ws, None)
    heads = list((history.store.root / "heads").iterdir())
    written = [(p, p.stat().st_mtime_ns) for p in heads]
    objects = sorted(p.name for p in history.store.root.rglob("*") if p.is_file())
    assert history.record(ws, first) == first
    assert [(p, p.stat().st_mtime_ns) for p in heads] == written
    assert sorted(p.name for p in history.store.root.rglob("*") if p.is_file()) == objects
    (ws / "a.txt").write_text("b")  # a change is still recorded, and the head follows it
    second = history.record(ws, first)
    assert second != first and history.record(ws, second) == second


def test_restore_never_writes_through_a_symlink(tmp_path):
    ws, outside, history = tmp_path / "ws", tmp_path / "outside", FileHistory(tmp_path / "home")
    (ws / "d").mkdir(parents=True)
    outside.mkdir()
    (ws / "d" / "f.txt").write_text("inside")
    record = history.record(ws, None)
    (ws / "d" / "f.txt").unlink()
    (ws / "d").rmdir()
    os.symlink(outside, ws / "d")  # the folder swapped for a link out of the workspace
    history.restore(ws, record, previous=None)
    assert not (ws / "d").is_symlink() and (ws / "d" / "f.txt").read_text() == "inside"
    assert list(outside.iterdir()) == []


def test_large_files_are_recorded_by_hash_only(tmp_path):
    ws, history = tmp_path / "ws", FileHistory(tmp_path / "home", max_bytes=1000)
    ws.mkdir()
    (ws / "big.bin").write_bytes(b"x" * 5000)
    (ws / "small.txt").write_text("s")
    record = history.record(ws, None)
    assert history.manifest(record)["big.bin"] == {"sha256": hashlib.sha256(b"x" * 5000).hexdigest(), "size": 5000, "kept": False}
    assert history.store.size() < 1000
    (ws / "big.bin").write_bytes(b"y")
    done = history.restore(ws, record, previous=record)
    assert done.missing == ["big.bin"] and "not restored: big.bin" in done.note


def test_scan_reads_only_changed_files(tmp_path):
    ws, history = tmp_path / "ws", FileHistory(tmp_path / "home")
    ws.mkdir()
    for i in range(50):
        (ws / f"f{i}.txt").write_text(str(i))
    first = scan(ws, history.store)
    os.chmod(ws / "f3.txt", 0)  # unreadable, but unchanged: the stamp spares reading it
    again = scan(ws, history.store, first)
    assert again.files == first.files


def test_history_and_diff_show_what_a_step_changed(runner, recorded):
    lines = runner.history("T")
    changed = [(line.step, line.files) for line in lines if line.files]
    assert changed[0] == (4, ("a.txt",)) and changed[1] == (10, ("a.txt",))
    assert ("sub/c.txt",) in [files for _, files in changed]
    code_step = next(line.step for line in lines if line.command.startswith("execute_python_file") and line.node == "execute_tool")
    assert [line.files for line in lines if line.step == code_step] == [("made_by_code.txt",)]
    [change] = runner.diff("T", 10)
    assert (change.path, change.kind, change.size_before, change.size_after) == ("a.txt", "modified", 3, 7)
    assert change.diff[-2:] == ("-one", "+one two")
    assert runner.diff("T", 5) == []  # summarise_memory changes no files


@pytest.mark.parametrize("step", [0, 3, 4, 10, 16, 28, 40, 46, 52, 58, 64])
def test_fork_starts_from_the_files_of_its_step(runner, recorded, step):
    original = digest(runner.workspace)
    new = runner.fork("T", step, new_thread_id=f"F{step}")
    folder = runner.status(new).workspace
    assert folder != str(runner.workspace) and digest(folder) == recorded[step]
    assert digest(runner.workspace) == original  # the original's files are untouched


def test_a_fork_runs_in_its_own_folder(runner, recorded):
    new = runner.fork("T", 64, command='{"name": "write_to_file", "args": {"filename": "fork.txt", "text": "mine"}}')
    run_to_end(runner, runner.resume(new))
    folder = runner.status(new).workspace
    assert open(os.path.join(folder, "fork.txt")).read() == "a fork's own"  # its command, then the script's
    assert not (runner.workspace / "fork.txt").exists()
    # Its history records its own files, on from the origin's record at the fork.
    assert [line.files for line in runner.history(new) if line.files] == [("fork.txt",), ("fork.txt",)]
    second = [line.step for line in runner.history(new) if line.files][1]
    [change] = runner.diff(new, second)
    assert change.diff[-2:] == ("-mine", "+a fork's own")


@pytest.mark.parametrize("step", [4, 22, 40, 64])
def test_replay_restores_the_files_then_reruns(runner, recorded, step):
    final = digest(runner.workspace)
    (runner.workspace / "by_hand.txt").write_text("the user's edit after the run")
    steps = runner.replay("T", step)
    restored = next(steps)
    assert restored.node == FILES_RESTORED and restored.update["note"].startswith("Restored the workspace's files")
    assert digest(runner.workspace) == recorded[step]
    run_to_end(runner, steps)
    assert digest(runner.workspace) == final  # the same commands on the same files: the same end


def test_checkout_writes_a_step_anywhere_and_restores_in_place(runner, recorded, tmp_path):
    runner.checkout("T", 28, tmp_path / "at28")
    assert digest(tmp_path / "at28") == recorded[28]
    with pytest.raises(AgentError, match="is not an empty folder"):
        runner.checkout("T", 28, tmp_path / "at28")
    final = digest(runner.workspace)
    runner.checkout("T", 10)
    assert digest(runner.workspace) == recorded[10]
    runner.checkout("T", runner.history("T")[-1].step)
    assert digest(runner.workspace) == final


def test_file_history_off_keeps_the_shared_workspace(tmp_path):
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None, file_history=False)) as runner:
        path = write_script(tmp_path, SCRIPT)
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{path}", thread_id="T", continuous=True))
        assert runner.history("T")[4].files == ()
        new = runner.fork("T", 10)
        assert runner.status(new).workspace == runner.status("T").workspace
        with pytest.raises(AgentError, match="File history is off"):
            runner.checkout("T", 4, tmp_path / "x")


def test_killed_run_resumed_records_what_is_on_disk(tmp_path):
    """kill -9 part-way, resume to the end: the last record is exactly the files on disk."""
    ws = setup_folder(tmp_path)
    kill_at(tmp_path, ws, 12)
    done = resume(tmp_path, ws)
    assert done.returncode == 0, done.stdout
    with AgentRunner(ws, create=False, settings=Settings(_env_file=None)) as runner:
        record = runner.graph.get_state({"configurable": {"thread_id": THREAD}}).values["files"]
        manifest = FileHistory(ws).manifest(record)
        assert {path: entry["sha256"] for path, entry in manifest.items()} == digest(ws)


def test_cli_diff_and_checkout(runner, recorded, tmp_path):
    runner.close()
    shown = subprocess.run([*cli(), "diff", "--thread", "T", "--step", "10", "-w", str(tmp_path / "ws")],
                           capture_output=True, text=True, env=env(), timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "modified a.txt (3 bytes -> 7 bytes)" in shown.stdout and "+one two" in shown.stdout
    out = subprocess.run([*cli(), "checkout", "--thread", "T", "--step", "16", "--to", str(tmp_path / "out"),
                          "-w", str(tmp_path / "ws")], capture_output=True, text=True, env=env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Restored the workspace's files: 2 written, 0 deleted." in out.stdout
    assert digest(tmp_path / "out") == recorded[16]
