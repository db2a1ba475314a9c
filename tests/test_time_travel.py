"""threads / history / replay / fork (graph/runs/threads.py) with the scripted model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autogpt_graph.graph.context import make_context
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import FILES_RESTORED, INTERRUPT, AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import AI_CONFIG, reply, run_to_end, write_script

SCRIPT = {
    "think": [
        reply("write_to_file", filename="a.txt", text="one"),
        reply("append_to_file", filename="a.txt", text=" two"),
        reply("task_complete", reason="a.txt is written"),
        # Only forks reach these: a fork's next think call is the 4th.
        reply("write_to_file", filename="c.txt", text="after feedback"),
        reply("task_complete", reason="c.txt is written"),
    ]
}
NODES = ["build_prompt", "think", "validate_json", "human_gate", "execute_tool", "summarise_memory"]


@pytest.fixture
def runner(tmp_path):
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as r:
        yield r


def finished_run(runner, tmp_path, thread="T", **options) -> str:
    path = write_script(tmp_path, SCRIPT)
    options.setdefault("continuous", True)
    run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{path}", thread_id=thread, **options))
    return thread


def checkpoint_ids(runner, thread) -> list[str]:
    return [line.checkpoint_id for line in runner.history(thread)]


def think_prompts(ctx) -> list[str]:
    return ["\n".join(str(m.content) for m in messages) for purpose, messages in ctx.models.smart.chat.seen if purpose == "think"]


def test_history_has_one_line_per_step(runner, tmp_path):
    finished_run(runner, tmp_path)
    lines = runner.history("T")
    assert [line.step for line in lines] == list(range(18))
    assert [line.node for line in lines] == NODES * 2 + NODES[:5] + ["end"]
    write = lines[4]
    assert (write.cycle, write.node) == (1, "execute_tool")
    assert write.command.startswith('write_to_file {"filename": "a.txt"')
    assert write.result == "File written to successfully."
    assert lines[10].result == "Text appended successfully."
    assert lines[1].result == "I will do the next step."
    assert lines[-1].result == "Task complete: a.txt is written"


def test_threads_lists_runs_with_status(runner, tmp_path):
    finished_run(runner, tmp_path)
    path = write_script(tmp_path, SCRIPT, "waiting.yaml")
    list(runner.start(ai_config={**AI_CONFIG, "ai_name": "WaitGPT"}, llm=f"script:{path}", thread_id="W"))
    found = {t.thread_id: t for t in runner.threads()}
    assert list(found) == ["W", "T"]  # newest first
    assert (found["W"].name, found["W"].status, found["W"].cycles) == ("WaitGPT", "waiting for approval", 1)
    assert found["T"].status == "ended: Task complete: a.txt is written"
    assert found["T"].cycles == 3 and found["T"].cost == 0.0 and found["T"].updated.startswith("20")
    assert [(line.node, line.result) for line in runner.history("W")][-2:] == [
        ("validate_json", "accepted"), ("human_gate", "waiting for approval")]


def test_replay_reruns_from_a_step_on_a_new_branch(runner, tmp_path):
    finished_run(runner, tmp_path)
    before = checkpoint_ids(runner, "T")
    (runner.workspace / "a.txt").write_text("changed by hand")
    steps = run_to_end(runner, runner.replay("T", 4))
    # The write and everything after it ran again: the file is rebuilt, the append applied once.
    assert [s.node for s in steps][:4] == [FILES_RESTORED, "execute_tool", "summarise_memory", "build_prompt"]
    assert (runner.workspace / "a.txt").read_text() == "one two"
    after = checkpoint_ids(runner, "T")
    assert after[:4] == before[:4] and len(after) == len(before)
    assert set(after[4:]).isdisjoint(before[4:])
    assert runner.status("T").stop_reason == "Task complete: a.txt is written"
    # The replaced checkpoints are still stored.
    stored = {s.config["configurable"]["checkpoint_id"] for s in runner.graph.get_state_history({"configurable": {"thread_id": "T"}})}
    assert set(before) <= stored


def test_replay_of_a_human_gate_step_asks_again(runner, tmp_path):
    path = write_script(tmp_path, SCRIPT)
    run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{path}", thread_id="H"), ["y", "y", "y"])
    steps = list(runner.replay("H", 9))
    assert steps[-1].node == INTERRUPT and steps[-1].update["command"]["name"] == "append_to_file"
    assert runner.status("H").waiting is not None
    run_to_end(runner, runner.resume("H", "y"), ["y"])
    assert runner.status("H").stop_reason.startswith("Task complete")


def test_fork_with_a_new_command_leaves_the_original_intact(runner, tmp_path):
    finished_run(runner, tmp_path)
    before = [(str(line), line.checkpoint_id) for line in runner.history("T")]
    new = runner.fork("T", 9, command=json.dumps({"name": "write_to_file", "args": {"filename": "b.txt", "text": "forked"}}))
    assert new != "T" and runner.status(new).next_nodes == ("human_gate",)
    run_to_end(runner, runner.resume(new))
    folder = Path(runner.status(new).workspace)  # the fork's own, holding the files of step 9
    assert (folder / "b.txt").read_text() == "forked" and not (runner.workspace / "b.txt").exists()
    assert (folder / "a.txt").read_text() == "one"  # the append was replaced in the fork
    assert (runner.workspace / "a.txt").read_text() == "one two"
    forked = runner.history(new)
    assert forked[0].step == 9 and forked[1].node == "execute_tool"
    assert forked[1].command.startswith("write_to_file") and "b.txt" in forked[1].command
    assert runner.status(new).stop_reason == "Task complete: a.txt is written"
    assert [(str(line), line.checkpoint_id) for line in runner.history("T")] == before
    assert {t.thread_id: t.forked_from for t in runner.threads()}[new] == {"thread": "T", "step": 9}


def test_fork_with_feedback_and_a_new_goal_reaches_the_model(runner, tmp_path):
    finished_run(runner, tmp_path)
    new = runner.fork("T", 15, feedback="Also write c.txt", sets=["goal3=Write c.txt", "ai_name=ForkGPT"])
    values = runner.graph.get_state({"configurable": {"thread_id": new}}).values
    assert values["ai_config"]["ai_goals"][2] == "Write c.txt" and values["command"] is None
    ctx = make_context(values["run"], runner.settings)
    run_to_end(runner, runner.resume(new, context=ctx))
    prompt = think_prompts(ctx)[0]
    assert "Human feedback: Also write c.txt" in prompt
    assert "3. Write c.txt" in prompt and "You are ForkGPT" in prompt
    # The rejected proposal is in the history the model sees, as the human gate records it.
    assert '"task_complete"' in prompt
    assert (Path(runner.status(new).workspace) / "c.txt").read_text() == "after feedback"
    assert runner.status(new).stop_reason == "Task complete: c.txt is written"
    assert runner.status("T").ai_config["ai_name"] == "TestGPT"


def test_fork_of_an_ended_run_goes_on_with_a_new_cycle(runner, tmp_path):
    finished_run(runner, tmp_path)
    new = runner.fork("T", 17, sets=["goal3=Write c.txt"], new_thread_id="again")
    assert new == "again" and runner.status(new).next_nodes == ("build_prompt",)
    run_to_end(runner, runner.resume(new))
    assert runner.status(new).stop_reason == "Task complete: c.txt is written"


@pytest.mark.parametrize(("call", "message"), [
    (lambda r: r.history("nope"), "There is no run 'nope'"),
    (lambda r: r.replay("T", 18), "Run 'T' has steps 0 to 17, not 18"),
    (lambda r: r.replay("T", -1), "Run 'T' has steps 0 to 17, not -1"),
    (lambda r: r.replay("T", 17), "Step 17 is the end of run 'T'"),
    (lambda r: r.fork("T", 3, sets=["colour=red"]), "Cannot set 'colour': use FIELD=VALUE with FIELD one of ai_name"),
    (lambda r: r.fork("T", 3, sets=["goal"]), "Cannot set 'goal'"),
    (lambda r: r.fork("T", 3, sets=["goal5=x"]), "The run has 2 goals; set goal1 to goal3."),
    (lambda r: r.fork("T", 3, sets=["api_budget=lots"]), "api_budget must be a number of USD, not 'lots'."),
    (lambda r: r.fork("T", 3, command="{name:"), "The command is not valid JSON"),
    (lambda r: r.fork("T", 3, command="[1]"), "The command must be a JSON object"),
    (lambda r: r.fork("T", 3, command='{"name": "fly", "args": {}}'), "Unknown command 'fly'; the commands are: read_file"),
    (lambda r: r.fork("T", 3, command='{"name": "read_file", "args": {}}'), "'filename' is missing"),
    (lambda r: r.fork("T", 1, command='{"name": "list_files", "args": {"directory": "."}}'), "Step 1 has no proposed command to replace"),
    (lambda r: r.fork("T", 3, feedback="x", command="{}"), "Give either --feedback or --command, not both."),
    (lambda r: r.fork("T", 3, new_thread_id="T"), "Run 'T' already exists"),
])
def test_bad_requests_are_one_sentence_and_change_nothing(runner, tmp_path, call, message):
    finished_run(runner, tmp_path)
    before = checkpoint_ids(runner, "T")
    with pytest.raises(AgentError) as err:
        call(runner)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert checkpoint_ids(runner, "T") == before
    assert [t.thread_id for t in runner.threads()] == ["T"]


def test_steps_before_a_fork_point_are_in_the_original(runner, tmp_path):
    finished_run(runner, tmp_path)
    new = runner.fork("T", 9)
    with pytest.raises(AgentError, match=r"has steps 9 to 9, not 3 \(earlier steps are in run 'T'\)"):
        runner.replay(new, 3)


def test_fork_of_a_waiting_run_asks_about_the_new_command(runner, tmp_path):
    path = write_script(tmp_path, SCRIPT)
    list(runner.start(ai_config=AI_CONFIG, llm=f"script:{path}", thread_id="W"))
    last = runner.history("W")[-1]
    assert (last.node, last.result) == ("human_gate", "waiting for approval")
    new = runner.fork("W", last.step, command='{"name": "list_files", "args": {"directory": "."}}')
    steps = list(runner.resume(new))
    assert steps[-1].node == INTERRUPT and steps[-1].update["command"]["name"] == "list_files"
    assert runner.status("W").waiting["command"]["name"] == "write_to_file"  # the original still waits


def test_threads_with_the_in_memory_checkpointer(tmp_path):
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None)) as runner:
        finished_run(runner, tmp_path, thread="A")
        finished_run(runner, tmp_path, thread="B")
        assert [t.thread_id for t in runner.threads()] == ["B", "A"]
        assert len(runner.history("A")) == 18
