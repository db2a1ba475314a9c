"""The Agent Protocol v1 bodies (https://agentprotocol.ai), as agbenchmark 0.0.10's generated client
reads them: it validates strictly (a step's status is "created" or "completed"; an artifact has
artifact_id, file_name, relative_path, agent_created and created_at), so these models are the contract.

A task's `additional_input` may set AutoGPT's ai_settings (ai_name, ai_role, ai_goals, api_budget;
the model devises them from the input otherwise) and run options. The model itself is the server's
(--llm): a client naming files on the server to load is not something to allow.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autogpt_graph.graph.server.errors import BadInput

# Items a page when the client does not say: more than the protocol's usual 10, as agbenchmark lists
# a task's artifacts once, without paging, and grades only the files it downloads.
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TaskOptions(BaseModel):
    """What a task's additional_input may carry."""

    model_config = ConfigDict(extra="forbid")

    ai_name: str | None = Field(None, min_length=1)
    ai_role: str | None = Field(None, min_length=1)
    ai_goals: list[str] | None = Field(None, min_length=1, max_length=5)
    api_budget: float = Field(0.0, ge=0)
    # Without continuous, each step stops at the human gate and the next step's input answers it.
    continuous: bool = False
    continuous_limit: int = Field(0, ge=0)
    gpt3only: bool = False
    gpt4only: bool = False
    memory: Literal["faiss", "redis", "none"] | None = None
    memory_namespace: str | None = Field(None, min_length=1)

    @classmethod
    def parse(cls, data: Any) -> TaskOptions:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise BadInput("additional_input must be a JSON object, e.g. {\"ai_goals\": [\"...\"]}.")
        try:
            options = cls.model_validate(data)
        except ValidationError as exc:
            raise BadInput(sentence(exc, "additional_input")) from exc
        if options.gpt3only and options.gpt4only:
            raise BadInput("Choose either gpt3only or gpt4only in additional_input, not both.")
        if options.continuous_limit and not options.continuous:
            raise BadInput("continuous_limit in additional_input needs continuous: true.")
        if (options.ai_name or options.ai_role) and not options.ai_goals:
            raise BadInput("additional_input sets ai_name or ai_role but no ai_goals; give one to five goals.")
        return options

    def ai_config(self, task_input: str | None) -> dict | None:
        """AutoGPT's ai_settings when the client gave goals; None lets the model devise them."""
        if not self.ai_goals:
            return None
        return {
            "ai_name": self.ai_name or "AutoGPT",
            "ai_role": self.ai_role or (task_input or "an AI that achieves its goals"),
            "ai_goals": list(self.ai_goals),
            "api_budget": self.api_budget,
        }


def sentence(exc: ValidationError, where: str) -> str:
    """A pydantic error as one sentence naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in (where, *first["loc"]) if part != "")
    message = first["msg"].rstrip(".")
    if first["type"] == "extra_forbidden":
        known = ", ".join(TaskOptions.model_fields)
        message = f"is not an option here (known: {known})"
    return f"{field}: {message}."


class TaskRequestBody(BaseModel):
    input: str | None = None
    additional_input: dict[str, Any] | None = None


class StepRequestBody(BaseModel):
    input: str | None = None
    additional_input: dict[str, Any] | None = None


class Artifact(BaseModel):
    artifact_id: str
    agent_created: bool
    file_name: str
    relative_path: str | None  # the folder in the workspace; None at its root
    created_at: str
    modified_at: str


class Task(BaseModel):
    task_id: str
    input: str | None
    additional_input: dict[str, Any]
    created_at: str
    modified_at: str
    artifacts: list[Artifact]


class Step(BaseModel):
    task_id: str
    step_id: str
    name: str | None
    status: Literal["created", "completed"]
    input: str | None
    additional_input: dict[str, Any]
    output: str | None
    additional_output: dict[str, Any]
    artifacts: list[Artifact]
    is_last: bool
    created_at: str
    modified_at: str


class Pagination(BaseModel):
    total_items: int
    total_pages: int
    current_page: int
    page_size: int


class TaskList(BaseModel):
    tasks: list[Task]
    pagination: Pagination


class StepList(BaseModel):
    steps: list[Step]
    pagination: Pagination


class ArtifactList(BaseModel):
    artifacts: list[Artifact]
    pagination: Pagination


def page(items: list, current_page: int, page_size: int) -> tuple[list, Pagination]:
    start = (current_page - 1) * page_size
    pages = math.ceil(len(items) / page_size)
    return items[start:start + page_size], Pagination(
        total_items=len(items), total_pages=pages, current_page=current_page, page_size=page_size
    )
