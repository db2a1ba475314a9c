"""The body of `autogpt serve`: the Agent Protocol server (graph/server/) under uvicorn. Imported when
the command runs, so `autogpt --help` never loads FastAPI, LangGraph or the models."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import uvicorn

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.models import check_model_spec
from autogpt_graph.graph.runs.checkpointers import default_checkpoint_path, redact
from autogpt_graph.graph.server.app import PREFIX, create_app
from autogpt_graph.graph.server.service import AgentService
from autogpt_graph.graph.settings import get_settings


def _absolute(llm: str) -> str:
    # A task keeps the model spec it started with, and another server (another folder) may resume it.
    kind, _, arg = llm.partition(":")
    return f"{kind}:{Path(arg).resolve()}" if kind in ("script", "local") and arg else llm


def _check_port(host: str, port: int) -> None:
    """Refused in one sentence before anything is opened (uvicorn would log a bind error and exit)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise AgentError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port or --host.") from exc


def serve(host: str, port: int, workspaces: Path, checkpointer: str | None, llm: str, allow_downloads: bool) -> int:
    settings = get_settings()
    if allow_downloads:
        settings = settings.model_copy(update={"allow_downloads": True})
    llm = _absolute(check_model_spec(llm, settings))
    _check_port(host, port)
    service = AgentService(workspaces, checkpointer=checkpointer, llm=llm, settings=settings)
    try:
        stored = checkpointer or settings.checkpointer or str(default_checkpoint_path(service.store.root))
        ui.show_note(f"Serving the Agent Protocol at http://{host}:{port}{PREFIX}/agent/tasks (and /agent/tasks)")
        ui.show_note(f"Tasks' workspaces in {service.store.root}; checkpoints in {redact(stored)}; model {llm}.", "cyan")
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        uvicorn.run(create_app(service), host=host, port=port, log_level="warning")
    finally:
        service.close()
    return 0
