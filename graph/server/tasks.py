"""The task registry: one task = one thread of the graph (its id is the thread id) and one workspace,
<workspaces>/<task id>/, where the agent's file commands are confined. What the protocol keeps about a
task (its input, its steps) is written beside it in the workspace's reserved folder, which the agent
cannot touch, so any server that shares the workspaces folder (and the checkpointer) serves the task.

A step's record is written by the server holding the task's lock, so records never race; each file is
replaced whole (write, then rename), so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogpt_graph.graph.server.errors import NotFound
from autogpt_graph.graph.server.protocol import now
from autogpt_graph.tools.workspace import Workspace

# In each task's workspace: .autogpt/server/task.json, steps/000001.json, ...
RECORDS = Path(Workspace.RESERVED) / "server"


@dataclass(frozen=True)
class TaskRecord:
    task_id: str
    input: str | None
    additional_input: dict[str, Any]
    created_at: str
    workspace: Path


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(part, path)


def is_task_id(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except (ValueError, TypeError, AttributeError):
        return False


class TaskStore:
    def __init__(self, root: str | Path):
        self.root = Workspace(root).root

    def create(self, task_input: str | None, additional_input: dict[str, Any]) -> TaskRecord:
        task_id = str(uuid.uuid4())
        record = TaskRecord(task_id, task_input, additional_input, now(), self.root / task_id)
        Workspace(record.workspace)  # created with the task: uploads may come before the first step
        write_json(record.workspace / RECORDS / "task.json", {
            "task_id": task_id, "input": task_input, "additional_input": additional_input,
            "created_at": record.created_at,
        })
        return record

    def get(self, task_id: str) -> TaskRecord:
        # Checked as a UUID first: the id names a folder, so "..", "/" or "." never reach the disk.
        path = self.root / task_id / RECORDS / "task.json" if is_task_id(task_id) else None
        if path is None or not path.is_file():
            raise NotFound(f"There is no task '{task_id}'; list the tasks with GET /ap/v1/agent/tasks.")
        data = json.loads(path.read_text("utf-8"))
        return TaskRecord(task_id, data.get("input"), data.get("additional_input") or {}, data["created_at"],
                          self.root / task_id)

    def all(self) -> list[TaskRecord]:
        """Every task, oldest first (so pages stay put while tasks are added)."""
        found = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if is_task_id(entry.name) and (Path(entry.path) / RECORDS / "task.json").is_file():
                    found.append(self.get(entry.name))
        return sorted(found, key=lambda t: (t.created_at, t.task_id))

    # Steps: numbered files, so their order is their number.
    def steps(self, task: TaskRecord) -> list[dict]:
        folder = task.workspace / RECORDS / "steps"
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("[0-9]*.json"))]

    def step(self, task: TaskRecord, step_id: str) -> dict:
        for record in self.steps(task):
            if record["step_id"] == step_id:
                return record
        raise NotFound(f"Task '{task.task_id}' has no step '{step_id}'; list its steps with GET .../steps.")

    def save_step(self, task: TaskRecord, number: int, record: dict) -> None:
        write_json(task.workspace / RECORDS / "steps" / f"{number:06d}.json", record)
