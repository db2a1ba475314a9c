"""The web UI (graph/webui): its JSON API and live stream with the scripted model, its guard, and the
page itself in a real browser (Debian's chromium driven by Playwright) against `autogpt ui`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.webui import Guard, create_app
from autogpt_graph.graph.webui.security import check_bind
from autogpt_graph.graph.errors import AgentError
from tests.helpers import AI_CONFIG, FILLER, reply, run_script, write_script
from tests.processes import assert_one_error, autogpt, cli, env

SCRIPT = {
    "think": [
        reply("write_to_file", "I will greet the world.", filename="hello.txt", text="Hello"),
        reply("write_to_file", "A draft first.", filename="draft.txt", text="draft"),
        reply("write_to_file", "As asked, greeting.txt.", filename="greeting.txt", text="Hello again"),
        reply("task_complete", reason="the greetings are written"),
    ],
    "critique": ["Write greeting.txt instead of a draft."],
}
EDITED = {"name": "write_to_file", "args": {"filename": "forked.txt", "text": "Edited in the page"}}
# The README's screenshots are refreshed with WEBUI_SCREENSHOTS=docs/screenshots; otherwise the test
# takes them into a temporary folder, so a test run leaves the checkout as it was.
SCREENSHOTS = Path(os.environ.get("WEBUI_SCREENSHOTS") or tempfile.mkdtemp(prefix="webui-screenshots-")).resolve()


@pytest.fixture
def ui(tmp_path):
    """(client, headers for POSTs, script spec) on a fresh workspace."""
    app = create_app(tmp_path / "ws", settings=Settings(_env_file=None), guard=Guard(extra_hosts=("testserver",)))
    script = write_script(tmp_path, SCRIPT)
    with TestClient(app) as client:
        yield client, {"x-csrf-token": app.state.guard.csrf}, f"script:{script}"


def wait_for(client, thread: str, state: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/threads/{thread}").json()
        if status.get("state") == state:
            return status
        time.sleep(0.05)
    raise AssertionError(f"{thread} not {state} after {timeout}s: {status}")


def events(client, thread: str, after: int = 0) -> list[dict]:
    """The thread's streamed events so far (the run must have stopped: at its gate, or finished)."""
    last, out = client.app.state.live.last_seq(thread), []
    with client.stream("GET", f"/api/threads/{thread}/events", params={"after": after}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                out.append(json.loads(line[6:]))
                if out[-1]["seq"] >= last:
                    return out
    return out


def start(client, headers, llm, **options) -> str:
    response = client.post("/api/threads", json={"ai_settings": AI_CONFIG, "llm": llm, **options}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["thread_id"]


def test_a_run_started_in_the_page_streams_its_steps_and_waits_at_the_gate(ui):
    client, headers, llm = ui
    thread = start(client, headers, llm)
    status = wait_for(client, thread, "waiting")
    assert status["waiting"]["command"]["args"]["filename"] == "hello.txt"
    assert status["tokens"] > 0 and status["next"] == ["human_gate"]
    seen = events(client, thread)
    assert [e.get("node") for e in seen] == ["build_prompt", "think", "validate_json", "__interrupt__", None]
    proposal = seen[2]
    assert proposal["thoughts"]["text"] == "I will greet the world." and proposal["thoughts"]["plan"]
    assert proposal["command"]["name"] == "write_to_file"
    assert seen[-1]["status"]["state"] == "waiting" and seen[-1]["status"]["tokens"] == status["tokens"]
    rows = client.get("/api/threads").json()
    assert [(r["thread_id"], r["name"], r["state"], r["cycle"]) for r in rows] == [(thread, "TestGPT", "waiting", 1)]


def test_the_gate_approve_feedback_critique_and_stop(ui):
    client, headers, llm = ui
    thread = start(client, headers, llm)
    wait_for(client, thread, "waiting")
    answer = lambda text: client.post(f"/api/threads/{thread}/answer", json={"answer": text}, headers=headers)  # noqa: E731
    assert answer("y").status_code == 200
    status = wait_for(client, thread, "waiting")
    assert status["waiting"]["command"]["args"]["filename"] == "draft.txt"
    assert (Path(status["workspace"]) / "hello.txt").read_text() == "Hello"
    assert answer("s").status_code == 200  # self-critique: the model's critique becomes its feedback
    status = wait_for(client, thread, "waiting")
    assert status["waiting"]["command"]["args"]["filename"] == "greeting.txt"
    steps = [e for e in events(client, thread) if e.get("node") == "human_gate"]
    assert steps[-1]["feedback"] == {"text": "Write greeting.txt instead of a draft.", "source": "self"}
    assert answer("Put it in greeting.txt").status_code == 200  # feedback: the model proposes again
    status = wait_for(client, thread, "waiting")
    assert status["waiting"]["command"]["name"] == "task_complete"
    assert answer("n").status_code == 200
    status = wait_for(client, thread, "finished")
    assert status["reason"] == "Exited by the user."
    refused = answer("y")
    assert refused.status_code == 400 and "not waiting" in refused.json()["error"]


def test_history_step_state_files_and_a_fork_with_a_replacement_command(ui):
    client, headers, llm = ui
    thread = start(client, headers, llm)
    wait_for(client, thread, "waiting")
    client.post(f"/api/threads/{thread}/answer", json={"answer": "y -2"}, headers=headers)
    wait_for(client, thread, "waiting")  # two commands approved: hello.txt and draft.txt ran
    history = client.get(f"/api/threads/{thread}/history").json()["steps"]
    gate = next(line for line in history if line["node"] == "human_gate")
    written = next(line for line in history if line["files"] == ["hello.txt"])
    state = client.get(f"/api/threads/{thread}/steps/{written['step']}").json()
    assert state["ai_config"]["ai_goals"] == AI_CONFIG["ai_goals"] and state["checkpoint"] == written["checkpoint"]
    assert state["changes"][0]["path"] == "hello.txt" and "+Hello" in state["changes"][0]["diff"]
    thinking = next(line for line in history if line["node"] == "think")
    assert client.get(f"/api/threads/{thread}/steps/{thinking['step']}").json()["plan"]["time"]

    files = client.get(f"/api/threads/{thread}/files").json()
    assert [f["path"] for f in files["files"]] == ["draft.txt", "hello.txt"]
    assert client.get(f"/api/threads/{thread}/files", params={"path": "hello.txt"}).json()["text"] == "Hello"
    for bad in ("../outside.txt", "/etc/passwd", ".autogpt/checkpoints.sqlite"):
        refused = client.get(f"/api/threads/{thread}/files", params={"path": bad})
        assert refused.status_code == 400 and "Refused path" in refused.json()["error"]

    made = client.post(f"/api/threads/{thread}/fork", json={"step": gate["step"], "command": EDITED,
                                                             "sets": {"goal2": "Then stop"}}, headers=headers)
    assert made.status_code == 200, made.text
    fork = made.json()["thread_id"]
    status = wait_for(client, fork, "waiting")
    assert status["waiting"]["command"] == EDITED and status["ai_config"]["ai_goals"][1] == "Then stop"
    client.post(f"/api/threads/{fork}/answer", json={"answer": "y"}, headers=headers)
    wait_for(client, fork, "waiting")
    assert (Path(status["workspace"]) / "forked.txt").read_text() == "Edited in the page"
    assert client.get(f"/api/threads/{fork}/history").json()["forked_from"] == {"thread": thread, "step": gate["step"]}
    assert not (Path(client.get(f"/api/threads/{thread}").json()["workspace"]) / "forked.txt").exists()

    bad = client.post(f"/api/threads/{thread}/fork", json={"step": gate["step"], "command": {"name": "no_such"}}, headers=headers)
    assert bad.status_code == 400 and "Unknown command 'no_such'" in bad.json()["error"]

    replayed = client.post(f"/api/threads/{thread}/replay", json={"step": gate["step"]}, headers=headers)
    assert replayed.status_code == 200
    status = wait_for(client, thread, "waiting")
    # The gate of step K asks again, with the files of step K back (hello.txt not yet written).
    assert status["waiting"]["command"]["args"]["filename"] == "hello.txt"
    assert not (Path(status["workspace"]) / "hello.txt").exists()
    restored = [e for e in events(client, thread) if e.get("node") == "files_restored"]
    assert restored and restored[-1]["note"]


def test_runs_from_the_cli_show_up_and_runs_from_the_page_resume_from_the_cli(ui, tmp_path):
    client, headers, llm = ui
    (tmp_path / "cli").mkdir()
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as runner:
        run_script(runner, tmp_path / "cli", [reply("task_complete", reason="nothing to do")], thread_id="from-cli", continuous=True)
    rows = {r["thread_id"]: r for r in client.get("/api/threads").json()}
    assert rows["from-cli"]["state"] == "finished" and rows["from-cli"]["reason"]
    thread = start(client, headers, llm, thread_id="from-page")
    wait_for(client, thread, "waiting")
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None), create=False) as runner:
        steps = list(runner.resume(thread, "y"))
    assert any(s.node == "execute_tool" for s in steps)
    assert client.get(f"/api/threads/{thread}").json()["waiting"]["command"]["args"]["filename"] == "draft.txt"


def test_pause_after_a_step_and_resume(ui, tmp_path):
    client, headers, _ = ui
    slow = write_script(tmp_path, {**FILLER, "delay": 0.2}, "slow.yaml")
    thread = start(client, headers, f"script:{slow}", continuous=True, continuous_limit=3)
    wait_for(client, thread, "running")
    assert client.post(f"/api/threads/{thread}/pause", json={}, headers=headers).status_code == 200
    status = wait_for(client, thread, "paused")
    assert status["cycle"] < 3 and status["next"]
    assert client.post(f"/api/threads/{thread}/resume", json={}, headers=headers).status_code == 200
    status = wait_for(client, thread, "finished")
    assert status["cycle"] == 3 and "limit" in status["reason"].lower()
    refused = client.post(f"/api/threads/{thread}/pause", json={}, headers=headers)
    assert refused.status_code == 400 and "nothing to pause" in refused.json()["error"]


def test_the_graph_is_drawn_without_graphviz_too(monkeypatch):
    from autogpt_graph.graph.builder import compile_graph
    from autogpt_graph.graph.runs.drawing import svg

    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # as where pygraphviz is not installed
    drawn = svg(compile_graph())
    assert drawn.startswith("<svg") and 'id="node-human_gate"' in drawn


def test_start_refusals_are_one_sentence(ui):
    client, headers, llm = ui
    cases = [
        ({"llm": llm}, "Give the agent a task"),
        ({"task": "x", "llm": llm, "continuous_limit": 3}, "needs continuous mode"),
        ({"task": "x", "llm": "script:/no/such.yaml"}, "does not exist"),
        ({"task": "x", "llm": llm, "budget": -1}, "budget"),
    ]
    for body, fragment in cases:
        response = client.post("/api/threads", json=body, headers=headers)
        assert response.status_code in (400, 422) and fragment in response.json()["error"], response.text
    assert client.get("/api/threads/nope").json()["error"].startswith("There is no run 'nope'")


def test_the_guard(tmp_path):
    app = create_app(tmp_path / "ws", settings=Settings(_env_file=None), guard=Guard(extra_hosts=("testserver",)))
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and app.state.guard.csrf in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        post = lambda **h: client.post("/api/threads", json={"task": "x"}, headers=h)  # noqa: E731
        assert post().status_code == 403  # no CSRF token
        assert post(**{"x-csrf-token": "stale"}).status_code == 403
        foreign = post(**{"x-csrf-token": app.state.guard.csrf, "origin": "http://evil.example"})
        assert foreign.status_code == 403 and "evil.example" in foreign.json()["error"]
        assert client.get("/api/threads", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
        assert client.put("/api/threads", headers={"x-csrf-token": app.state.guard.csrf}).status_code == 405

    app = create_app(tmp_path / "ws", settings=Settings(_env_file=None), guard=Guard(token="s3cret", extra_hosts=("testserver",)))
    with TestClient(app) as client:
        assert client.get("/").status_code == 200  # the page itself, which asks for the token
        assert client.get("/api/threads").status_code == 401
        assert client.get("/api/threads", headers={"x-autogpt-token": "wrong"}).status_code == 401
        assert client.get("/api/threads", headers={"x-autogpt-token": "s3cret"}).json() == []

    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", "tok")
    with pytest.raises(AgentError, match="add --token"):
        check_bind("0.0.0.0", None)


def test_ui_refuses_a_public_bind_without_a_token(tmp_path):
    code, out = autogpt(tmp_path, "ui", "--host", "0.0.0.0", "-w", str(tmp_path / "ws"))
    assert_one_error(code, out, "--token")


def test_the_page_loads_nothing_from_elsewhere(ui):
    client, _, _ = ui
    page = client.get("/").text
    for name in ("app.js", "style.css"):
        text = client.get(f"/static/{name}").text
        assert not re.search(r"https?://", text), name
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    svg = client.get("/api/graph.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "node&#45;think" in svg.text


# ---------- the page in a real browser ----------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = "/usr/bin/chromium"


def browser_or_skip():
    """Playwright's chromium on Debian's binary; skipped with the reason when either is missing,
    except under CI=true, where the browser test must run."""
    problem = None
    if not Path(CHROMIUM).is_file():
        problem = f"{CHROMIUM} is missing (scripts/install.sh installs Debian's chromium when run as root)"
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        problem = problem or "playwright is not installed (the test extra has it)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The web UI's browser test cannot run under CI: {problem}.")
        pytest.skip(problem)
    return sync_playwright, expect


def start_ui(folder: Path, ws: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([*cli(), "ui", "-w", str(ws), "--port", str(port), *extra], cwd=folder, env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"autogpt ui exited {proc.returncode}:\n{proc.stdout.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, url
        time.sleep(0.1)
    proc.kill()
    pytest.fail("autogpt ui did not listen within 60 s")


def shoot(page, name: str) -> None:
    """A screenshot of the whole page, from its top, for the README."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.slow
def test_the_page_asks_for_the_token(tmp_path):
    sync_playwright, expect = browser_or_skip()
    proc, url = start_ui(tmp_path, tmp_path / "ws", "--token", "s3cret")
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url)
            page.fill("#token-input", "s3cret")
            page.click("#token-ok")
            expect(page.locator("#threads")).to_contain_text("No runs yet")
            browser.close()
    finally:
        stop(proc)


@pytest.mark.slow
def test_in_a_real_browser(tmp_path):
    # No wait_for_function: the page's CSP forbids evaluating strings, which it needs.
    sync_playwright, expect = browser_or_skip()
    script = write_script(tmp_path, SCRIPT)
    proc, url = start_ui(tmp_path, tmp_path / "ws")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            outside = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:")) else None)
            page.goto(url)
            page.wait_for_selector("#new-run")
            # A run from the AI settings fields, with the scripted model.
            page.select_option("#run-mode", "settings")
            page.fill("#ai-name", "TestGPT")
            page.fill("#ai-role", "an AI that writes files for tests")
            page.fill("#ai-goals", "Write a greeting to a file\nThen shut down")
            page.fill("#llm", f"script:{script}")
            shoot(page, "runs.png")
            page.click("#start")
            page.wait_for_selector("#gate:not([hidden]) #approve")
            assert "hello.txt" in page.inner_text("#gate-command")
            assert page.locator('#feed .step[data-node="validate_json"]').count() == 1
            assert "I will greet the world." in page.inner_text("#feed")
            assert page.locator("#graph .node.current title").text_content() == "human_gate"
            shoot(page, "live.png")
            page.click("#approve")
            page.wait_for_selector('#feed .step[data-node="execute_tool"]')
            expect(page.locator("#gate-command")).to_contain_text("draft.txt", timeout=30_000)
            page.fill("#feedback", "Call it greeting.txt")
            page.click("#send-feedback")
            expect(page.locator("#gate-command")).to_contain_text("greeting.txt", timeout=30_000)
            assert "Call it greeting.txt" in page.inner_text("#feed")
            assert int(page.inner_text("#tokens")) > 0

            # History: open the first gate step and fork from it with an edited command.
            page.click("#tab-history")
            page.wait_for_selector("#history tbody tr")
            step = page.locator('#history tbody tr:has(td:text-is("human_gate"))').first
            k = step.get_attribute("data-step")
            step.click()
            page.wait_for_selector("#fork-command")
            assert "hello.txt" in page.input_value("#fork-command")
            page.fill("#fork-command", json.dumps(EDITED))
            shoot(page, "history.png")
            page.click("#fork-go")
            page.wait_for_url(re.compile(f"fork{k}-"))
            expect(page.locator("#gate-command")).to_contain_text("forked.txt", timeout=30_000)
            shoot(page, "fork.png")
            page.click("#approve")
            page.wait_for_selector('#feed .step[data-node="execute_tool"]')
            page.click("#tab-files")
            page.click('#files li[data-path="forked.txt"]')
            page.wait_for_selector("#file-text")
            assert page.inner_text("#file-text") == "Edited in the page"
            shoot(page, "files.png")

            page.goto(url)
            page.wait_for_selector("#threads tbody tr[data-thread]")
            assert page.locator("#threads tbody tr[data-thread]").count() == 2
            assert outside == []
            browser.close()
    finally:
        stop(proc)
