"""`autogpt threads / history / replay / fork` as real processes: output and one-sentence errors."""

from __future__ import annotations

import json

import pytest

from tests.processes import assert_one_error, autogpt


@pytest.fixture
def finished(folder):  # noqa: F811
    code, out = autogpt(folder, "run", "-C", "good.yaml", "--llm", "script:S.yaml", "-w", "ws", "-c", "--thread", "T")
    assert code == 0 and "Task complete" in out, out
    return folder


def test_threads_and_history(finished):
    code, out = autogpt(finished, "threads", "-w", "ws")
    assert code == 0, out
    row = next(line for line in out.splitlines() if line.strip().startswith("T "))
    assert "TestGPT" in row and "ended: Task complete: hello.txt is written" in row and "$0.0000" in row
    code, out = autogpt(finished, "history", "--thread", "T", "-w", "ws")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["STEP", "CYCLE", "NODE", "COMMAND", "RESULT", "FILES"]
    assert len(lines) == 13  # the header and steps 0..11
    assert lines[5].split()[:3] == ["4", "1", "execute_tool"] and "File written to successfully." in lines[5]
    assert lines[5].endswith("hello.txt")  # the file the step changed


def test_fork_with_a_command_then_replay(finished):
    command = json.dumps({"name": "write_to_file", "args": {"filename": "b.txt", "text": "from the fork"}})
    code, out = autogpt(finished, "fork", "--thread", "T", "--step", "3", "--command", command, "--name", "F", "-w", "ws")
    assert code == 0, out
    assert "Forked T at step 3 as F; T and its files are unchanged." in out
    assert (finished / "ws" / ".autogpt" / "forks" / "F" / "b.txt").read_text() == "from the fork"
    assert "F works in" in out and not (finished / "ws" / "b.txt").exists()
    code, out = autogpt(finished, "threads", "-w", "ws")
    assert "T @ 3" in next(line for line in out.splitlines() if line.strip().startswith("F "))
    code, out = autogpt(finished, "history", "--thread", "F", "-w", "ws")
    assert "Run F was forked from T at step 3." in out and "b.txt" in out
    (finished / "ws" / "hello.txt").unlink()
    code, out = autogpt(finished, "replay", "--thread", "T", "--step", "4", "-w", "ws")
    assert code == 0 and "Replaying T from step 4." in out and "Task complete" in out, out
    assert (finished / "ws" / "hello.txt").read_text() == "hello world"


@pytest.mark.parametrize(("args", "fragments"), [
    (["history", "--thread", "nope"], ["There is no run 'nope'"]),
    (["replay", "--thread", "T", "--step", "40"], ["Run 'T' has steps 0 to 11, not 40"]),
    (["fork", "--thread", "T", "--step", "3", "--set", "colour=red"], ["Cannot set 'colour'"]),
    (["fork", "--thread", "T", "--step", "3", "--command", "{oops"], ["The command is not valid JSON"]),
    (["threads", "--checkpointer", "redis://x"], ["Unknown checkpointer 'redis://x'"]),
])
def test_errors_are_one_sentence(finished, args, fragments):
    code, out = autogpt(finished, *args, "-w", "ws")
    assert_one_error(code, out, *fragments)


def test_threads_in_an_empty_folder(folder):  # noqa: F811
    code, out = autogpt(folder, "threads", "-w", "nowhere")
    assert_one_error(code, out, "There is no run in")


def test_ids_steps_and_nodes_stay_whole_at_80_columns_through_a_pipe(folder):  # noqa: F811
    """`history` and `threads` at 80 columns (or piped, which rich treats as 80) cut the STEP, CYCLE and
    NODE columns and thread ids to "cm…", exactly what replay and fork need (issue 20)."""
    import subprocess

    from tests.processes import cli, env

    long_id = "run-20261204-004246-f3a40a-with-a-long-name"
    code, out = autogpt(folder, "run", "-C", "good.yaml", "--llm", "script:S.yaml", "-w", "ws", "-c", "--thread", long_id)
    assert code == 0, out
    narrow = {**env(), "COLUMNS": "80"}
    for args in (["threads", "-w", "ws"], ["history", "--thread", long_id, "-w", "ws"]):
        done = subprocess.run([*cli(), *args], cwd=folder, env=narrow, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert all(len(line) <= 80 for line in lines), done.stdout
        if args[0] == "threads":
            assert any(long_id in line for line in lines), done.stdout
        else:
            steps = [line.split() for line in lines[1:] if line.strip()]
            assert [int(s[0]) for s in steps] == list(range(len(steps))), done.stdout
            assert {s[2] for s in steps} >= {"build_prompt", "think", "validate_json", "execute_tool"}, done.stdout


def test_fork_shows_its_feedback_and_counts_its_limit_from_the_fork(finished):
    """fork's --feedback never appeared on the console, and `fork -l 1` counted from the run's start, so
    a fork at cycle 1 stopped at once at its limit (issue 20)."""
    code, out = autogpt(finished, "fork", "--thread", "T", "--step", "3", "--feedback", "use a nicer greeting",
                        "--name", "G", "-c", "-l", "1", "-w", "ws")
    assert code == 0, out
    assert "Feedback the model sees next: use a nicer greeting" in out
    assert "Continuous limit" not in out and "Task complete" in out, out
