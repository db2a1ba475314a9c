"""The CLI's failures, run as real processes: one clear sentence and exit code 1, no traceback
unless --debug."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from tests.processes import GOOD_SETTINGS, assert_one_error, autogpt, cli

def test_openai_without_key(folder):
    code, out = autogpt(folder, "run", "do x", "-w", "ws", "--llm", "openai")
    assert_one_error(code, out, "--llm openai needs OPENAI_API_KEY", "--llm local")


def test_local_model_file_missing(folder):
    code, out = autogpt(folder, "run", "do x", "-w", "ws", "--llm", "local:missing.gguf", "-c")
    assert_one_error(code, out, "missing.gguf", "does not exist")


def test_limit_without_continuous(folder):
    code, out = autogpt(folder, "run", "do x", "-l", "3", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "--continuous-limit", "--continuous")


def test_gpt3only_with_gpt4only(folder):
    code, out = autogpt(folder, "run", "do x", "--gpt3only", "--gpt4only", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "--gpt3only", "--gpt4only")


def test_missing_ai_settings_file(folder):
    code, out = autogpt(folder, "run", "-C", "missing.yaml", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "missing.yaml", "does not exist")


@pytest.mark.parametrize(
    "settings, field",
    [
        ({**GOOD_SETTINGS, "ai_goals": [f"goal {i}" for i in range(6)]}, "ai_goals"),
        ({k: v for k, v in GOOD_SETTINGS.items() if k != "ai_name"}, "ai_name"),
        ({**GOOD_SETTINGS, "api_budget": -1}, "api_budget"),
    ],
    ids=["six-goals", "no-name", "negative-budget"],
)
def test_invalid_ai_settings(folder, settings, field):
    (folder / "bad.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    code, out = autogpt(folder, "run", "-C", "bad.yaml", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "bad.yaml", "is invalid", field)


def test_ai_settings_not_yaml(folder):
    (folder / "bad.yaml").write_text("ai_name: [unclosed\n", "utf-8")
    code, out = autogpt(folder, "run", "-C", "bad.yaml", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "bad.yaml", "not valid YAML")


def test_missing_script_file(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:missing.yaml")
    assert_one_error(code, out, "missing.yaml", "does not exist")


def test_unknown_llm_spec(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "-w", "ws", "--llm", "gemini")
    assert_one_error(code, out, "Unknown model spec 'gemini'")


def test_resume_unknown_thread(folder):
    code, out = autogpt(folder, "resume", "--thread", "nope", "-w", "ws")
    assert_one_error(code, out, "There is no run in", "does not exist")


def test_resume_finished_run(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c", "--thread", "t")
    assert code == 0, out
    assert (folder / "ws" / "hello.txt").read_text() == "hello world"
    code, out = autogpt(folder, "resume", "--thread", "t", "-w", "ws")
    assert_one_error(code, out, "has already ended", "Task complete")


def test_run_with_existing_thread(folder):
    args = ("run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c", "--thread", "t")
    assert autogpt(folder, *args)[0] == 0
    code, out = autogpt(folder, *args)
    assert_one_error(code, out, "already exists", "autogpt resume --thread t")


def test_debug_shows_traceback(folder):
    code, out = autogpt(folder, "run", "-C", "missing.yaml", "-w", "ws", "--debug")
    assert code == 1
    assert "Traceback" in out
    assert "AgentError" in out
    assert any(line.startswith("Error:") and "missing.yaml" in line for line in out.splitlines()), out


def assert_no_task_error(code: int, out: str) -> None:
    assert code == 1, out
    assert "Traceback" not in out, out
    assert out.count("Error:") == 1, out
    assert "Error: No task given: pass one as an argument" in out, out


def test_no_task_and_closed_stdin(folder):
    code, out = autogpt(folder, "run", "-w", "ws", "--llm", "script:S.yaml")
    assert_no_task_error(code, out)
    assert out.startswith("I want Auto-GPT to:")  # asked first, then told there is no task


def test_no_task_and_stdin_closed_by_parent(folder):
    proc = subprocess.Popen(
        [*cli(), "run", "-w", "ws", "--llm", "script:S.yaml"], cwd=folder, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}, "COLUMNS": "500"},
    )
    out, _ = proc.communicate(timeout=60)  # closes the child's stdin at once
    assert_no_task_error(proc.returncode, out)


def test_no_task_error_is_on_its_own_line(folder):
    # ask() ends the prompt's line on EOF, so the error is not glued to "I want Auto-GPT to:".
    code, out = autogpt(folder, "run", "-w", "ws", "--llm", "script:S.yaml")
    assert_one_error(code, out, "No task given")


def test_closed_stdin_at_the_gate_pauses_and_resume_continues(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "--thread", "t")
    assert code == 0, out
    assert "Traceback" not in out and "Error:" not in out
    assert "No input available. The run is paused; continue it with: autogpt resume --thread t" in out
    assert not (folder / "ws" / "hello.txt").exists()
    code, out = autogpt(folder, "resume", "--thread", "t", "-w", "ws", "-c")
    assert code == 0, out
    assert "Task complete" in out
    assert (folder / "ws" / "hello.txt").read_text() == "hello world"


def test_resume_in_a_missing_workspace_creates_nothing(folder):
    # A mistyped -w must not leave a new empty workspace (with a checkpoint database) behind.
    code, out = autogpt(folder, "resume", "--thread", "nope", "-w", "typo")
    assert_one_error(code, out, "There is no run in", "typo")
    assert not (folder / "typo").exists()


def test_resume_unknown_thread_in_a_used_workspace(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c", "--thread", "t")
    assert code == 0, out
    code, out = autogpt(folder, "resume", "--thread", "nope", "-w", "ws")
    assert_one_error(code, out, "There is no run 'nope'", "check --thread and -w")
