"""The real client: agbenchmark 0.0.10 drives `autogpt serve` (scripted model) through TestWriteFile and
TestReadFile and grades them itself. agbenchmark pins pydantic 1 and fastapi 0.99, so it lives in a
venv of its own, cached outside the repository (AGBENCHMARK_VENV, default
~/.cache/autogpt-graph/agbenchmark-venv), installed with --no-compile: with __pycache__ folders in its
challenge folders, it uploads them as artifacts and crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import reply, write_script
from tests.processes import Server
from tests.services import unavailable

AGBENCHMARK = "agbenchmark==0.0.10"
VENV = Path(os.environ.get("AGBENCHMARK_VENV", Path.home() / ".cache" / "autogpt-graph" / "agbenchmark-venv"))

# One script for both challenges (each task is a new run, so both get the same replies): the input
# TestReadFile uploads is read (TestWriteFile has none: the agent is told so and goes on), its content
# written to output.txt, and the word to a .txt file.
SCRIPT = {
    "decompose": ["Name: BenchGPT\nDescription: an AI that completes benchmark tasks.\nGoals:\n- Do the task\n"],
    "think": [
        reply("read_file", filename="file_to_read.txt"),
        reply("write_to_file", filename="output.txt", text="Hello World!\n"),
        reply("write_to_file", filename="washington.txt", text="Washington\n"),
        reply("task_complete", reason="the files are written"),
    ],
}


def agbenchmark() -> Path:
    exe = VENV / "bin" / "agbenchmark"
    if exe.is_file():
        return exe
    steps = [[sys.executable, "-m", "venv", str(VENV)],
             [str(VENV / "bin" / "pip"), "install", "--quiet", "--no-compile", AGBENCHMARK]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()
            unavailable(f"{AGBENCHMARK} in {VENV}", last[-1] if last else f"exit {done.returncode}")
    return exe


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first run builds agbenchmark's venv (a few minutes)
def test_agbenchmark_passes_write_file_and_read_file(tmp_path):
    exe = agbenchmark()
    write_script(tmp_path, SCRIPT, "S.yaml")
    with Server(tmp_path, "--llm", "script:S.yaml", "--workspaces", "ws") as server:
        config = tmp_path / "bench" / "agbenchmark_config"
        config.mkdir(parents=True)
        (config / "config.json").write_text(json.dumps({"host": server.url}))
        done = subprocess.run([str(exe), "start", "--test=TestWriteFile", "--test=TestReadFile"], cwd=config.parent,
                              capture_output=True, text=True, timeout=600,
                              env={k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PYTEST"))})
        log = done.stdout[-4000:] + done.stderr[-2000:] + "\nserver:\n" + server.output()[-3000:]
    reports = sorted(config.glob("reports/*/report.json"))
    assert reports, log
    tests = json.loads(reports[-1].read_text())["tests"]
    assert {name: t["metrics"]["success"] for name, t in tests.items()} == {"TestWriteFile": True, "TestReadFile": True}, log
    assert "Traceback" not in server.output(), log
