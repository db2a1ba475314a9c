"""The web UI as one FastAPI app: the page (HTML, CSS and JS shipped in this package, nothing from
the internet), its JSON API and live stream, behind the guard of graph/webui/security.py.

    app = create_app("auto_gpt_workspace")               # uvicorn.run(app, host="127.0.0.1", port=8765)
    server.mount("/ui", create_app(ws, token="..."))     # or inside another app (all URLs are relative)
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from langgraph.checkpoint.base import BaseCheckpointSaver

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.webui.api import api_router, error_response
from autogpt_graph.graph.webui.live import LiveRuns
from autogpt_graph.graph.webui.security import HEADERS, Guard

STATIC = files("autogpt_graph.graph.webui") / "static"


def create_app(
    workspace: str | Path,
    *,
    checkpointer: BaseCheckpointSaver | str | None = None,
    settings: Settings | None = None,
    guard: Guard | None = None,
) -> FastAPI:
    """The app for the runs of `workspace`'s checkpointer (SQLite in WORKSPACE/.autogpt by default,
    or a Postgres URL), so runs started from the CLI show up and runs started here resume there."""
    guard = guard or Guard()
    runner = AgentRunner(workspace, checkpointer=checkpointer, settings=settings)
    live = LiveRuns(runner)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        try:
            yield
        finally:
            live.close()
            runner.close()

    app = FastAPI(title="autogpt-graph web UI", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.live, app.state.guard = live, guard

    @app.middleware("http")
    async def guarded(request: Request, call_next):
        refused = guard.refusal(request)
        if refused is not None:
            return refused
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(AgentError)
    async def agent_error(_request: Request, exc: AgentError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "the request"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid value')}."}, status_code=422)

    page = (STATIC / "index.html").read_text("utf-8")

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        # The CSRF token goes in the page, where only a script of this origin can read it.
        return HTMLResponse(page.replace("{{csrf}}", escape(guard.csrf)).replace(
            "{{token_required}}", "true" if guard.token else "false"))

    app.include_router(api_router(live))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
