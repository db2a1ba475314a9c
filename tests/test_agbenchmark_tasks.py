"""agbenchmark-style tasks, end to end through the graph with the scripted model: the checks look only at
what the task asks for (files in the workspace, test results), as agbenchmark's do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.prompting.events import event_text
from tests.helpers import reply, start_scripted
from tests.servers.fixture_site import FixtureSite

BUGGY = "def multiply_int(num: int, multiplier: int) -> int:\n    return num + multiplier\n"
FIXED = "def multiply_int(num: int, multiplier: int) -> int:\n    return num * multiplier\n"
TEST = (
    "from sample_code import multiply_int\n\n"
    "def check(num, multiplier, expected):\n"
    "    result = multiply_int(num, multiplier)\n"
    "    assert result == expected, f'multiply_int({num}, {multiplier}) = {result}, expected {expected}'\n\n"
    "if __name__ == '__main__':\n"
    "    check(4, 2, 8)\n    check(-3, 3, -9)\n    check(0, 5, 0)\n    print('All tests passed')\n"
)


def results(steps) -> list[str]:
    return [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]


def run(tmp_path, script, ai_goals, **settings):
    config = {"ai_name": "BenchGPT", "ai_role": "an AI that completes benchmark tasks", "ai_goals": ai_goals, "api_budget": 0.0}
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None, **settings)) as runner:
        (tmp_path / "ws").mkdir(exist_ok=True)
        yield runner
        steps, prompts = start_scripted(runner, tmp_path, script, ai_config=config, continuous=True)
        yield steps, runner.status(runner.thread_id)


def test_read_a_file_and_write_its_content_elsewhere(tmp_path):
    flow = run(tmp_path, {"think": [
        reply("read_file", filename="file_to_read.txt"),
        reply("write_to_file", filename="output.txt", text="Hello World!\n"),
        reply("task_complete", reason="copied"),
    ]}, ["Read file_to_read.txt and write its content to output.txt"])
    runner = next(flow)
    (runner.workspace / "file_to_read.txt").write_text("Hello World!\n")
    steps, status = next(flow)
    assert status.stop_reason == "Task complete: copied"
    assert results(steps)[0] == "Command read_file returned: Hello World!\n"
    assert (runner.workspace / "output.txt").read_text() == "Hello World!\n"


def test_fix_a_bug_and_run_its_test(tmp_path):
    flow = run(tmp_path, {"think": [
        reply("execute_python_file", filename="test.py"),
        reply("read_file", filename="sample_code.py"),
        reply("write_to_file", filename="sample_code.py", text=FIXED),
        reply("execute_python_file", filename="test.py"),
        reply("task_complete", reason="the test passes"),
    ]}, ["Fix the bug in sample_code.py so that test.py passes", "Run test.py to check"])
    runner = next(flow)
    (runner.workspace / "sample_code.py").write_text(BUGGY)
    (runner.workspace / "test.py").write_text(TEST)
    steps, status = next(flow)
    before, _, _, after = results(steps)[:4]
    assert "Exit code: 1." in before and "multiply_int(4, 2) = 6, expected 8" in before
    assert "Exit code: 0." in after and "All tests passed" in after
    assert status.stop_reason == "Task complete: the test passes"
    # The benchmark's own check, outside the agent: the test passes.
    check = subprocess.run([sys.executable, "test.py"], cwd=runner.workspace, capture_output=True, text=True)
    assert check.returncode == 0 and "All tests passed" in check.stdout


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as s:
        yield s


def test_answer_a_question_from_a_web_page(tmp_path, site):
    question = "What is the capital of Freedonia?"
    flow = run(tmp_path, {
        "think": [
            reply("browse_website", url=site.url("/about.html"), question=question),
            reply("write_to_file", filename="answer.txt", text="Fredville"),
            reply("task_complete", reason="answered"),
        ],
        "browse": ["The capital of Freedonia is Fredville."],
    }, [f"Answer the question '{question}' using {site.url('/about.html')}", "Write the answer to answer.txt"],
        allow_loopback_urls=True)
    runner = next(flow)
    steps, status = next(flow)
    assert results(steps)[0].startswith(
        "Command browse_website returned: Answer gathered from website: The capital of Freedonia is Fredville."
    )
    assert (runner.workspace / "answer.txt").read_text() == "Fredville"
    assert status.usage["calls"] == {"think": 3, "browse": 1}
    # The fast model was given the page's text to answer from.
    browse_prompt = runner._contexts[runner.thread_id].models.fast.chat.seen
    assert any("Its capital is Fredville" in m[0].content for purpose, m in browse_prompt if purpose == "browse")
