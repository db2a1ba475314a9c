"""Scale-out: two `autogpt serve` processes on one Postgres checkpointer and one workspaces folder serve
the same tasks; a step of a task asked of both at once runs once (the other gets 409), never twice."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.helpers import reply, write_script
from tests.processes import Server
from tests.services import postgres_schema

GOALS = {"ai_name": "TestGPT", "ai_role": "an AI that writes files for tests", "ai_goals": ["Log twice"]}
# Each model call takes a second, so two requests sent together overlap for sure.
SCRIPT = {"think": [reply("append_to_file", filename="log.txt", text="one\n"),
                    reply("append_to_file", filename="log.txt", text="two\n"),
                    reply("task_complete", reason="logged")], "delay": 1.0}


@pytest.fixture
def pg_url():
    with postgres_schema() as url:
        yield url


def at_once(*calls) -> list[httpx.Response]:
    results: list[httpx.Response] = []
    threads = [threading.Thread(target=lambda c=c: results.append(c())) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_servers_on_one_postgres_run_a_step_once(tmp_path, pg_url):
    write_script(tmp_path, SCRIPT, "S.yaml")
    args = ("--llm", "script:S.yaml", "--workspaces", "ws", "--checkpointer", pg_url)
    with Server(tmp_path, *args) as a, Server(tmp_path, *args) as b:
        api_a = httpx.Client(base_url=f"{a.url}/ap/v1/agent", timeout=60)
        api_b = httpx.Client(base_url=f"{b.url}/ap/v1/agent", timeout=60)
        task = api_a.post("/tasks", json={"input": "Log twice", "additional_input": GOALS}).json()
        tid = task["task_id"]
        assert api_b.get(f"/tasks/{tid}").json() == task  # created on one, served by the other
        assert api_b.post(f"/tasks/{tid}/steps").status_code == 200  # proposes the first append

        # The same step asked of both servers at once: one runs it, the other refuses.
        results = at_once(lambda: api_a.post(f"/tasks/{tid}/steps"), lambda: api_b.post(f"/tasks/{tid}/steps"))
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        busy = next(r for r in results if r.status_code == 409).json()
        assert list(busy) == ["error"] and "is running a step already" in busy["error"]
        log = tmp_path / "ws" / tid / "log.txt"
        assert log.read_text() == "one\n"

        # Two requests to one server at once (its threads share one database session): the same.
        results = at_once(lambda: api_a.post(f"/tasks/{tid}/steps"), lambda: api_a.post(f"/tasks/{tid}/steps"))
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        assert log.read_text() == "one\ntwo\n"

        last = api_b.post(f"/tasks/{tid}/steps").json()
        assert last["is_last"] and last["additional_output"]["stop_reason"] == "Task complete: logged"
        assert log.read_text() == "one\ntwo\n"
        steps_a = api_a.get(f"/tasks/{tid}/steps").json()["steps"]
        assert steps_a == api_b.get(f"/tasks/{tid}/steps").json()["steps"] and len(steps_a) == 4
        assert "Traceback" not in a.output() + b.output()
