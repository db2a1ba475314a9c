"""Loop detection with the scripted model: 3 identical commands in a row warn, a 5th stops the run."""

from __future__ import annotations

import pytest

from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import reply, start_scripted

# An append: repeating it changes the file each time, so only loop detection stops it (a rewrite of the
# same text or a repeated read is pushed back earlier, by autogpt_graph.graph.steering.nudges).
SAME = reply("append_to_file", filename="notes.txt", text="the same text\n")
OTHER = reply("list_files", directory=".")
DONE = reply("task_complete", reason="done")
WARNING = "times in a row, which suggests you are stuck in a loop"


@pytest.fixture
def runner(tmp_path):
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as r:
        yield r


def prompt_text(messages) -> str:
    return "\n".join(str(m.content) for m in messages)


def test_third_repeat_warns_and_fifth_stops_the_run(runner, tmp_path):
    steps, prompts = start_scripted(runner, tmp_path, [SAME] * 5 + [DONE], continuous=True)
    status = runner.status(runner.thread_id)
    assert status.stop_reason == (
        "Loop detected: the model chose append_to_file with the same arguments 5 times in a row."
    )
    assert len(prompts) == 5
    assert [WARNING in prompt_text(p) for p in prompts] == [False, False, False, True, True]
    assert "3 times in a row" in prompt_text(prompts[3])
    assert "4 times in a row" in prompt_text(prompts[4])
    # The 5th proposal never ran: four executions, no task_complete.
    assert [s.node for s in steps].count("execute_tool") == 4
    assert (runner.workspace / "notes.txt").read_text() == "the same text\n" * 4


def test_a_different_command_breaks_the_streak(runner, tmp_path):
    script = [SAME] * 4 + [OTHER] + [SAME] * 4 + [DONE]
    _, prompts = start_scripted(runner, tmp_path, script, continuous=True)
    assert runner.status(runner.thread_id).stop_reason == "Task complete: done"
    warned = [WARNING in prompt_text(p) for p in prompts]
    # The streak after list_files starts again from one.
    assert warned == [False, False, False, True, True, False, False, False, True, True]


def test_rejected_proposals_neither_count_nor_break_the_streak(runner, tmp_path):
    # The 3rd proposal gets feedback and does not run, so the 5th proposal is only the 4th run in a row.
    script = [SAME] * 5 + [DONE]
    start_scripted(runner, tmp_path, script, answers=["y", "y", "try something else", "y", "y", "y"])
    status = runner.status(runner.thread_id)
    assert status.stop_reason == "Task complete: done"
    assert status.cycle == 6


def test_arguments_matter_and_task_complete_never_loops():
    read = {"name": "read_file", "args": {"filename": "a"}}
    state = {"command": read}
    for _ in range(4):
        state.update(loop_guard.track(state, read))
    assert state["repeats"][1] == 4
    assert loop_guard.stop_reason(state, read)
    assert loop_guard.stop_reason(state, {"name": "read_file", "args": {"filename": "b"}}) is None
    assert "read_file with the same arguments 4 times in a row" in loop_guard.warning(state)
    done = {"name": "task_complete", "args": {}}
    assert loop_guard.stop_reason({"repeats": [loop_guard.command_key(done), 4]}, done) is None
