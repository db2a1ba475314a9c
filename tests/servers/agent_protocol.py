"""The Agent Protocol app of `autogpt serve` under a real uvicorn in a thread of the test process, on a
free port: the tests talk to it over HTTP with httpx, as a client would."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from autogpt_graph.graph.server.app import create_app
from autogpt_graph.graph.server.service import AgentService
from tests.processes import free_port


class AppServer:
    def __init__(self, service: AgentService):
        self.service = service
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(service), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def client(self, prefix: str = "/ap/v1/agent") -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}{prefix}", timeout=60)

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.service.close()
