"""Disk full during a checkpoint write (issue 15): one sentence, and after space is freed `resume`
finishes the run. It failed again: SQLite's write-ahead log grows to 4 MB before it is folded back,
so the freed space filled up again. A real small file system (tmpfs), real processes."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from tests.helpers import reply, write_script
from tests.processes import AI_SETTINGS, assert_one_error, autogpt


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system (tmpfs), or a skip where this process may not mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root and a mount namespace that allows it")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_resume_after_the_disk_was_full_finishes_the_run(tmp_path, small_disk):
    (tmp_path / "ai.yaml").write_text(yaml.safe_dump(AI_SETTINGS))
    think = [reply("write_to_file", filename=f"f{i}.txt", text="x" * 1000) for i in range(12)]
    write_script(tmp_path, {"think": [*think, reply("task_complete", reason="done")]}, "S.yaml")
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (1600 * 1024))  # leaves ~400 KB: a few cycles' checkpoints
    ws = small_disk / "ws"
    code, out = autogpt(tmp_path, "run", "-C", "ai.yaml", "-c", "--llm", "script:S.yaml", "--thread", "T", "-w", str(ws))
    assert_one_error(code, out, "The disk is full", "autogpt resume")
    filler.unlink()
    code, out = autogpt(tmp_path, "resume", "--thread", "T", "-w", str(ws))
    assert code == 0 and "Task complete" in out, out
    assert sorted(p.name for p in ws.glob("f*.txt")) == sorted(f"f{i}.txt" for i in range(12))
