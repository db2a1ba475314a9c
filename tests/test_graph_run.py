"""Whole runs of the graph with the scripted model: the loop, the human gate, limits and budgets."""

from __future__ import annotations


import pytest

from autogpt_graph.graph.builder import build_graph
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import INTERRUPT, AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.nodes.human_gate import parse_answer
from autogpt_graph.graph.prompting.events import event_text
from tests.helpers import AI_CONFIG, FILLER, WRITE_AND_FINISH, nodes_of, reply, run_script, run_to_end, start_scripted, write_script


def test_scripted_run_writes_file_and_completes(runner, tmp_path):
    steps = run_script(runner, tmp_path, WRITE_AND_FINISH, continuous=True)
    assert (runner.workspace / "hello.txt").read_text() == "hello world"
    status = runner.status(runner.thread_id)
    assert status.finished and status.stop_reason == "Task complete: hello.txt is written"
    assert status.cycle == 2
    assert status.usage["calls"] == {"think": 2}
    assert status.usage["prompt_tokens"] > 500
    assert nodes_of(steps) == [
        "build_prompt", "think", "validate_json", "human_gate", "execute_tool", "summarise_memory",
        "build_prompt", "think", "validate_json", "human_gate", "execute_tool",
    ]


def test_build_graph_is_uncompiled_and_reusable():
    builder = build_graph()
    assert set(builder.nodes) == {
        "decompose_goals", "build_prompt", "think", "validate_json", "human_gate", "execute_tool", "summarise_memory",
    }
    assert "human_gate" in builder.compile().get_graph().draw_mermaid()


def test_task_decomposed_into_name_role_goals(runner, tmp_path):
    decomposition = (
        "Name: HaikuGPT\nDescription: a poet AI that writes haiku to files.\nGoals:\n"
        "- Write a haiku about autumn\n\n- Save it to haiku.txt\n\n- Shut down when done\n"
    )
    think = [reply("write_to_file", filename="haiku.txt", text="leaves fall"), reply("task_complete", reason="done")]
    script = {"decompose": [decomposition], "think": think}
    path = write_script(tmp_path, script)
    run_to_end(runner, runner.start(task="Write a haiku to haiku.txt", llm=f"script:{path}", continuous=True))
    cfg = runner.status(runner.thread_id).ai_config
    assert cfg["ai_name"] == "HaikuGPT"
    assert cfg["ai_role"] == "a poet AI that writes haiku to files."
    assert cfg["ai_goals"] == ["Write a haiku about autumn", "Save it to haiku.txt", "Shut down when done"]


# --- the human gate -------------------------------------------------------------------------------


def test_gate_y_runs_each_command_after_approval(runner, tmp_path):
    steps = run_script(runner, tmp_path, WRITE_AND_FINISH, answers=["y", "y"])
    assert nodes_of(steps).count(INTERRUPT) == 2
    request = next(s.update for s in steps if s.node == INTERRUPT)
    assert request["command"] == {"name": "write_to_file", "args": {"filename": "hello.txt", "text": "hello world"}}
    assert request["thoughts"]["plan"].startswith("- do it")
    assert runner.status(runner.thread_id).stop_reason.startswith("Task complete")


def test_gate_y_minus_n_authorises_several(runner, tmp_path):
    script = [reply("write_to_file", filename=f"f{i}.txt", text=str(i)) for i in range(4)]
    script.append(reply("task_complete", reason="done"))
    steps = run_script(runner, tmp_path, script, answers=["y -3", "y", "y"])
    # Asked for f0, then f1 and f2 ran unasked, then asked for f3 and for task_complete.
    assert nodes_of(steps).count(INTERRUPT) == 3
    assert sorted(p.name for p in runner.workspace.glob("f*.txt")) == ["f0.txt", "f1.txt", "f2.txt", "f3.txt"]


def test_gate_n_exits_without_running(runner, tmp_path):
    run_script(runner, tmp_path, WRITE_AND_FINISH, answers=["n"])
    status = runner.status(runner.thread_id)
    assert status.finished and status.stop_reason == "Exited by the user."
    assert not (runner.workspace / "hello.txt").exists()


def test_gate_feedback_goes_to_the_model(runner, tmp_path):
    script = [
        reply("write_to_file", filename="wrong.txt", text="x"),
        *WRITE_AND_FINISH,
    ]
    run_script(runner, tmp_path, script, answers=["Call the file hello.txt instead", "y", "y"])
    assert not (runner.workspace / "wrong.txt").exists()
    assert (runner.workspace / "hello.txt").exists()
    values = runner.graph.get_state(runner._config(runner.thread_id)).values
    texts = [event_text(e) for e in values["history"]]
    assert "Human feedback: Call the file hello.txt instead" in texts


def test_gate_feedback_reaches_next_prompt(runner, tmp_path):
    script = [reply("write_to_file", filename="wrong.txt", text="x"), *WRITE_AND_FINISH]
    _, prompts = start_scripted(runner, tmp_path, script, answers=["use hello.txt", "y", "y"])
    contents = [m.content for m in prompts[1]]
    assert "Human feedback: use hello.txt" in contents
    assert any('"wrong.txt"' in c for c in contents)  # the rejected proposal is shown too


@pytest.mark.parametrize("verdict, executes", [("Y The plan is sound and on task.", True), ("Write to hello.txt, not wrong.txt.", False)])
def test_gate_s_self_critique(runner, tmp_path, verdict, executes):
    script = {"think": [reply("write_to_file", filename="wrong.txt", text="x"), *WRITE_AND_FINISH], "critique": [verdict]}
    answers = ["s", "y", "y"] if executes else ["s", "y", "y"]
    steps = run_script(runner, tmp_path, script, answers=answers)
    assert (runner.workspace / "wrong.txt").exists() == executes
    gate = [s.update for s in steps if s.node == "human_gate" and s.update.get("critique")]
    assert gate and gate[0]["critique"] == verdict  # as data: the console adds its one label


def test_gate_invalid_input_asks_again(runner, tmp_path):
    steps = run_script(runner, tmp_path, WRITE_AND_FINISH, answers=["", "y -x", "y", "y"])
    requests = [s.update for s in steps if s.node == INTERRUPT]
    assert [r.get("error") is not None for r in requests] == [False, True, True, False]
    assert "Invalid input format" in requests[1]["error"]
    assert (runner.workspace / "hello.txt").exists()


@pytest.mark.parametrize(
    "raw, kind, count",
    [("y", "approve", 1), ("Y", "approve", 1), ("y -5", "approve", 5), ("n", "exit", 1), ("s", "critique", 1),
     ("please do X", "feedback", 1), ("", "invalid", 1), ("y -0", "invalid", 1), ("y -abc", "invalid", 1), (None, "invalid", 1)],
)
def test_parse_answer(raw, kind, count):
    answer = parse_answer(raw)
    assert (answer.kind, answer.count) == (kind, count)


# --- limits and budget ----------------------------------------------------------------------------


def test_continuous_limit_stops_after_n_cycles(runner, tmp_path):
    script = FILLER
    run_script(runner, tmp_path, script, continuous=True, continuous_limit=3)
    status = runner.status(runner.thread_id)
    assert status.stop_reason == "Continuous limit of 3 cycles reached."
    assert status.cycle == 3 and status.usage["calls"]["think"] == 3


def test_budget_is_a_hard_stop(tmp_path):
    # $0.03 / $0.06 per 1K tokens: each ~700-token cycle costs ~$0.025 plus up to $0.06 reserved for the reply.
    settings = Settings(_env_file=None, model_prices={"script": (0.03, 0.06)})
    script = FILLER
    with AgentRunner(tmp_path / "ws", settings=settings) as runner:
        cfg = {**AI_CONFIG, "api_budget": 0.2}
        run_script(runner, tmp_path, script, ai_config=cfg, continuous=True, continuous_limit=50)
        status = runner.status(runner.thread_id)
    assert status.stop_reason.startswith("API budget reached")
    assert status.usage["cost"] <= 0.2
    assert 1 < status.cycle < 50


def test_budget_warnings_in_prompt(tmp_path):
    settings = Settings(_env_file=None, model_prices={"script": (0.001, 0.001)})
    script = FILLER
    with AgentRunner(tmp_path / "ws", settings=settings) as runner:
        cfg = {**AI_CONFIG, "api_budget": 1.0}
        _, prompts = start_scripted(runner, tmp_path, script, ai_config=cfg, continuous=True, continuous_limit=2)
    notes = [m.content for prompt in prompts for m in prompt if "API budget" in m.content]
    assert notes[0] == "Your remaining API budget is $1.000"
    assert notes[1].startswith("Your remaining API budget is $0.99")


# --- invalid replies through the graph ------------------------------------------------------------


def test_invalid_reply_is_retried_with_the_problem_not_the_reply(runner, tmp_path):
    bad = "Sure! I'll write the file now."  # no JSON at all
    script = {"think": [bad, *WRITE_AND_FINISH]}
    runner.settings.fix_json_with_model = False
    steps, prompts = start_scripted(runner, tmp_path, script, continuous=True)
    assert nodes_of(steps)[:5] == ["build_prompt", "think", "validate_json", "think", "validate_json"]
    retry_prompt = prompts[1]
    assert retry_prompt[:-1] == prompts[0]  # the same prompt, plus the problem
    assert retry_prompt[-1].content.startswith("Your last reply could not be used:")
    assert bad not in retry_prompt[-1].content
    assert (runner.workspace / "hello.txt").exists()


def test_fix_json_asks_the_fast_model(runner, tmp_path):
    script = {"think": ["I think I should write the file.", WRITE_AND_FINISH[1]],
              "fix_json": [WRITE_AND_FINISH[0]]}
    run_script(runner, tmp_path, script, continuous=True)
    status = runner.status(runner.thread_id)
    assert status.usage["calls"] == {"think": 2, "fix_json": 1}
    assert (runner.workspace / "hello.txt").read_text() == "hello world"


@pytest.mark.parametrize(
    "bad, problem",
    [
        (reply("browse_the_web", url="x"), "Unknown command 'browse_the_web'"),
        (reply("command name"), "Unknown command 'command name'"),
        (reply("write_to_file", filename="<filename>", text="<text>"), "placeholder"),
        (reply("write_to_file", filename="a.txt"), "'text' is missing"),
        (reply("write_to_file", filename="a.txt", text=["not", "a", "string"]), "'text'"),
    ],
)
def test_wrong_commands_are_retried(runner, tmp_path, bad, problem):
    script = {"think": [bad, *WRITE_AND_FINISH]}
    _, prompts = start_scripted(runner, tmp_path, script, continuous=True)
    retry = prompts[1][-1].content
    assert problem in retry
    assert runner.status(runner.thread_id).stop_reason.startswith("Task complete")


def test_too_many_invalid_replies_stop_the_run(runner, tmp_path):
    runner.settings.fix_json_with_model = False
    script = {"repeat": True, "think": ["no json here"]}
    run_script(runner, tmp_path, script, continuous=True)
    status = runner.status(runner.thread_id)
    assert status.finished
    assert status.stop_reason.startswith("The model gave 4 unusable replies in a row")
    assert status.usage["calls"]["think"] == 4


def test_tool_errors_become_results(runner, tmp_path):
    script = [reply("read_file", filename="missing.txt"), reply("read_file", filename="../etc/passwd"),
              reply("task_complete", reason="done")]
    steps = run_script(runner, tmp_path, script, continuous=True)
    results = [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]
    assert results[0].startswith("Command read_file returned: Error: File 'missing.txt' does not exist")
    assert results[1].startswith("Command read_file returned: Error: Refused path '../etc/passwd'")


def test_start_refuses_existing_thread(runner, tmp_path):
    run_script(runner, tmp_path, WRITE_AND_FINISH, continuous=True, thread_id="same")
    with pytest.raises(AgentError, match="already exists"):
        runner.start(ai_config=AI_CONFIG, llm="script:x", thread_id="same")


def test_resume_with_a_higher_limit_continues(runner, tmp_path):
    script = FILLER
    run_script(runner, tmp_path, script, continuous=True, continuous_limit=2, thread_id="more")
    with pytest.raises(AgentError, match="higher --continuous-limit"):
        runner.resume("more")
    run_to_end(runner, runner.resume("more", continuous_limit=5))
    status = runner.status("more")
    assert status.cycle == 5 and status.stop_reason == "Continuous limit of 5 cycles reached."


def test_a_completed_run_cannot_be_resumed(runner, tmp_path):
    run_script(runner, tmp_path, WRITE_AND_FINISH, continuous=True, thread_id="done")
    with pytest.raises(AgentError, match="has already ended: Task complete"):
        runner.resume("done", continuous_limit=10)
