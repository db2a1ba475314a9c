"""`langgraph dev` as a test server: the real LangGraph API server (in-memory runtime) serving
langgraph.json on a free port of 127.0.0.1, offline (no browser, no telemetry, no version check)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
# What keeps `langgraph dev` off the network: its CLI analytics, PyPI version check and tracing.
OFFLINE_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    # Tests keep the server's threads in memory only, not in the repo's .langgraph_api/.
    "LANGGRAPH_DISABLE_FILE_PERSISTENCE": "true",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LangGraphDevServer:
    """Starts `langgraph dev --port P` in the repo (langgraph.json's paths are relative to the working
    directory) and stops it; its log goes to `log_dir`."""

    def __init__(self, log_dir: Path, startup_timeout: float = 90.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.log_path = Path(log_dir) / "langgraph-dev.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LangGraphDevServer:
        cli = Path(sys.executable).with_name("langgraph")
        if not cli.exists():
            raise RuntimeError(f"{cli} is missing: install the test extra (EXTRAS=test scripts/install.sh).")
        command = [str(cli), "dev", "--port", str(self.port), "--host", "127.0.0.1", "--no-browser",
                   "--no-reload", "--config", str(REPO / "langgraph.json")]
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, **OFFLINE_ENV}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"langgraph dev exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/ok", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"langgraph dev did not answer on {self.url} within {self.startup_timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")[-5000:]

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            # The server runs in its own session: stop it and any worker it started.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
