"""Whole runs through the real HTTP client path (`--llm openai`: langchain-openai and the openai SDK)
against a local OpenAI-compatible server: usage, retries, and the one-sentence errors."""

from __future__ import annotations

import socket
import time

import pytest

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm import retries
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import AI_CONFIG, WRITE_AND_FINISH, reply, run_to_end
from tests.servers.openai_compat import OpenAICompatServer


def approx_tokens(text: str) -> int:  # how the test server counts usage (not tiktoken)
    return max(1, len(text) // 4)


def prompt_text(body: dict) -> str:
    return "".join(m["content"] for m in body["messages"])


def run(tmp_path, settings: Settings, llm: str = "openai") -> AgentRunner:
    runner = AgentRunner(tmp_path / "ws", settings=settings)
    try:
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=llm, continuous=True, thread_id="t1"))
    finally:
        runner.close()
    return runner


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_through_openai_endpoint(tmp_path, use_server):
    with OpenAICompatServer(replies=WRITE_AND_FINISH) as srv:
        runner = run(tmp_path, use_server(srv.base_url))
    assert (runner.workspace / "hello.txt").read_text() == "hello world"
    with AgentRunner(runner.workspace, settings=Settings(_env_file=None)) as again:
        status = again.status(runner.thread_id)
    assert status.finished and status.stop_reason.startswith("Task complete")
    assert len(srv.requests) == 2
    usage = status.usage
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    # The server's own counts (len // 4), not a local tiktoken estimate.
    assert usage["prompt_tokens"] == sum(approx_tokens(prompt_text(b)) for b in srv.requests)
    assert usage["completion_tokens"] == sum(approx_tokens(r) for r in WRITE_AND_FINISH)
    assert usage["calls"] == {"think": 2}


def test_rate_limit_and_server_error_are_retried_and_said(tmp_path, use_server, monkeypatch):
    monkeypatch.setattr(retries, "FIRST_WAIT", 0.05)
    with OpenAICompatServer(replies=WRITE_AND_FINISH, faults=[429, 500]) as srv:
        with AgentRunner(tmp_path / "ws", settings=use_server(srv.base_url)) as runner:
            heard = []
            runner.on_notice = heard.append
            run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm="openai", continuous=True, thread_id="t1"))
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"
    assert len(srv.requests) == len(WRITE_AND_FINISH) + 2
    # The retries resent the same first request, each said on the stream with its wait, as it waited.
    assert srv.requests[0]["messages"] == srv.requests[1]["messages"] == srv.requests[2]["messages"]
    assert [retries.notice(event) for event in heard] == [
        f"Rate limited from {srv.base_url}: retrying in 0 s, attempt 2 of 7.",  # its Retry-After
        f"HTTP 500 from {srv.base_url}: retrying in 0.1 s, attempt 3 of 7."]


def test_retries_of_an_unreachable_server_are_said_then_fail(tmp_path, use_server, monkeypatch):
    monkeypatch.setattr(retries, "FIRST_WAIT", 0.01)
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    with AgentRunner(tmp_path / "ws", settings=use_server(base_url, max_retries=2)) as runner:
        heard = []
        runner.on_notice = heard.append
        with pytest.raises(AgentError, match="Could not reach the model at"):
            run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm="openai", continuous=True, thread_id="t1"))
    assert [retries.notice(event) for event in heard] == [
        f"No answer from {base_url}: retrying in 0.01 s, attempt 2 of 3.",
        f"No answer from {base_url}: retrying in 0.02 s, attempt 3 of 3."]


def test_wrong_key_is_one_sentence_and_the_run_can_be_resumed(tmp_path, use_server):
    with OpenAICompatServer(replies=WRITE_AND_FINISH) as srv:
        with pytest.raises(AgentError) as err:
            run(tmp_path, use_server(srv.base_url, key="wrong-key"))
        message = str(err.value)
        assert "API key" in message and "OPENAI_API_KEY" in message
        assert "\n" not in message and "Traceback" not in message and message.endswith(".")
        assert "wrong-key" not in message
        assert len(srv.requests) == 1  # a 401 is not retried
        assert not (tmp_path / "ws" / "hello.txt").exists()

        # Fixed key: the run continues from its last checkpoint.
        with AgentRunner(tmp_path / "ws", settings=use_server(srv.base_url)) as runner:
            assert not runner.status("t1").finished
            run_to_end(runner, runner.resume("t1"))
            assert runner.status("t1").stop_reason.startswith("Task complete")
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"


def test_unreachable_base_url_fails_fast_with_one_sentence(tmp_path, use_server):
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    began = time.monotonic()
    with pytest.raises(AgentError) as err:
        run(tmp_path, use_server(base_url, max_retries=0))
    assert time.monotonic() - began < 10
    message = str(err.value)
    assert message.startswith(f"Could not reach the model at {base_url}")
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("llm, model", [("openai", "gpt-4"), ("openai:my-local-model", "my-local-model")])
def test_request_bodies(tmp_path, use_server, llm, model):
    with OpenAICompatServer(replies=WRITE_AND_FINISH) as srv:
        run(tmp_path, use_server(srv.base_url), llm=llm)
    assert len(srv.requests) == 2
    for body in srv.requests:
        assert body["model"] == model  # think uses the smart model (SMART_LLM_MODEL, gpt-4 by default)
        tokens = body.get("max_completion_tokens", body.get("max_tokens"))
        assert tokens == 1000
        assert body.get("max_tokens") == 1000  # servers like llama.cpp only read max_tokens
        assert body["temperature"] == 0.0
        assert not body.get("stream")
        first = body["messages"][0]
        assert first["role"] == "system"
        assert first["content"].startswith("You are TestGPT, an AI that writes files for tests")
    assert srv.request_headers[0]["authorization"] == "Bearer test-key"
    # The second cycle's prompt carries the first command's result.
    assert any("hello.txt" in m["content"] for m in srv.requests[1]["messages"][1:])


def test_a_retry_after_a_push_back_samples_at_the_retry_temperature(tmp_path, use_server):
    listing = reply("list_files", directory=".")
    replies = [listing, listing, reply("task_complete", reason="done")]
    with OpenAICompatServer(replies=replies) as srv:
        run(tmp_path, use_server(srv.base_url, retry_temperature=0.8, steering="small"))
    # The repeated listing is pushed back (nothing written since); only the call after it runs hotter.
    assert [body["temperature"] for body in srv.requests] == [0.0, 0.0, 0.8]


# A reply proposing list_files twice, then task_complete, with a goal file that is never written.
LOOK_TWICE_THEN_FINISH = [reply("list_files", directory="."), reply("list_files", directory="."),
                          reply("task_complete", reason="done")]
GREET_GOALS = {**AI_CONFIG, "ai_goals": ["Write a greeting to greet.txt"]}


def _run_goals(tmp_path, settings: Settings, ai_config: dict) -> AgentRunner:
    runner = AgentRunner(tmp_path / "ws", settings=settings)
    try:
        run_to_end(runner, runner.start(ai_config=ai_config, llm="openai", continuous=True, thread_id="t1"))
    finally:
        runner.close()
    return runner


def test_a_hosted_model_gets_v030s_loop_without_push_backs(tmp_path, use_server):
    """STEERING's default (auto) steers only small models: a hosted model's proposals run as AutoGPT
    v0.3.0 ran them, one model call each, and its prompt is v0.3.0's (no added constraint or example)."""
    with OpenAICompatServer(replies=LOOK_TWICE_THEN_FINISH) as srv:
        runner = _run_goals(tmp_path, use_server(srv.base_url), GREET_GOALS)
    assert len(srv.requests) == 3
    with AgentRunner(runner.workspace, settings=Settings(_env_file=None)) as again:
        status = again.status("t1")
    assert status.stop_reason == "Task complete: done"
    system = srv.requests[0]["messages"][0]["content"]
    assert "Ensure the response can be parsed by Python json.loads" in system
    assert "Example of a correct response" not in system and "You write text, poems" not in system
    assert not any("greet.txt, which does not exist yet" in prompt_text(b) for b in srv.requests)


def test_a_model_marked_small_is_pushed_back_as_the_local_one(tmp_path, use_server):
    """STEERING=small (or SMALL_MODELS naming the served model): the same proposals are pushed back,
    each once per cycle, and the repeated task_complete is accepted."""
    replies = [*LOOK_TWICE_THEN_FINISH, reply("task_complete", reason="done")]
    for settings in ({"steering": "small"}, {"small_models": "GPT-3.5"}):
        with OpenAICompatServer(replies=list(replies)) as srv:
            runner = _run_goals(tmp_path / str(len(settings)) / next(iter(settings)), use_server(srv.base_url, **settings),
                                GREET_GOALS)
        assert len(srv.requests) == 4
        assert "You already ran list_files" in prompt_text(srv.requests[2])
        assert "greet.txt, which does not exist yet" in prompt_text(srv.requests[3])
        with AgentRunner(runner.workspace, settings=Settings(_env_file=None)) as again:
            assert again.status("t1").stop_reason == "Task complete: done"
