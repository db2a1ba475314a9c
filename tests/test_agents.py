"""Sub-agents: each is its own conversation thread in the run's checkpointer, so it survives the process."""

from __future__ import annotations

import json

from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import reply, start_scripted
from autogpt_graph.tools.agents import agent_threads
from autogpt_graph.graph.prompting.events import event_text


def start_agent(name: str, task: str, prompt: str) -> str:
    """A start_agent reply (its "name" argument clashes with reply()'s own parameter)."""
    data = json.loads(reply("start_agent"))
    data["command"]["args"] = {"name": name, "task": task, "prompt": prompt}
    return json.dumps(data)


def results_of(steps) -> list[str]:
    return [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]


def test_sub_agents_live_in_their_own_threads_and_survive_the_process(tmp_path):
    think = [
        start_agent(name="Mathy", task="do sums", prompt="What is 2+2?"),
        reply("message_agent", key="1", message="And 3+3?"),
        start_agent(name="Poet", task="write verse", prompt="A line about rain"),
        reply("list_agents"),
        reply("task_complete", reason="asked the agents"),
    ]
    agent = ["Acknowledged", "4", "6", "Acknowledged", "Rain taps the roof"]
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as runner:  # SQLite in the workspace
        steps, _ = start_scripted(runner, tmp_path, {"think": think, "agent": agent}, continuous=True)
        thread = runner.thread_id
        assert runner.status(thread).usage["calls"]["agent"] == 5
    results = results_of(steps)
    assert results[0] == "Command start_agent returned: Agent Mathy created with key 1. First response: 4"
    assert results[1] == "Command message_agent returned: 6"
    assert results[2] == "Command start_agent returned: Agent Poet created with key 2. First response: Rain taps the roof"
    assert results[3] == "Command list_agents returned: List of agents:\n1: do sums\n2: write verse"

    # A new process (a new runner on the same workspace) finds the conversations in the checkpointer.
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None), create=False) as again:
        agents = agent_threads(again.saver, thread)
    assert set(agents) == {"1", "2"}
    assert agents["1"]["name"] == "Mathy"
    assert [m.content for m in agents["1"]["messages"]] == [
        'You are Mathy.  Respond with: "Acknowledged".', "Acknowledged", "What is 2+2?", "4", "And 3+3?", "6",
    ]


def test_the_agent_sees_its_whole_conversation_and_can_be_deleted(tmp_path):
    think = [
        start_agent(name="Mathy", task="do sums", prompt="What is 2+2?"),
        reply("message_agent", key=1, message="Double it"),
        reply("message_agent", key="seven", message="hi"),
        reply("delete_agent", key="1"),
        reply("delete_agent", key="1"),
        reply("message_agent", key="1", message="still there?"),
        reply("list_agents"),
        reply("task_complete", reason="done"),
    ]
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None)) as runner:
        steps, _ = start_scripted(runner, tmp_path, {"think": think, "agent": ["Acknowledged", "4", "8"]}, continuous=True)
        seen = [m for purpose, m in runner._contexts[runner.thread_id].models.fast.chat.seen if purpose == "agent"]
    assert [m.content for m in seen[2]] == [
        'You are Mathy.  Respond with: "Acknowledged".', "Acknowledged", "What is 2+2?", "4", "Double it",
    ]
    assert results_of(steps)[1:7] == [
        "Command message_agent returned: 8",
        "Command message_agent returned: Error: Invalid key, must be an integer.",
        "Command delete_agent returned: Agent 1 deleted.",
        "Command delete_agent returned: Agent 1 does not exist.",
        "Command message_agent returned: Error: There is no agent with key 1; list_agents shows the agents.",
        "Command list_agents returned: There are no agents; start one with start_agent.",
    ]


def test_a_replayed_step_does_not_ask_the_agent_again(tmp_path):
    """Re-running the step that started an agent (as resume does after a crash, or a replay from Studio)
    returns the recorded answer: no second model call, no second agent, no doubled messages."""
    think = [start_agent(name="Mathy", task="do sums", prompt="What is 2+2?"), reply("task_complete", reason="done")]
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None)) as runner:
        steps, _ = start_scripted(runner, tmp_path, {"think": think, "agent": ["Acknowledged", "4"]}, continuous=True)
        thread = runner.thread_id
        ctx = runner._contexts[thread]
        before = next(s for s in runner.graph.get_state_history(runner._config(thread))
                      if s.next == ("execute_tool",) and s.values["cycle"] == 1)
        replayed = list(runner.graph.stream(None, before.config, context=ctx, stream_mode="updates"))
        agents = agent_threads(runner.saver, thread)
    first = next(u["execute_tool"] for u in replayed if "execute_tool" in u)
    assert results_of(steps)[0] == "Command start_agent returned: Agent Mathy created with key 1. First response: 4"
    assert any(event_text(e) == results_of(steps)[0] for e in first["history"])
    assert [p for p, _ in ctx.models.fast.chat.seen].count("agent") == 2
    assert set(agents) == {"1"} and len(agents["1"]["messages"]) == 4
