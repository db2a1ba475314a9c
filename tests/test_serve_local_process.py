"""`autogpt serve-local` stopped with SIGTERM (as systemd, docker or a test's terminate() stop it) left
its llama_cpp.server child running, holding the port and gigabytes of memory (issue 15). The server now
replaces the CLI process: the same pid, nothing left behind. Checked without loading a model (the
file is not a real GGUF, and the process is stopped before it gets that far)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.processes import cli, env

pytest.importorskip("llama_cpp.server", reason="the local extra (llama-cpp-python[server]) is not installed")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and marker in _cmdline(int(entry.name)):
            found.append(int(entry.name))
    return found


def test_sigterm_leaves_no_server_behind(tmp_path):
    model = tmp_path / "not-a-model-7f3a.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    proc = subprocess.Popen([*cli(), "serve-local", "--model", str(model), "--port", "1"], env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "llama_cpp.server" not in _cmdline(proc.pid):  # the CLI became the server: same pid
            assert proc.poll() is None or "llama_cpp.server" in _cmdline(proc.pid), proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the CLI never became the server"
            time.sleep(0.02)
        assert [p for p in _processes_with(str(model)) if p != proc.pid] == []  # no child of its own
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.2)
    assert _processes_with(str(model)) == []
