"""The page's JSON API and its live stream (SSE), over one AgentRunner and the runs it drives here.

    GET  api/threads                      runs: id, agent, status, cycles, tokens, cost, last update
    POST api/threads                      start a run (task or ai_config; llm, continuous, limit, budget)
    GET  api/threads/{id}                 its status (and the human gate's request when it waits)
    GET  api/threads/{id}/events?after=N  its steps as they happen (text/event-stream)
    POST api/threads/{id}/answer          answer the gate: y, y -N, n, s or feedback
    POST api/threads/{id}/resume|pause    go on from the last checkpoint / stop after this step
    GET  api/threads/{id}/history         every step: number, cycle, node, command, result, files
    GET  api/threads/{id}/steps/{k}       step k's state and the files it changed
    POST api/threads/{id}/replay|fork     replay from step k / a new run from step k with edits
    GET  api/threads/{id}/files[?path=]   the run's files, read-only
    GET  api/graph.svg                    the graph, drawn locally
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from autogpt_graph.graph.context import run_home
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.models import check_model_spec
from autogpt_graph.graph.llm.pricing import check_budget
from autogpt_graph.graph.memory.agent_memory import AgentMemory
from autogpt_graph.graph.runs.checkpointers import thread_ids
from autogpt_graph.graph.runs.drawing import svg
from autogpt_graph.graph.runs.threads import line_at
from autogpt_graph.graph.state import AIConfig
from autogpt_graph.graph.webui.files import list_files, read_file, run_folder, step_changes
from autogpt_graph.graph.webui.live import LiveRuns
from autogpt_graph.graph.webui.views import line_view, state_view, status_view
from autogpt_graph.tools.workspace import Workspace

# How often a stream looks for steps made by another process (a run driven from the CLI).
POLL_SECONDS = 0.5
# A comment line this often keeps proxies and the browser from closing a quiet stream.
KEEPALIVE_SECONDS = 15


class AISettings(BaseModel):
    ai_name: str = Field(min_length=1, max_length=200)
    ai_role: str = Field(min_length=1, max_length=2000)
    ai_goals: list[str] = Field(min_length=1, max_length=5)
    api_budget: float = 0.0


class StartRequest(BaseModel):
    task: str | None = None
    ai_settings: AISettings | None = None
    llm: str = "auto"
    continuous: bool = False
    continuous_limit: int = Field(0, ge=0)
    budget: float = 0.0
    thread_id: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class AnswerRequest(BaseModel):
    answer: str = Field(min_length=1, max_length=20_000)


class StepRequest(BaseModel):
    step: int


class ForkRequest(BaseModel):
    step: int
    feedback: str | None = None
    sets: dict[str, str] = {}  # FIELD: VALUE, as `autogpt fork --set FIELD=VALUE`
    command: dict[str, Any] | str | None = None


class ResumeRequest(BaseModel):
    continuous: bool | None = None
    continuous_limit: int | None = Field(None, ge=0)


def error_response(exc: AgentError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


def api_router(live: LiveRuns) -> APIRouter:
    runner = live.runner
    router = APIRouter(prefix="/api")
    drawn: list[str] = []

    def status_of(thread_id: str) -> dict:
        return status_view(runner.status(thread_id), running=live.running(thread_id))

    @router.get("/info")
    def info() -> dict:
        return {"workspace": str(runner.workspace)}

    @router.get("/threads")
    def threads() -> list[dict]:
        out = []
        for thread_id in thread_ids(runner.saver):
            snapshot = runner.graph.get_state({"configurable": {"thread_id": thread_id}})
            if not snapshot.values:
                continue
            row = status_of(thread_id)
            row.pop("waiting")
            row.update(name=(snapshot.values.get("ai_config") or {}).get("ai_name", "-"),
                       updated=snapshot.created_at or "", forked_from=snapshot.values.get("forked_from"))
            out.append(row)
        return out

    @router.post("/threads")
    def start(body: StartRequest) -> dict:
        if not (body.task and body.task.strip()) and body.ai_settings is None:
            raise AgentError("Give the agent a task, or a name, a role and at least one goal.")
        if body.continuous_limit and not body.continuous:
            raise AgentError("A cycle limit needs continuous mode; tick continuous or set the limit to 0.")
        check_budget(body.budget)
        check_model_spec(body.llm, runner.settings)
        ai_config = AIConfig(**body.ai_settings.model_dump()) if body.ai_settings else None
        thread_id = live.start(task=None if ai_config else body.task.strip(), ai_config=ai_config,
                               thread_id=body.thread_id, llm=body.llm, continuous=body.continuous,
                               continuous_limit=body.continuous_limit, api_budget=body.budget)
        return {"thread_id": thread_id}

    @router.get("/threads/{thread_id}")
    def thread(thread_id: str) -> dict:
        return status_of(thread_id)

    @router.get("/threads/{thread_id}/events")
    def events(request: Request, thread_id: str, after: int = Query(0, ge=0)) -> StreamingResponse:
        runner.status(thread_id)  # an unknown run is a 400 now, not an empty stream
        return StreamingResponse(_stream(request, live, thread_id, after), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    @router.post("/threads/{thread_id}/answer")
    def answer(thread_id: str, body: AnswerRequest) -> dict:
        live.answer(thread_id, body.answer)
        return {"ok": True}

    @router.post("/threads/{thread_id}/resume")
    def resume(thread_id: str, body: ResumeRequest) -> dict:
        live.resume(thread_id, continuous=body.continuous, continuous_limit=body.continuous_limit)
        return {"ok": True}

    @router.post("/threads/{thread_id}/pause")
    def pause(thread_id: str) -> dict:
        if not live.pause(thread_id):
            raise AgentError(f"Run '{thread_id}' is not running in this server, so there is nothing to pause.")
        return {"ok": True}

    @router.get("/threads/{thread_id}/history")
    def history(thread_id: str) -> dict:
        lines = runner.history(thread_id)
        return {"forked_from": lines[-1].forked_from if lines else None, "steps": [line_view(x) for x in lines]}

    @router.get("/threads/{thread_id}/steps/{step}")
    def step_state(thread_id: str, step: int) -> dict:
        line = line_at(runner, thread_id, step)
        values = runner.graph.get_state(line.config).values
        out = state_view(values, line, _memories(runner, values))
        out["changes"] = step_changes(runner, thread_id, step)
        return out

    @router.post("/threads/{thread_id}/replay")
    def replay(thread_id: str, body: StepRequest) -> dict:
        live.replay(thread_id, body.step)
        return {"thread_id": thread_id}

    @router.post("/threads/{thread_id}/fork")
    def fork(thread_id: str, body: ForkRequest) -> dict:
        feedback = body.feedback if body.feedback and body.feedback.strip() else None
        command = body.command if body.command not in (None, "", {}) else None
        sets = [f"{k}={v}" for k, v in body.sets.items()]
        return {"thread_id": live.fork(thread_id, body.step, feedback=feedback, sets=sets, command=command)}

    @router.get("/threads/{thread_id}/files")
    def files(thread_id: str, path: str | None = None) -> dict:
        folder = run_folder(runner, thread_id)
        return read_file(folder, path) if path else list_files(folder)

    @router.get("/graph.svg")
    def graph_svg() -> Response:
        if not drawn:  # laid out once per process (Graphviz takes ~0.1 s)
            drawn.append(svg(runner.graph))
        return Response(drawn[0], media_type="image/svg+xml")

    return router


def _memories(runner, values: dict) -> list[str]:
    """The texts recalled into the step's prompt (vector memory holds them; the state, their ids)."""
    ids = [pair[0] for pair in ((values.get("prompt") or {}).get("memories") or [])]
    if not ids:
        return []
    run = values.get("run", {})
    try:
        memory = AgentMemory(run.get("memory"), run_home(run, Workspace(run.get("workspace") or runner.workspace)), runner.settings)
        return [m.text if m else f"(memory {i} is no longer stored)" for i, m in zip(ids, memory.store.get(ids))]
    except Exception as exc:  # noqa: BLE001 - the step's other state is still worth showing
        return [f"(the recalled memories could not be read: {exc})"]


def _sse(event: dict) -> str:
    return f"id: {event.get('seq', 0)}\nevent: {event['kind']}\ndata: {json.dumps(event, default=str)}\n\n"


async def _stream(request: Request, live: LiveRuns, thread_id: str, after: int) -> AsyncIterator[str]:
    """Steps of runs driven here as they are published; for a run driven elsewhere (the CLI), a
    "changed" event whenever its newest checkpoint changes, so the page reloads what it shows.
    The waits run in worker threads, a short one at a time, so a closed page frees its thread soon."""
    saver = live.runner.saver
    config = {"configurable": {"thread_id": thread_id}}

    def head() -> str | None:
        found = saver.get_tuple(config)
        return found.config["configurable"]["checkpoint_id"] if found else None

    seen_head, quiet_since = await run_in_threadpool(head), time.monotonic()
    yield "retry: 1000\n\n"
    while not await request.is_disconnected():
        found = await run_in_threadpool(live.events_after, thread_id, after, POLL_SECONDS)
        for event in found:
            after = event["seq"]
            yield _sse(event)
        if found:
            seen_head, quiet_since = await run_in_threadpool(head), time.monotonic()
            continue
        if not live.running(thread_id) and (now_head := await run_in_threadpool(head)) != seen_head:
            seen_head, quiet_since = now_head, time.monotonic()
            yield _sse({"kind": "changed", "seq": after})
        elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield ": keep-alive\n\n"
