"""What the model's own code can leave in the workspace, met by the file commands (issue 15): a FIFO,
a 2 GB file, a tree thousands deep, a hard link to a file outside, a name too long for the file system.
Each used to hang, exhaust memory, raise out of the run or change a file outside the workspace."""

from __future__ import annotations

import os
import threading
import time

import pytest

from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools import files
from autogpt_graph.tools.files import MAX_READ_BYTES
from tests.helpers import reply, run_script


def _within(seconds: float, call):
    """call()'s result or exception, failing the test if it has not returned in `seconds`."""
    out: dict = {}

    def work():
        try:
            out["value"] = call()
        except Exception as exc:  # noqa: BLE001
            out["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return out


@pytest.mark.parametrize(("command", "args"), [
    ("read_file", {}), ("append_to_file", {"text": "x"}), ("write_to_file", {"text": "x"}),
])
def test_a_fifo_is_refused_at_once(ws, file_tools, command, args):
    os.mkfifo(ws.root / "pipe")
    out = _within(5, lambda: file_tools[command].invoke({"filename": "pipe", **args}))
    assert "not a regular file" in str(out["error"]) and "FIFO" in str(out["error"])
    assert (ws.root / "pipe").is_fifo()  # refused, not replaced


def test_list_files_skips_special_files(ws, file_tools):
    os.mkfifo(ws.root / "pipe")
    (ws.root / "a.txt").write_text("a")
    assert _within(5, lambda: file_tools["list_files"].invoke({"directory": "."}))["value"] == "a.txt"


def test_a_2gb_file_is_read_in_part_and_compared_by_size(ws, file_tools):
    big = ws.root / "big.bin"
    with open(big, "wb") as f:  # sparse: 2 GB that costs no disk
        f.truncate(2 << 30)
    start = time.perf_counter()
    text = file_tools["read_file"].invoke({"filename": "big.bin"})
    assert len(text) < MAX_READ_BYTES + 300
    assert text.endswith(f"[read_file shows the first {MAX_READ_BYTES:,} bytes of {2 << 30:,}; the rest of 'big.bin' was not read.]")
    assert file_tools["write_to_file"].invoke({"filename": "big.bin", "text": "small"}) == "File written to successfully."
    assert big.stat().st_size == 5
    assert time.perf_counter() - start < 10  # was ~5 minutes and 4.2 GB resident


@pytest.fixture
def deep_tree(ws):
    """A chain of 3000 folders "d/d/d/...", made and removed through directory descriptors: the full
    path is far longer than PATH_MAX, and shutil.rmtree (pytest's clean-up) recurses too deep for it."""
    fds = [os.open(ws.root, os.O_RDONLY)]
    for _ in range(3000):
        os.mkdir("d", dir_fd=fds[-1])
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    yield
    os.close(fds.pop())
    while fds:
        parent = fds.pop()
        os.rmdir("d", dir_fd=parent)
        os.close(parent)


def test_a_tree_thousands_deep_lists_without_recursion_error(ws, file_tools, deep_tree):
    (ws.root / "top.txt").write_text("t")
    listing = _within(30, lambda: file_tools["list_files"].invoke({"directory": "."}))["value"]
    assert listing.splitlines()[0] == "top.txt"
    assert f"folders more than {files.MAX_DEPTH} levels down are not listed" in listing
    assert "Recursion" not in listing


def test_append_never_changes_a_hard_linked_file_outside(ws, file_tools, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    os.link(outside, ws.root / "inside.txt")
    with pytest.raises(Exception, match="other hard links"):
        file_tools["append_to_file"].invoke({"filename": "inside.txt", "text": "pwned"})
    assert outside.read_text() == "secret\n"
    # write_to_file replaces the workspace's name only (a rename), so the outside file stays as it was.
    file_tools["write_to_file"].invoke({"filename": "inside.txt", "text": "new"})
    assert outside.read_text() == "secret\n" and (ws.root / "inside.txt").read_text() == "new"


def test_a_name_too_long_is_one_sentence_without_this_machines_paths(ws, file_tools):
    with pytest.raises(OSError) as caught:
        file_tools["write_to_file"].invoke({"filename": "a" * 5000, "text": "x"})
    message = str(caught.value)
    assert "longer than the file system allows" in message and str(ws.root) not in message
    assert len(message) < 200


def test_a_file_command_that_does_not_finish_is_reported(monkeypatch):
    monkeypatch.setattr(files, "FILE_COMMAND_SECONDS", 0.3)

    def stuck(filename: str) -> str:
        time.sleep(3)
        return "never"

    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="did not finish within"):
        files.file_command(stuck)(filename="slow.txt")
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("steering", ["off", "small"])
def test_a_name_too_long_never_ends_the_run(tmp_path, steering):
    """It ended the run from validate_json (the steering looked at the file), and every resume
    re-checked the same stored reply: a bricked thread. Now the model is told, and the run goes on."""
    script = {"think": [reply("write_to_file", filename="a" * 5000, text="x"),
                        reply("write_to_file", filename="b.txt", text="x"),
                        reply("task_complete", reason="done")]}
    settings = Settings(_env_file=None, steering=steering)
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=settings) as runner:
        steps = run_script(runner, tmp_path, script, continuous=True)
        status = runner.status(runner.thread_id)
    results = [e["result"] for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]
    assert "longer than the file system allows" in results[0]
    assert (tmp_path / "ws" / "b.txt").read_text() == "x"
    assert status.stop_reason.startswith("Shutting down: done") or "done" in status.stop_reason
