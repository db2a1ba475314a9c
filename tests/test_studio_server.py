"""LangGraph Studio's server: `langgraph dev` serves langgraph.json offline and runs the agent graph
through its HTTP API (langgraph-sdk client), on the scripted model chosen through the run context."""

from __future__ import annotations

import pytest
from autogpt_graph.graph.prompting.events import event_text
from langgraph_sdk import get_sync_client

from tests.helpers import AI_CONFIG, reply, write_script
from tests.servers.langgraph_dev import LangGraphDevServer

pytestmark = pytest.mark.timeout(180)

SCRIPT = {
    "think": [
        reply("write_to_file", filename="hello.txt", text="hello world"),
        reply("task_complete", reason="hello.txt is written"),
    ]
}


def test_server_graph_takes_run_choices_from_a_plain_context(tmp_path):
    """In-process, as the server calls it: the context dict becomes a ServerContext, whose choices
    (model, workspace, continuous) override the run options in state."""
    from autogpt_graph.graph.studio.app import graph

    script = write_script(tmp_path, SCRIPT)
    context = {"llm": f"script:{script}", "workspace": str(tmp_path / "ws"), "continuous": True}
    out = graph.invoke({"ai_config": AI_CONFIG, "run": {"llm": "openai"}}, context=context)
    assert out["stop_reason"] == "Task complete: hello.txt is written"
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"


def test_server_graph_input_is_what_a_run_starts_with():
    from autogpt_graph.graph.studio.app import graph

    assert set(graph.get_input_jsonschema()["properties"]) == {"task", "ai_config", "run"}


def test_a_resume_without_context_keeps_the_runs_model_and_workspace(tmp_path):
    """Started with a context choosing the scripted model and a workspace, resumed with none: the run
    goes on with its own choices (it switched to the local model and the default workspace)."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    from autogpt_graph.graph.builder import build_graph
    from autogpt_graph.graph.state import RunInput
    from autogpt_graph.graph.studio.options import ServerContext

    graph = build_graph(context_schema=ServerContext, input_schema=RunInput).compile(checkpointer=InMemorySaver())
    script = write_script(tmp_path, SCRIPT)
    config = {"configurable": {"thread_id": "s"}}
    out = graph.invoke({"ai_config": AI_CONFIG}, config, context={"llm": f"script:{script}", "workspace": str(tmp_path / "ws")})
    assert out["__interrupt__"][0].value["command"]["name"] == "write_to_file"
    graph.invoke(Command(resume="y"), config)
    out = graph.invoke(Command(resume="y"), config)
    assert out["stop_reason"] == "Task complete: hello.txt is written"
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"
    assert out["run"]["llm"] == f"script:{script}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LangGraphDevServer(tmp_path_factory.mktemp("langgraph-dev")) as srv:
        yield srv


def waiting_command(client, thread_id) -> dict:
    """The command the human gate asks about, read from the thread's state on the server."""
    state = client.threads.get_state(thread_id)
    assert state["next"] == ["human_gate"]
    (request,) = [i["value"] for t in state["tasks"] for i in t["interrupts"]]
    return request["command"]


def test_studio_server_runs_to_the_gate_resumes_and_keeps_history(server, tmp_path):
    client = get_sync_client(url=server.url)
    script = write_script(tmp_path, SCRIPT)
    workspace = tmp_path / "ws"
    # Studio's way: an assistant whose context picks the model and workspace for all its runs.
    assistant = client.assistants.create(
        graph_id="autogpt", name="scripted", context={"llm": f"script:{script}", "workspace": str(workspace)}
    )
    thread = client.threads.create()
    tid, aid = thread["thread_id"], assistant["assistant_id"]

    out = client.runs.wait(tid, aid, input={"ai_config": AI_CONFIG})
    assert out["__interrupt__"][0]["value"]["command"]["name"] == "write_to_file"
    assert waiting_command(client, tid) == {"name": "write_to_file", "args": {"filename": "hello.txt", "text": "hello world"}}
    assert not workspace.exists() or not (workspace / "hello.txt").exists()

    client.runs.wait(tid, aid, command={"resume": "y"})
    assert (workspace / "hello.txt").read_text() == "hello world"
    assert waiting_command(client, tid)["name"] == "task_complete"

    final = client.runs.wait(tid, aid, command={"resume": "y"})
    assert final["stop_reason"] == "Task complete: hello.txt is written"
    assert client.threads.get(tid)["status"] == "idle"

    history = client.threads.get_history(tid, limit=100)  # newest first
    nexts = [h["next"] for h in reversed(history)]
    assert nexts[0] == ["__start__"] and nexts[-1] == []
    assert nexts.count(["human_gate"]) == 2 and nexts.count(["execute_tool"]) == 2
    assert [h["values"].get("cycle") for h in history][0] == 2
    assert any(e["kind"] == "system" and "hello.txt" in event_text(e) for e in history[0]["values"]["history"])


def test_per_run_context_and_feedback_at_the_gate(server, tmp_path):
    """A run may pick the model in its own context instead (given again when it resumes); feedback
    at the gate starts a new cycle that shows the model what the human said."""
    client = get_sync_client(url=server.url)
    script = write_script(tmp_path, SCRIPT)
    context = {"llm": f"script:{script}", "workspace": str(tmp_path / "ws")}
    tid = client.threads.create()["thread_id"]
    client.runs.wait(tid, "autogpt", input={"ai_config": AI_CONFIG}, context=context)
    assert waiting_command(client, tid)["name"] == "write_to_file"

    client.runs.wait(tid, "autogpt", command={"resume": "Say it in French"}, context=context)
    assert waiting_command(client, tid)["name"] == "task_complete"  # the model's next reply
    values = client.threads.get_state(tid)["values"]
    assert values["cycle"] == 2
    assert any(e["kind"] == "user" and "Say it in French" in event_text(e) for e in values["history"])
    assert not (tmp_path / "ws" / "hello.txt").exists()  # the rejected command never ran

    final = client.runs.wait(tid, "autogpt", command={"resume": "n"}, context=context)
    assert final["stop_reason"] == "Exited by the user."


def test_a_bad_model_choice_is_reported_by_the_server(server, tmp_path):
    """Our one-sentence errors reach the API client (and Studio) instead of a generic message."""
    client = get_sync_client(url=server.url)
    tid = client.threads.create()["thread_id"]
    missing = tmp_path / "missing.yaml"
    with pytest.raises(Exception, match=f"The script file '{missing}' does not exist"):
        client.runs.wait(
            tid, "autogpt", input={"ai_config": AI_CONFIG},
            context={"llm": f"script:{missing}", "workspace": str(tmp_path / "ws")},
        )
    assert client.threads.get(tid)["status"] == "error"
