"""The CLI as real processes, shared by the tests that run it: the command, its environment, the
one-sentence error check, and the crash scenario (a scripted run SIGKILLed part-way, then resumed)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.helpers import reply, write_script

GOOD_SETTINGS = {
    "ai_name": "TestGPT",
    "ai_role": "an AI that writes files for tests",
    "ai_goals": ["Write hello.txt"],
}


def cli() -> list[str]:
    exe = Path(sys.executable).parent / "autogpt"
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "autogpt_graph.graph.cli"]


def env() -> dict[str, str]:
    """The environment with no model configured, and no wrapping by rich (one message per line)."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "USE_AZURE"))}
    out["COLUMNS"] = "500"
    return out


def autogpt(cwd: Path, *args: str, stdin=subprocess.DEVNULL) -> tuple[int, str]:
    """Run the CLI in `cwd` with no model configured; returns (exit code, stdout + stderr)."""
    done = subprocess.run(
        [*cli(), *args], cwd=cwd, env=env(), stdin=stdin, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def assert_one_error(code: int, out: str, *fragments: str) -> str:
    """Exit 1, no traceback, exactly one `Error:` line holding every fragment; returns that line."""
    assert code == 1, out
    assert "Traceback" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, out
    for fragment in fragments:
        assert fragment in errors[0], out
    return errors[0]


THREAD = "T"
AI_SETTINGS = {
    "ai_name": "TestGPT",
    "ai_role": "an AI that writes files for tests",
    "ai_goals": ["Write part1.txt to part6.txt", "Then shut down"],
    "api_budget": 0.0,
}
THINK = [
    *(reply("write_to_file", filename=f"part{i}.txt", text=f"part {i}: " + f"line {i}\n" * i) for i in range(1, 7)),
    reply("append_to_file", filename="part1.txt", text="appended after part 6\n"),
    reply("task_complete", reason="all parts written"),
]
# ~7 checkpoints per cycle, 8 cycles: ~49 checkpoints over a few seconds.
SCRIPT = {"think": THINK, "summarise": ["I wrote some files."] * 50, "delay": 0.15}


def _default_sigint() -> None:
    # A child of a non-interactive shell may inherit SIGINT as ignored; Ctrl-C must reach Python.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_run(folder: Path, ws: Path) -> subprocess.Popen:
    args = [*cli(), "run", "-C", "ai.yaml", "--llm", "script:S.yaml", "-w", str(ws), "-c", "--thread", THREAD]
    return subprocess.Popen(
        args, cwd=folder, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, preexec_fn=_default_sigint,
    )


def resume(folder: Path, ws: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cli(), "resume", "--thread", THREAD, "-w", str(ws)], cwd=folder, env=env(), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )


def checkpoint_rows(ws: Path) -> int:
    db = ws / ".autogpt" / "checkpoints.sqlite"
    if not db.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet, or locked by the writer for a moment
        return 0


def wait_for_rows(proc: subprocess.Popen, ws: Path, rows: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while checkpoint_rows(ws) < rows:
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before {rows} checkpoints:\n{proc.stdout.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {rows} checkpoints after {timeout}s")
        time.sleep(0.01)


def kill_at(folder: Path, ws: Path, rows: int, proc: subprocess.Popen | None = None) -> None:
    proc = proc or start_run(folder, ws)
    wait_for_rows(proc, ws, rows)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"


def files_of(ws: Path) -> dict[str, str]:
    return {
        p.relative_to(ws).as_posix(): p.read_text("utf-8")
        for p in sorted(ws.rglob("*"))
        if p.is_file() and ".autogpt" not in p.relative_to(ws).parts
    }


def setup_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ai.yaml").write_text(yaml.safe_dump(AI_SETTINGS, sort_keys=False), "utf-8")
    write_script(folder, SCRIPT, "S.yaml")
    return folder / "ws"


def assert_resumed_to_end(folder: Path, ws: Path, expected: dict[str, str]) -> None:
    done = resume(folder, ws)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Task complete" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert files_of(ws) == expected


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`autogpt serve` as a process on a free port: `url` is its base, `stop()` ends it."""

    def __init__(self, folder: Path, *args: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(folder) / f"serve-{self.port}.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([*cli(), "serve", "--port", str(self.port), *args], cwd=folder, env=env(),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"autogpt serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/ap/v1/agent/tasks", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"autogpt serve did not answer within {timeout}s:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.is_file() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
