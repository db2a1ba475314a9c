"""The OpenAI-compatible test server, driven through the real client stack.

Every test talks HTTP to a real server on 127.0.0.1 through
``langchain_openai.ChatOpenAI`` (and so the ``openai`` SDK and its retry
logic); nothing is mocked.
"""

from __future__ import annotations

import socket
import time

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.servers.openai_compat import OpenAICompatServer

pytestmark = pytest.mark.timeout(30)


def make_llm(srv: OpenAICompatServer, **overrides) -> ChatOpenAI:
    kwargs = dict(
        model="gpt-3.5-turbo",
        base_url=srv.base_url,
        api_key="test-key",
        max_retries=3,
        timeout=5,
    )
    kwargs.update(overrides)
    return ChatOpenAI(**kwargs)


def test_invoke_returns_scripted_reply_and_usage():
    with OpenAICompatServer(replies=["Hello from the fake API"]) as srv:
        assert srv.base_url.startswith("http://127.0.0.1:")
        assert srv.base_url.endswith("/v1")

        msg = make_llm(srv).invoke("hi")

        assert msg.content == "Hello from the fake API"
        assert msg.usage_metadata is not None
        assert msg.usage_metadata["input_tokens"] == 1  # "hi" -> max(1, 2 // 4)
        assert msg.usage_metadata["output_tokens"] == len("Hello from the fake API") // 4
        assert msg.usage_metadata["total_tokens"] == (
            msg.usage_metadata["input_tokens"] + msg.usage_metadata["output_tokens"]
        )
        assert msg.response_metadata["finish_reason"] == "stop"
        assert msg.response_metadata["model_name"] == "gpt-3.5-turbo"

        assert len(srv.requests) == 1
        body = srv.requests[0]
        assert body["model"] == "gpt-3.5-turbo"
        assert body["messages"] == [{"role": "user", "content": "hi"}]
        assert body.get("stream") in (False, None)
        assert srv.request_headers[0]["authorization"] == "Bearer test-key"


def test_max_tokens_is_recorded_as_sent():
    # langchain-openai sends the newer `max_completion_tokens` name.
    with OpenAICompatServer(replies=["ok"]) as srv:
        make_llm(srv, max_tokens=7).invoke("hi")
        body = srv.requests[0]
        assert body.get("max_completion_tokens", body.get("max_tokens")) == 7


def test_429_then_500_are_absorbed_by_client_retries():
    with OpenAICompatServer(replies=["finally"], faults=[429, 500]) as srv:
        started = time.monotonic()
        msg = make_llm(srv).invoke("hi")
        elapsed = time.monotonic() - started

        assert msg.content == "finally"
        assert len(srv.requests) == 3
        assert srv.faults == []
        # the same body is replayed on every attempt
        assert srv.requests[0] == srv.requests[1] == srv.requests[2]
        assert [h["x-stainless-retry-count"] for h in srv.request_headers] == ["0", "1", "2"]
        # 429 -> retry-after-ms: 10; 500 -> SDK backoff 1.0 s * (0.75..1.0)
        assert elapsed < 3


def test_faults_can_be_appended_between_calls():
    with OpenAICompatServer(replies=["one", "two"]) as srv:
        llm = make_llm(srv)
        assert llm.invoke("a").content == "one"
        srv.faults.append(429)
        assert llm.invoke("b").content == "two"
        assert len(srv.requests) == 3


def test_fault_exceeding_retries_surfaces_as_rate_limit_error():
    with OpenAICompatServer(replies=["unused"], faults=[429, 429]) as srv:
        with pytest.raises(openai.RateLimitError):
            make_llm(srv, max_retries=1).invoke("hi")
        assert len(srv.requests) == 2
        assert srv.replies == ["unused"]


def test_wrong_api_key_raises_authentication_error():
    with OpenAICompatServer(replies=["never"]) as srv:
        with pytest.raises(openai.AuthenticationError) as info:
            make_llm(srv, api_key="wrong-key").invoke("hi")
        assert info.value.status_code == 401
        assert info.value.code == "invalid_api_key"
        assert "Incorrect API key provided" in str(info.value)
        assert len(srv.requests) == 1  # 401 is not retried
        assert srv.replies == ["never"]  # and consumes no reply


def test_stream_yields_chunks_and_usage():
    reply = "streamed words arrive one by one"
    with OpenAICompatServer(replies=[reply, reply]) as srv:
        llm = make_llm(srv)

        chunks = list(llm.stream("hi", stream_usage=True))
        assert len([c for c in chunks if c.content]) > 1
        full = chunks[0]
        for c in chunks[1:]:
            full = full + c
        assert full.content == reply
        assert full.usage_metadata is not None
        assert full.usage_metadata["output_tokens"] == len(reply) // 4
        assert srv.requests[0]["stream"] is True
        assert srv.requests[0]["stream_options"] == {"include_usage": True}

        # With a custom base_url langchain-openai does not ask for usage by default.
        text = "".join(c.content for c in llm.stream("hi"))
        assert text == reply
        assert "stream_options" not in srv.requests[1]


def test_exhausted_replies_raise_without_retrying():
    with OpenAICompatServer(replies=["only one"]) as srv:
        llm = make_llm(srv)
        assert llm.invoke("hi").content == "only one"
        started = time.monotonic()
        with pytest.raises(openai.InternalServerError, match="no more scripted replies"):
            llm.invoke("again")
        # `x-should-retry: false` stops the SDK from retrying a scripting error
        assert len(srv.requests) == 2
        assert time.monotonic() - started < 1


def test_callable_replies_see_the_request_body():
    def echo(body: dict) -> str:
        return "echo: " + body["messages"][-1]["content"]

    with OpenAICompatServer(replies=echo) as srv:
        llm = make_llm(srv)
        assert llm.invoke("first").content == "echo: first"
        assert llm.invoke("second").content == "echo: second"


def test_delay_longer_than_client_timeout_times_out():
    with OpenAICompatServer(replies=["too late"], delay=2) as srv:
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            make_llm(srv, timeout=0.2, max_retries=0).invoke("hi")
        assert time.monotonic() - started < 1.5
        assert len(srv.requests) == 1
    # stop() interrupted the pending delay instead of waiting it out


def test_hang_fault_times_out_then_retry_succeeds():
    with OpenAICompatServer(replies=["after the hang"], faults=[{"hang": 2}]) as srv:
        msg = make_llm(srv, timeout=0.3, max_retries=1).invoke("hi")
        assert msg.content == "after the hang"
        assert len(srv.requests) == 2


def test_custom_error_fault_dict():
    fault = {"status": 400, "message": "bad thing", "code": "bad_code"}
    with OpenAICompatServer(replies=["unused"], faults=[fault]) as srv:
        with pytest.raises(openai.BadRequestError, match="bad thing") as info:
            make_llm(srv).invoke("hi")
        assert info.value.code == "bad_code"


def test_models_endpoint_and_raw_error_shape():
    with OpenAICompatServer(replies=[], faults=[429]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test-key", max_retries=0)
        assert [m.id for m in client.models.list()] == ["gpt-3.5-turbo"]

        body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
        r = httpx.post(f"{srv.base_url}/chat/completions", json=body,
                       headers={"Authorization": "Bearer test-key"})
        assert r.status_code == 429
        assert r.headers["retry-after-ms"] == "10"
        assert r.headers["retry-after"] == "0"
        assert r.json()["error"]["type"] == "rate_limit_error"

        r = httpx.post(f"{srv.base_url}/chat/completions", json=body,
                       headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401
        assert r.json() == {"error": {
            "message": "Incorrect API key provided",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }}


def test_stop_releases_the_port():
    srv = OpenAICompatServer(replies=["x"]).start()
    port = srv.port
    assert make_llm(srv).invoke("hi").content == "x"  # leaves a keep-alive conn
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5)
    srv.stop()  # idempotent
