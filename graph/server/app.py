"""The Agent Protocol v1 over HTTP (FastAPI), served at /ap/v1/agent/... and at /agent/..., the path
agbenchmark 0.0.10 calls. Every success is exactly 200 (the generated client of agbenchmark reads
only a 200's body); every failure is {"error": one sentence}: 404 unknown task, step or artifact,
422 bad input, 409 a task already in a step (or ended).

Routes are plain functions, so FastAPI runs them in its thread pool: a step takes as long as a cycle
of the model, and other tasks are served meanwhile.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.server.errors import ServerError
from autogpt_graph.graph.server.protocol import (
    MAX_PAGE_SIZE, PAGE_SIZE, Artifact, ArtifactList, Step, StepList, StepRequestBody, Task, TaskList,
    TaskRequestBody,
)
from autogpt_graph.graph.server.service import AgentService

log = logging.getLogger(__name__)
PREFIX = "/ap/v1"

CurrentPage = Annotated[int, Query(ge=1, description="The page to return, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items a page.")]


def routes(service: AgentService) -> APIRouter:
    router = APIRouter(prefix="/agent")

    @router.post("/tasks", response_model=Task)
    def create_agent_task(body: Annotated[TaskRequestBody | None, Body()] = None) -> Task:
        return service.create_task(body or TaskRequestBody())

    @router.get("/tasks", response_model=TaskList)
    def list_agent_tasks(current_page: CurrentPage = 1, page_size: PageSize = PAGE_SIZE) -> TaskList:
        return service.list_tasks(current_page, page_size)

    @router.get("/tasks/{task_id}", response_model=Task)
    def get_agent_task(task_id: str) -> Task:
        return service.get_task(task_id)

    # The body may be empty: agbenchmark sends none (with a JSON content type) to approve and go on.
    @router.post("/tasks/{task_id}/steps", response_model=Step)
    def execute_agent_task_step(task_id: str, body: Annotated[StepRequestBody | None, Body()] = None) -> Step:
        return service.step(task_id, body or StepRequestBody())

    @router.get("/tasks/{task_id}/steps", response_model=StepList)
    def list_agent_task_steps(task_id: str, current_page: CurrentPage = 1, page_size: PageSize = PAGE_SIZE) -> StepList:
        return service.list_steps(task_id, current_page, page_size)

    @router.get("/tasks/{task_id}/steps/{step_id}", response_model=Step)
    def get_agent_task_step(task_id: str, step_id: str) -> Step:
        return service.get_step(task_id, step_id)

    @router.post("/tasks/{task_id}/artifacts", response_model=Artifact)
    def upload_agent_task_artifacts(task_id: str, file: Annotated[UploadFile, File()],
                                    relative_path: Annotated[str | None, Form()] = None) -> Artifact:
        return service.upload(task_id, file.filename, relative_path, file.file)

    @router.get("/tasks/{task_id}/artifacts", response_model=ArtifactList)
    def list_agent_task_artifacts(task_id: str, current_page: CurrentPage = 1,
                                  page_size: PageSize = PAGE_SIZE) -> ArtifactList:
        return service.list_artifacts(task_id, current_page, page_size)

    @router.get("/tasks/{task_id}/artifacts/{artifact_id}", response_class=FileResponse)
    def download_agent_task_artifact(task_id: str, artifact_id: str) -> FileResponse:
        path, artifact = service.download(task_id, artifact_id)
        return FileResponse(path, media_type="application/octet-stream", filename=artifact.file_name)

    return router


def _error(status: int, sentence: str) -> JSONResponse:
    return JSONResponse({"error": sentence}, status_code=status)


def _invalid(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body",)) or "the request"
    if first.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    if first.get("type") == "missing":
        return f"{where} is missing from the request."
    return f"{where}: {first.get('msg', 'invalid').rstrip('.')}."


def create_app(service: AgentService) -> FastAPI:
    app = FastAPI(title="autogpt-graph", summary="AutoGPT v0.3.0's agent loop over the Agent Protocol v1.")
    app.include_router(routes(service), prefix=PREFIX)
    app.include_router(routes(service), include_in_schema=False)  # agbenchmark 0.0.10's paths

    @app.exception_handler(ServerError)
    def server_error(request: Request, exc: ServerError) -> JSONResponse:
        return _error(exc.status, str(exc))

    @app.exception_handler(AgentError)
    def agent_error(request: Request, exc: AgentError) -> JSONResponse:
        # A setting of the server (its model, its checkpointer) stops the task from running at all.
        return _error(500, str(exc))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _invalid(exc))

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, f"There is no {request.method} {request.url.path}; the API is under {PREFIX}/agent/tasks.")
        if exc.status_code == 405:
            return _error(405, f"{request.url.path} does not take {request.method}.")
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(500, f"{type(exc).__name__}: {exc}".rstrip(": ") + " (the server's log has the traceback).")

    return app
