"""`autogpt serve`: the Agent Protocol over HTTP, with httpx against the app under a real uvicorn and
the scripted model: tasks, one-cycle steps that answer the human gate, artifacts confined to the
task's workspace, the JSON errors (404, 422, 409), and a model failure that leaves the task resumable."""

from __future__ import annotations

import shutil
import socket
import threading
import uuid
from collections.abc import Callable

import httpx
import pytest

from autogpt_graph.graph.server.service import AgentService
from autogpt_graph.graph.settings import Settings
from tests.helpers import reply, write_script
from tests.processes import assert_one_error, autogpt
from tests.servers.agent_protocol import AppServer

GOALS = {"ai_name": "TestGPT", "ai_role": "an AI that writes files for tests", "ai_goals": ["Write the files"]}
WRITE_ABC = {"think": [
    reply("write_to_file", filename="a.txt", text="A"),
    reply("write_to_file", filename="b.txt", text="B"),
    reply("write_to_file", filename="c.txt", text="C"),
    reply("task_complete", reason="all written"),
]}


@pytest.fixture
def serve(tmp_path) -> Callable[..., AppServer]:
    """serve(script) -> a running server whose model replays `script`; stopped after the test."""
    started: list[AppServer] = []

    def start(script, name: str = "script.yaml", workspaces: str = "ws", checkpointer: str | None = None) -> AppServer:
        path = write_script(tmp_path, script, name)
        service = AgentService(tmp_path / workspaces, llm=f"script:{path}", checkpointer=checkpointer,
                               settings=Settings(_env_file=None))
        started.append(AppServer(service).__enter__())
        return started[-1]

    yield start
    for server in started:
        server.__exit__(None, None, None)


def new_task(api: httpx.Client, text: str = "Write the files", **additional) -> dict:
    response = api.post("/tasks", json={"input": text, "additional_input": additional or None})
    assert response.status_code == 200, response.text
    return response.json()


def step(api: httpx.Client, task_id: str, answer: str | None = None, status: int = 200) -> dict:
    response = api.post(f"/tasks/{task_id}/steps", json={"input": answer} if answer is not None else None)
    assert response.status_code == status, response.text
    return response.json()


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and body["error"].endswith((".", ")")), body
    return body["error"]


# --- tasks -----------------------------------------------------------------------------------------


def test_tasks_are_created_listed_and_read_with_their_own_workspace(serve, tmp_path):
    server = serve(WRITE_ABC)
    with server.client() as api:
        created = [new_task(api, f"task {i}") for i in range(3)]
        first = created[0]
        assert set(first) == {"task_id", "input", "additional_input", "created_at", "modified_at", "artifacts"}
        assert first["input"] == "task 0" and first["additional_input"] == {} and first["artifacts"] == []
        assert (tmp_path / "ws" / first["task_id"]).is_dir()
        listed = api.get("/tasks", params={"page_size": 2}).json()
        assert [t["task_id"] for t in listed["tasks"]] == [t["task_id"] for t in created[:2]]
        assert listed["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 1, "page_size": 2}
        second = api.get("/tasks", params={"page_size": 2, "current_page": 2}).json()
        assert [t["task_id"] for t in second["tasks"]] == [created[2]["task_id"]]
        assert api.get(f"/tasks/{first['task_id']}").json() == first
    # The path agbenchmark 0.0.10 calls serves the same.
    with server.client("/agent") as api:
        assert api.get(f"/tasks/{first['task_id']}").json() == first


# --- steps and the human gate ----------------------------------------------------------------------


def test_each_step_is_one_cycle_and_its_input_answers_the_gate(serve, tmp_path):
    server = serve(WRITE_ABC)
    with server.client() as api:
        task = new_task(api, **GOALS)
        ws = tmp_path / "ws" / task["task_id"]
        first = step(api, task["task_id"])
        assert first["status"] == "completed" and first["is_last"] is False
        assert "NEXT ACTION: COMMAND = write_to_file" in first["output"] and not (ws / "a.txt").exists()
        assert first["additional_output"]["waiting"] is True and first["name"] == "cycle 1: write_to_file"

        approved = step(api, task["task_id"], "y")
        assert (ws / "a.txt").read_text() == "A" and not (ws / "b.txt").exists()
        assert "SYSTEM: Command write_to_file returned: File written to successfully." in approved["output"]
        assert [a["file_name"] for a in approved["artifacts"]] == ["a.txt"]
        assert approved["artifacts"][0]["agent_created"] is True

        # Feedback: b.txt is not written; the model is asked again and proposes c.txt.
        feedback = step(api, task["task_id"], "Write c.txt instead")
        assert not (ws / "b.txt").exists() and feedback["additional_output"]["results"] == []
        assert '"filename": "c.txt"' in feedback["output"]

        bad = api.post(f"/tasks/{task['task_id']}/steps", json={"input": "y -x"})
        assert "Invalid input format" in error_of(bad, 422)

        exited = step(api, task["task_id"], "n")
        assert exited["is_last"] is True and exited["additional_output"]["stop_reason"] == "Exited by the user."
        assert not (ws / "c.txt").exists()
        assert "has ended (Exited by the user.)" in error_of(api.post(f"/tasks/{task['task_id']}/steps"), 409)

        steps = api.get(f"/tasks/{task['task_id']}/steps").json()
        assert [s["step_id"] for s in steps["steps"]] == [s["step_id"] for s in (first, approved, feedback, exited)]
        assert [s["input"] for s in steps["steps"]] == [None, "y", "Write c.txt instead", "n"]
        assert steps["pagination"]["total_items"] == 4
        assert api.get(f"/tasks/{task['task_id']}/steps/{approved['step_id']}").json() == approved


def test_y_minus_n_and_continuous_runs_still_step_one_cycle_at_a_time(serve, tmp_path):
    server = serve(WRITE_ABC)
    with server.client("/agent") as api:
        task = new_task(api, **GOALS)
        # agbenchmark's request: a POST with a JSON content type and no body at all.
        response = api.post(f"/tasks/{task['task_id']}/steps", headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        outputs = [step(api, task["task_id"], "y -3")]
        while not outputs[-1]["is_last"]:
            outputs.append(step(api, task["task_id"]))
        assert [[r["command"] for r in s["additional_output"]["results"]] for s in outputs] == [
            ["write_to_file"], ["write_to_file"], ["write_to_file"], ["task_complete"]]
        # "y -3" approves a.txt and authorises b.txt and c.txt; the gate waits again at task_complete.
        assert [s["additional_output"]["waiting"] for s in outputs] == [False, False, True, False]

        continuous = new_task(api, continuous=True, continuous_limit=2, **GOALS)
        done = [step(api, continuous["task_id"]) for _ in range(3)]
        assert [len(s["additional_output"]["results"]) for s in done] == [0, 1, 1]
        assert done[-1]["is_last"] and done[-1]["additional_output"]["stop_reason"] == "Continuous limit of 2 cycles reached."
        ws = tmp_path / "ws" / continuous["task_id"]
        assert sorted(p.name for p in ws.iterdir() if p.is_file()) == ["a.txt", "b.txt"]


def test_the_model_devises_goals_from_the_input(serve):
    decomposition = "Name: FileGPT\nDescription: an AI that writes files.\nGoals:\n- Write a.txt\n"
    server = serve({"decompose": [decomposition], **WRITE_ABC})
    with server.client() as api:
        task = new_task(api, "Write a.txt")
        first = step(api, task["task_id"])
        assert first["additional_output"]["ai_config"]["ai_name"] == "FileGPT"
        assert first["output"].startswith("FileGPT (an AI that writes files.). Goals: 1. Write a.txt")
        assert "FILEGPT THOUGHTS:" in first["output"]


def test_a_model_failure_ends_the_step_and_the_task_resumes(serve, tmp_path):
    short = {"think": WRITE_ABC["think"][:1]}  # no reply for the second cycle
    server = serve(short)
    with server.client() as api:
        task = new_task(api, **GOALS)
        step(api, task["task_id"])
        failed = step(api, task["task_id"])
        assert failed["is_last"] is False and "has no reply for think call #2" in failed["additional_output"]["error"]
        assert (tmp_path / "ws" / task["task_id"] / "a.txt").read_text() == "A"  # the cycle's command ran
        assert "Error:" in failed["output"] and "step it again" in failed["output"]
    server.__exit__(None, None, None)
    # The model fixed (here: the script completed) and a server started again: the task goes on.
    again = serve(WRITE_ABC, "script.yaml")
    with again.client() as api:
        steps = [step(api, task["task_id"])]
        while not steps[-1]["is_last"]:
            steps.append(step(api, task["task_id"]))
        assert steps[-1]["additional_output"]["stop_reason"] == "Task complete: all written"
        # a.txt was written once: its command did not run again.
        assert [r["command"] for s in steps for r in s["additional_output"]["results"]] == ["write_to_file"] * 2 + ["task_complete"]


def test_a_server_with_the_workspaces_mounted_elsewhere_works_in_its_own_path(serve, tmp_path):
    checkpoints = f"sqlite:{tmp_path / 'checkpoints.sqlite'}"
    first = serve(WRITE_ABC, checkpointer=checkpoints)
    with first.client() as api:
        task = new_task(api, **GOALS)
        step(api, task["task_id"])
    first.__exit__(None, None, None)
    shutil.copytree(tmp_path / "ws", tmp_path / "mounted")  # the shared folder, seen at another path
    second = serve(WRITE_ABC, workspaces="mounted", checkpointer=checkpoints)
    with second.client() as api:
        step(api, task["task_id"], "y")
    assert (tmp_path / "mounted" / task["task_id"] / "a.txt").read_text() == "A"
    assert not (tmp_path / "ws" / task["task_id"] / "a.txt").exists()


def test_two_requests_for_one_task_at_once_run_one_step(serve, tmp_path):
    script = {"think": [reply("append_to_file", filename="log.txt", text="once\n"),
                        reply("task_complete", reason="done")], "delay": 1.0}
    server = serve(script)
    with server.client() as api:
        task = new_task(api, **GOALS)
        step(api, task["task_id"])
        results: list[httpx.Response] = []
        threads = [threading.Thread(target=lambda: results.append(api.post(f"/tasks/{task['task_id']}/steps")))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.status_code for r in results) == [200, 409]
        busy = next(r for r in results if r.status_code == 409)
        assert "is running a step already" in error_of(busy, 409)
        assert (tmp_path / "ws" / task["task_id"] / "log.txt").read_text() == "once\n"
        assert len(api.get(f"/tasks/{task['task_id']}/steps").json()["steps"]) == 2


# --- artifacts -------------------------------------------------------------------------------------


def test_artifacts_upload_list_download(serve, tmp_path):
    rewrite = {"think": [reply("write_to_file", filename="in/data.txt", text="rewritten"),
                         reply("task_complete", reason="done")]}
    server = serve(rewrite)
    with server.client() as api:
        task = new_task(api, **GOALS)
        tid = task["task_id"]
        root = api.post(f"/tasks/{tid}/artifacts", files={"file": ("notes.md", b"# notes\n")})
        nested = api.post(f"/tasks/{tid}/artifacts", files={"file": ("data.txt", b"1,2,3\n")},
                          data={"relative_path": "in"})
        assert root.status_code == nested.status_code == 200, root.text + nested.text
        assert set(root.json()) == {"artifact_id", "agent_created", "file_name", "relative_path", "created_at", "modified_at"}
        assert (root.json()["relative_path"], nested.json()["relative_path"]) == (None, "in")
        assert root.json()["agent_created"] is False and isinstance(root.json()["created_at"], str)
        listed = api.get(f"/tasks/{tid}/artifacts").json()
        assert [(a["relative_path"], a["file_name"], a["agent_created"]) for a in listed["artifacts"]] == [
            ("in", "data.txt", False), (None, "notes.md", False)]
        assert listed["pagination"] == {"total_items": 2, "total_pages": 1, "current_page": 1, "page_size": 100}
        assert api.get(f"/tasks/{tid}").json()["artifacts"] == listed["artifacts"]
        download = api.get(f"/tasks/{tid}/artifacts/{nested.json()['artifact_id']}")
        assert download.status_code == 200 and download.content == b"1,2,3\n"

        step(api, tid)
        step(api, tid, "y")  # the agent rewrites the uploaded file: now it is the agent's
        after = {a["file_name"]: a for a in api.get(f"/tasks/{tid}/artifacts").json()["artifacts"]}
        assert after["data.txt"]["agent_created"] is True and after["notes.md"]["agent_created"] is False
        assert after["data.txt"]["artifact_id"] == nested.json()["artifact_id"]
        assert api.get(f"/tasks/{tid}/artifacts/{nested.json()['artifact_id']}").content == b"rewritten"
        assert len(api.get(f"/tasks/{tid}/artifacts", params={"page_size": 1}).json()["artifacts"]) == 1


def test_artifact_paths_are_confined_to_the_task_workspace(serve, tmp_path):
    server = serve(WRITE_ABC)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    with server.client() as api:
        tid = new_task(api, **GOALS)["task_id"]
        ws = tmp_path / "ws" / tid
        (ws / "out").symlink_to(outside)
        (ws / "secret-link.txt").symlink_to(outside / "secret.txt")

        def upload(name: str, folder: str | None) -> httpx.Response:
            return api.post(f"/tasks/{tid}/artifacts", files={"file": (name, b"x")},
                            data={"relative_path": folder} if folder is not None else None)

        for name, folder, reason in [
            ("x.txt", "../elsewhere", "'..' is not allowed"),
            ("x.txt", "/etc", "absolute paths are not allowed"),
            ("x.txt", ".autogpt", "reserved"),
            ("x.txt", "out", "outside the workspace through a symlink"),
            ("..", None, "must be a plain file name"),
        ]:
            assert reason in error_of(upload(name, folder), 422), (name, folder)
        assert not any(outside.glob("x.txt")) and not (tmp_path / "elsewhere").exists()
        # Links out of the workspace are not artifacts, so nothing outside can be downloaded.
        assert api.get(f"/tasks/{tid}/artifacts").json()["artifacts"] == []
        assert "has no artifact" in error_of(api.get(f"/tasks/{tid}/artifacts/{uuid.uuid4()}"), 404)
        assert not (ws / ".autogpt" / "x.txt").exists()


# --- errors ----------------------------------------------------------------------------------------


def test_errors_are_one_sentence_of_json(serve):
    server = serve(WRITE_ABC)
    with server.client() as api:
        unknown = str(uuid.uuid4())
        assert f"There is no task '{unknown}'" in error_of(api.get(f"/tasks/{unknown}"), 404)
        assert "There is no task" in error_of(api.post(f"/tasks/{unknown}/steps"), 404)
        assert "There is no task '..'" in error_of(api.get("/tasks/%2E%2E/artifacts"), 404)
        assert error_of(api.get("/tasks/..%2F..%2Fetc/artifacts"), 404)
        assert "There is no task" in error_of(api.post("/tasks/x/artifacts", files={"file": ("a", b"")}), 404)
        tid = new_task(api)["task_id"]
        assert "has no step" in error_of(api.get(f"/tasks/{tid}/steps/nope"), 404)
        assert "There is no GET" in error_of(api.get("/nowhere"), 404)

        assert "needs an input" in error_of(api.post("/tasks", json={"input": "  "}), 422)
        assert "needs an input" in error_of(api.post("/tasks"), 422)
        assert "additional_input.colour: is not an option here" in error_of(
            api.post("/tasks", json={"input": "t", "additional_input": {"colour": "red"}}), 422)
        assert "additional_input.ai_goals" in error_of(
            api.post("/tasks", json={"input": "t", "additional_input": {"ai_goals": []}}), 422)
        assert "additional_input.continuous" in error_of(
            api.post("/tasks", json={"input": "t", "additional_input": {"continuous": "often"}}), 422)
        assert "not valid JSON" in error_of(
            api.post("/tasks", content=b"{nope", headers={"Content-Type": "application/json"}), 422)
        assert "page_size" in error_of(api.get("/tasks", params={"page_size": 0}), 422)
        assert "file is missing" in error_of(api.post(f"/tasks/{tid}/artifacts", data={"relative_path": "x"}), 422)
        assert api.get("/tasks").json()["pagination"]["total_items"] == 1


# --- the command -----------------------------------------------------------------------------------


def test_serve_refuses_a_missing_script_and_a_busy_port_in_one_sentence(tmp_path):
    code, out = autogpt(tmp_path, "serve", "--llm", "script:nope.yaml", "--workspaces", "ws")
    assert_one_error(code, out, "The script file 'nope.yaml' does not exist")
    write_script(tmp_path, WRITE_ABC, "S.yaml")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = autogpt(tmp_path, "serve", "--llm", "script:S.yaml", "--port", str(port))
    assert_one_error(code, out, f"Cannot listen on 127.0.0.1:{port}", "choose another --port")
    assert not (tmp_path / "agent_workspaces").exists()
