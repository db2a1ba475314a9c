"""The agent behind the routes: one AgentRunner over one checkpointer for every task, the task
registry, and the task's lock held for a whole step.

The lock is the runner's own (autogpt_graph.graph.runs.run_lock): in the database with Postgres, so
any number of servers on any machines serve the same tasks and a step already running anywhere is
refused (409), never run twice; beside the database file with SQLite (servers on one machine).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import BinaryIO

from autogpt_graph.graph.runs.run_lock import ThreadBusy, holding_thread
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.server import artifacts
from autogpt_graph.graph.server.errors import BadInput, Busy
from autogpt_graph.graph.server.protocol import (
    PAGE_SIZE, Artifact, ArtifactList, Step, StepList, StepRequestBody, Task, TaskList, TaskOptions,
    TaskRequestBody, now, page,
)
from autogpt_graph.graph.server.steps import begin, drive
from autogpt_graph.graph.server.tasks import TaskRecord, TaskStore
from autogpt_graph.graph.settings import Settings


class AgentService:
    def __init__(self, workspaces: str | Path, *, checkpointer: str | None = None, llm: str = "auto",
                 settings: Settings | None = None):
        """`workspaces`: the folder of the tasks' workspaces (and of the SQLite checkpoints by default)."""
        self.store = TaskStore(workspaces)
        self.runner = AgentRunner(self.store.root, checkpointer=checkpointer, settings=settings)
        self.llm = llm

    def close(self) -> None:
        self.runner.close()

    # Tasks
    def create_task(self, body: TaskRequestBody) -> Task:
        options = TaskOptions.parse(body.additional_input)
        if not (body.input and body.input.strip()) and not options.ai_goals:
            raise BadInput("The task needs an input: what the agent should do (or ai_goals in additional_input).")
        return self._task(self.store.create(body.input, body.additional_input or {}))

    def list_tasks(self, current_page: int = 1, page_size: int = PAGE_SIZE) -> TaskList:
        records, pagination = page(self.store.all(), current_page, page_size)
        return TaskList(tasks=[self._task(r) for r in records], pagination=pagination)

    def get_task(self, task_id: str) -> Task:
        return self._task(self.store.get(task_id))

    def _task(self, record: TaskRecord) -> Task:
        steps = self.store.steps(record)
        return Task(task_id=record.task_id, input=record.input, additional_input=record.additional_input,
                    created_at=record.created_at, modified_at=steps[-1]["modified_at"] if steps else record.created_at,
                    artifacts=artifacts.list_artifacts(record))

    # Steps
    def step(self, task_id: str, body: StepRequestBody) -> Step:
        """Run the task's next step (one cycle) and return it, completed."""
        task = self.store.get(task_id)
        options = TaskOptions.parse(task.additional_input)
        try:
            with holding_thread(self.runner.saver, task_id):
                begun = begin(self.runner, task, options, self.llm, body.input)
                number = len(self.store.steps(task)) + 1
                created = now()
                record = Step(task_id=task_id, step_id=str(uuid.uuid4()), name=f"step {number}", status="created",
                              input=body.input, additional_input=body.additional_input or {}, output=None,
                              additional_output={}, artifacts=[], is_last=False, created_at=created,
                              modified_at=created)
                self.store.save_step(task, number, record.model_dump())  # seen as running meanwhile
                before = artifacts.snapshot(task)
                outcome = drive(self.runner, task, begun)
                record = record.model_copy(update={
                    "name": outcome.name, "status": "completed", "output": outcome.output,
                    "additional_output": outcome.additional_output, "is_last": outcome.is_last,
                    "artifacts": artifacts.changed_since(task, before), "modified_at": now(),
                })
                self.store.save_step(task, number, record.model_dump())
                return record
        except ThreadBusy as exc:
            raise Busy(f"Task '{task_id}' is running a step already (here or on another server); "
                       "wait for it to finish, then ask for the next step.") from exc

    def list_steps(self, task_id: str, current_page: int = 1, page_size: int = PAGE_SIZE) -> StepList:
        records, pagination = page(self.store.steps(self.store.get(task_id)), current_page, page_size)
        return StepList(steps=[Step.model_validate(r) for r in records], pagination=pagination)

    def get_step(self, task_id: str, step_id: str) -> Step:
        return Step.model_validate(self.store.step(self.store.get(task_id), step_id))

    # Artifacts
    def upload(self, task_id: str, file_name: str | None, relative_path: str | None, data: BinaryIO) -> Artifact:
        return artifacts.upload(self.store.get(task_id), file_name, relative_path, data)

    def list_artifacts(self, task_id: str, current_page: int = 1, page_size: int = PAGE_SIZE) -> ArtifactList:
        items, pagination = page(artifacts.list_artifacts(self.store.get(task_id)), current_page, page_size)
        return ArtifactList(artifacts=items, pagination=pagination)

    def download(self, task_id: str, artifact_id: str) -> tuple[Path, Artifact]:
        return artifacts.find(self.store.get(task_id), artifact_id)
