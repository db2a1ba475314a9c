"""The README's examples run as written, with no key and no network: every code block marked
`<!-- runs in tests/test_readme_examples.py -->`, and the `./run.sh` demo under "Using it" (as the
`autogpt` command run.sh calls), in a fresh folder holding the repo's examples/."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import env
from tests.services import require_redis

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
MARK = "<!-- runs in tests/test_readme_examples.py -->"
BLOCKS = re.findall(re.escape(MARK) + r"\n```(\w+)\n(.*?)\n```", README, re.DOTALL)
AUTOGPT = str(Path(sys.executable).parent / "autogpt")


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "autumn.md").write_text("Haiku have three lines of five, seven and five syllables.\n")
    (tmp_path / "notes.md").write_text("Maple leaves turn red in October.\n")
    return tmp_path


def commands(block: str) -> list[list[str]]:
    """The block's command lines: continuations joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def run(folder: Path, argv: list[str]) -> str:
    assert argv[0] in ("autogpt", "./run.sh"), argv
    args = argv[1:]
    if argv[0] == "./run.sh" and args[0].startswith("-"):  # as run.sh does: flags alone mean `run`
        args = ["run", *args]
    done = subprocess.run([AUTOGPT, *args], cwd=folder, env=env(), capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_marked_blocks_are_found():
    assert [language for language, _ in BLOCKS] == ["python", "bash"]


def test_using_it_demo(folder):
    [line] = re.findall(r"^\$ (\./run\.sh -C examples/ai_settings\.yaml .*)$", README, re.MULTILINE)
    out = run(folder, shlex.split(line))
    assert "Run haiku-demo ended after 3 cycles: Task complete: haiku.txt holds a three-line haiku about autumn" in out
    assert (folder / "auto_gpt_workspace" / "haiku.txt").read_text().startswith("Crisp leaves drift and fall")


def test_python_example(folder):
    [code] = [code for language, code in BLOCKS if language == "python"]
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "Task complete: haiku.txt holds a three-line haiku about autumn"
    assert (folder / "auto_gpt_workspace" / "haiku.txt").is_file()


def test_memory_example(folder):
    require_redis("redis://127.0.0.1:6379/0")  # the example uses Redis at its default URL
    [block] = [code for language, code in BLOCKS if language == "bash"]
    outputs = [run(folder, argv) for argv in commands(block)]
    assert "Task complete" in outputs[-1]
