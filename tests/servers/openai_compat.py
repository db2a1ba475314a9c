"""A small, real OpenAI-compatible chat-completions HTTP server for tests.

Standard library only: an ``http.server.ThreadingHTTPServer`` bound to
127.0.0.1 on a free port, served from a background thread.  It speaks enough
of the OpenAI REST API for the real client stack (``openai`` SDK,
``langchain_openai.ChatOpenAI``) to talk to it unmodified::

    with OpenAICompatServer(replies=["hello"]) as srv:
        llm = ChatOpenAI(model="gpt-3.5-turbo", base_url=srv.base_url,
                         api_key=srv.api_key, max_retries=3, timeout=5)
        assert llm.invoke("hi").content == "hello"
        assert srv.requests[0]["messages"][0]["content"] == "hi"

Endpoints
---------
``POST /v1/chat/completions``
    1. The JSON body is parsed and appended to ``srv.requests`` (every request
       that reaches the server is recorded, retries and rejected ones too);
       its headers go to ``srv.request_headers`` at the same index.
    2. The bearer key is checked against ``srv.api_key`` (``None`` disables
       the check): a wrong key gets 401 ``invalid_api_key``.
    3. If ``srv.faults`` is non-empty, the first fault is popped and answered
       instead of a reply (see *Faults*).  No reply is consumed.
    4. Otherwise the next scripted reply is taken: ``replies`` is either a
       list whose items are strings (or callables ``body -> str``), or a single
       callable ``body -> str`` that answers every request.  When a list is
       exhausted the answer is 500 "no more scripted replies" with
       ``x-should-retry: false`` so the client fails at once instead of
       retrying a scripting mistake.
    5. The answer is a ``chat.completion`` object, or, when the body has
       ``"stream": true``, ``chat.completion.chunk`` server-sent events ending
       in ``data: [DONE]`` (plus a usage-only chunk when
       ``stream_options.include_usage`` is true).

    Faults and replies are chosen when the request *arrives*, then ``delay``
    seconds pass before anything is written (so a client that timed out still
    used up its fault or reply, exactly as it would against a real server).

``GET /v1/models`` returns a list containing ``srv.model``.

Faults
------
``int``
    HTTP status with an OpenAI-style error body.  429 also carries
    ``retry-after-ms: 10`` and ``retry-after: 0`` so the openai SDK retries
    after 10 ms; other statuses carry no retry hint (the SDK then uses its own
    exponential backoff: 0.5 s * 2**retry_number, minus up to 25 % jitter).
``dict``
    ``{"status": 503, "message": "...", "type": "...", "code": "...",
    "headers": {...}}`` for a custom error (all keys but ``status`` optional;
    ``headers`` are added to / override the defaults), or ``{"hang": 1.5}``
    to wait that long and then drop the connection without any response
    (client sees a read timeout, or a connection error if it waited longer).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict], str]
Fault = int | dict

__all__ = ["OpenAICompatServer"]

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", None),
    404: ("invalid_request_error", None),
    408: ("timeout", None),
    409: ("conflict", None),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}

_DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "Incorrect API key provided",
    404: "Not found",
    408: "Request timed out",
    409: "Conflict",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
    504: "Gateway timeout.",
}


def _approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _content_text(content: Any) -> str:
    """Flatten a message ``content`` (string or list of parts) to text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return str(content)


def _prompt_text(body: dict) -> str:
    messages = body.get("messages") or []
    return "".join(
        _content_text(m.get("content")) for m in messages if isinstance(m, dict)
    )


def _split_for_stream(text: str) -> list[str]:
    """Word-sized pieces (each keeps its trailing whitespace); never empty."""
    pieces = re.findall(r"\s*\S+\s*", text) if text.strip() else []
    return pieces or [text]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner: OpenAICompatServer) -> None:
        self.owner = owner
        self._conn_lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        me = threading.current_thread()
        with self._conn_lock:
            self._conns.add(request)
            self._handler_threads.add(me)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._conns.discard(request)
                self._handler_threads.discard(me)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Client hang-ups (timeouts, closed pools) are expected in tests.
        pass

    def drop_connections(self, join_timeout: float = 2.0) -> None:
        with self._conn_lock:
            conns = list(self._conns)
            threads = list(self._handler_threads)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + join_timeout
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    server_version = "openai-compat-test"
    sys_version = ""
    timeout = 30  # socket timeout for idle keep-alive connections
    server: _Server

    # -- plumbing -----------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    @property
    def owner(self) -> OpenAICompatServer:
        return self.server.owner

    def _send_json(
        self, status: int, payload: dict, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(
        self,
        status: int,
        message: str | None = None,
        *,
        type_: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_type, default_code = _ERROR_TYPES.get(
            status, ("server_error" if status >= 500 else "invalid_request_error", None)
        )
        body = {
            "error": {
                "message": message or _DEFAULT_MESSAGES.get(status, f"HTTP {status}"),
                "type": type_ or default_type,
                "param": None,
                "code": code if code is not None else default_code,
            }
        }
        self._send_json(status, body, headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _authorized(self) -> bool:
        expected = self.owner.api_key
        if expected is None:
            return True
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or not auth[len("Bearer "):].strip():
            self._send_error(
                401,
                "You didn't provide an API key. You need to provide your API key "
                "in an Authorization header using Bearer auth.",
                code=None,
            )
            return False
        if auth[len("Bearer "):].strip() != expected:
            self._send_error(401, "Incorrect API key provided", code="invalid_api_key")
            return False
        return True

    def _route(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    # -- endpoints ----------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        if self._route() == "/v1/models":
            if not self._authorized():
                return
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [
                        {
                            "id": self.owner.model,
                            "object": "model",
                            "created": 1_700_000_000,
                            "owned_by": "openai-compat-test",
                        }
                    ],
                },
            )
            return
        self._send_error(404, f"Unknown request URL: GET {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        raw = self._read_body()  # always drain the body to keep keep-alive sane
        if self._route() != "/v1/chat/completions":
            self._send_error(404, f"Unknown request URL: POST {self.path}")
            return
        try:
            body = json.loads(raw or b"null")
            if not isinstance(body, dict):
                raise ValueError("body is not a JSON object")
        except ValueError as exc:
            self._send_error(400, f"We could not parse the JSON body of your request: {exc}")
            return

        owner = self.owner
        kind, value = owner._admit(body, {k.lower(): v for k, v in self.headers.items()})
        if kind == "unauthorized":
            self._authorized()  # sends the matching 401
            return
        if owner.delay:
            owner._stopping.wait(owner.delay)
        if kind == "fault":
            self._answer_fault(value)
        elif kind == "exhausted":
            self._send_error(
                500,
                "no more scripted replies",
                type_="server_error",
                headers={"x-should-retry": "false"},
            )
        else:
            try:
                text = value(body) if callable(value) else value
            except Exception as exc:  # a broken reply script is a test bug
                self._send_error(
                    500,
                    f"reply callable raised {type(exc).__name__}: {exc}",
                    headers={"x-should-retry": "false"},
                )
                return
            if text is not None and not isinstance(text, str):  # None: "content": null, as some servers send
                text = str(text)
            if body.get("stream"):
                self._answer_stream(body, text)
            else:
                self._answer_completion(body, text)

    # -- answers ------------------------------------------------------------

    def _answer_fault(self, fault: Fault) -> None:
        if isinstance(fault, dict) and "hang" in fault:
            self.owner._stopping.wait(float(fault["hang"]))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if isinstance(fault, dict):
            status = int(fault.get("status", 500))
            message, type_, code = fault.get("message"), fault.get("type"), fault.get("code")
            extra = {str(k): str(v) for k, v in (fault.get("headers") or {}).items()}
        else:
            status, message, type_, code, extra = int(fault), None, None, None, {}
        headers = {"retry-after-ms": "10", "retry-after": "0"} if status == 429 else {}
        headers.update(extra)
        self._send_error(status, message, type_=type_, code=code, headers=headers)

    def _usage(self, body: dict, text: str) -> dict:
        if self.owner.usage is not None:
            return dict(self.owner.usage)
        prompt = _approx_tokens(_prompt_text(body))
        completion = _approx_tokens(text or "")
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _answer_completion(self, body: dict, text: str) -> None:
        payload = {
            "id": self.owner._new_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.owner.model,
            "system_fingerprint": "fp_openai_compat_test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": self._usage(body, text),
        }
        self._send_json(200, payload)

    def _answer_stream(self, body: dict, text: str) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": self.owner._new_id(),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model") or self.owner.model,
            "system_fingerprint": "fp_openai_compat_test",
        }

        def chunk(delta: dict, finish: str | None) -> dict:
            c = {
                **base,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                c["usage"] = None
            return c

        events: list[dict] = [chunk({"role": "assistant", "content": "", "refusal": None}, None)]
        events += [chunk({"content": piece}, None) for piece in _split_for_stream(text)]
        events.append(chunk({}, "stop"))
        if include_usage:
            events.append({**base, "choices": [], "usage": self._usage(body, text)})

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        self.end_headers()
        for event in events:
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


class OpenAICompatServer:
    """OpenAI-compatible chat-completions server on ``127.0.0.1:<free port>``.

    Args:
        replies: list of reply strings (items may also be callables
            ``body -> str``), consumed in order; or one callable
            ``body -> str`` used for every request.
        faults: initial fault list (see module docstring); ``srv.faults`` can
            also be appended to at any time.
        api_key: expected bearer key; ``None`` accepts any (or no) key.
        delay: seconds to wait before answering each chat request; may be
            changed at any time via ``srv.delay``.
        model: model id listed by ``GET /v1/models`` and used in completions
            when the request names none.

    Attributes:
        base_url: ``"http://127.0.0.1:PORT/v1"``.
        host, port: bound address.
        requests: parsed JSON bodies of every chat request received, in
            arrival order (including retries and rejected ones).
        request_headers: the matching request headers (dicts with lower-cased
            names, e.g. ``"x-stainless-retry-count"``, ``"authorization"``).
        faults: pending faults, popped from the front.
        replies: the remaining scripted replies (a list) or the callable.
    """

    def __init__(
        self,
        replies: Iterable[Reply] | Callable[[dict], str] = (),
        *,
        faults: Iterable[Fault] = (),
        api_key: str | None = "test-key",
        delay: float = 0.0,
        model: str = "gpt-3.5-turbo",
        usage: dict | None = None,
    ) -> None:
        self.usage = usage  # reported instead of the counts (a server that lies about tokens)
        self.replies: list[Reply] | Callable[[dict], str] = (
            replies if callable(replies) else list(replies)
        )
        self.faults: list[Fault] = list(faults)
        self.api_key = api_key
        self.delay = delay
        self.model = model
        self.requests: list[dict] = []
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 0
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # -- lifecycle ----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> OpenAICompatServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server(self)
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"openai-compat-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wake handlers sleeping in delay/hang
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAICompatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request bookkeeping (called from handler threads) -------------------

    def _new_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"chatcmpl-test{self._counter:06d}"

    def _admit(self, body: dict, headers: dict[str, str]) -> tuple[str, Any]:
        """Record the request and decide, atomically, what it will get."""
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)
            if not self._key_ok(headers):
                return ("unauthorized", None)
            if self.faults:
                return ("fault", self.faults.pop(0))
            if callable(self.replies):
                return ("reply", self.replies)
            if not self.replies:
                return ("exhausted", None)
            return ("reply", self.replies.pop(0))

    def _key_ok(self, headers: dict[str, str]) -> bool:
        if self.api_key is None:
            return True
        auth = headers.get("authorization", "")
        return auth.startswith("Bearer ") and auth[len("Bearer "):].strip() == self.api_key
