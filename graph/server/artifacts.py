"""A task's artifacts: the files in its workspace, uploaded ones and those the agent wrote.

Every path a client gives goes through `Workspace.resolve`, as the agent's own file commands do: no
"..", no absolute paths, no symlinks out, nothing in the reserved `.autogpt` folder. An artifact's id
is derived from its task and path, so every server gives the same file the same id without keeping a
table. An upload is recorded beside the task; the file stays an input (agent_created false) until the
agent rewrites it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from autogpt_graph.graph.server.errors import BadInput, NotFound
from autogpt_graph.graph.server.protocol import Artifact, now
from autogpt_graph.graph.server.tasks import RECORDS, TaskRecord, write_json
from autogpt_graph.tools.workspace import PathRefused, Workspace, scan_tree

Snapshot = dict[str, tuple[int, int]]  # relative path -> (mtime_ns, size)


def artifact_id(task_id: str, relative: str) -> str:
    return str(uuid.uuid5(uuid.UUID(task_id), relative))


def _stamp(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _upload_record(task: TaskRecord, relative: str) -> Path:
    return task.workspace / RECORDS / "uploads" / f"{hashlib.sha1(relative.encode()).hexdigest()}.json"


def snapshot(task: TaskRecord) -> Snapshot:
    """The regular files of the workspace (symlinks and the reserved folder left out)."""
    reserved = Workspace.RESERVED.casefold()
    found: Snapshot = {}
    enter = lambda folder, depth: not (depth == 0 and folder.name.casefold() == reserved)  # noqa: E731
    for entry, depth in scan_tree(task.workspace, enter):
        if depth == 0 and entry.name.casefold() == reserved:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except OSError:  # gone since the folder was read
            continue
        relative = Path(entry.path).relative_to(task.workspace).as_posix()
        found[relative] = (stat.st_mtime_ns, stat.st_size)
    return found


def describe(task: TaskRecord, relative: str, mtime_ns: int) -> Artifact:
    folder, _, name = relative.rpartition("/")
    created, agent_created = _stamp(mtime_ns), True
    record = _upload_record(task, relative)
    if record.is_file():
        upload = json.loads(record.read_text("utf-8"))
        if upload.get("mtime_ns") == mtime_ns:  # as uploaded: an input, not the agent's
            created, agent_created = upload["created_at"], False
    return Artifact(artifact_id=artifact_id(task.task_id, relative), agent_created=agent_created, file_name=name,
                    relative_path=folder or None, created_at=created, modified_at=_stamp(mtime_ns))


def list_artifacts(task: TaskRecord, files: Snapshot | None = None) -> list[Artifact]:
    files = snapshot(task) if files is None else files
    return [describe(task, relative, files[relative][0]) for relative in sorted(files)]


def changed_since(task: TaskRecord, before: Snapshot) -> list[Artifact]:
    """The files written while a step ran."""
    after = snapshot(task)
    return [describe(task, rel, stat[0]) for rel, stat in sorted(after.items()) if before.get(rel) != stat]


def _confined(task: TaskRecord, relative: str) -> Path:
    try:
        return Workspace(task.workspace).resolve(relative)
    except PathRefused as exc:
        raise BadInput(str(exc)) from exc


def upload(task: TaskRecord, file_name: str | None, relative_path: str | None, data: BinaryIO) -> Artifact:
    """Save an uploaded file at relative_path/file_name in the task's workspace."""
    if not file_name or "/" in file_name or "\\" in file_name or file_name in (".", ".."):
        raise BadInput(f"The upload's file name {file_name!r} must be a plain file name; put folders in relative_path.")
    folder = (relative_path or "").rstrip("/")
    relative = f"{folder}/{file_name}" if folder else file_name
    target = _confined(task, relative)
    if target.is_dir():
        raise BadInput(f"'{relative}' is a folder in the task's workspace; upload the file under another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    _confined(task, relative)  # again, now that the folders exist (one of them may be a symlink)
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(part, "wb") as out:
            shutil.copyfileobj(data, out, 1 << 20)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    created = now()
    write_json(_upload_record(task, relative), {"path": relative, "created_at": created,
                                                "mtime_ns": target.stat().st_mtime_ns})
    return describe(task, relative, target.stat().st_mtime_ns)


def find(task: TaskRecord, wanted: str) -> tuple[Path, Artifact]:
    """The file of an artifact id, confined to the workspace, and its description."""
    for relative, (mtime_ns, _) in snapshot(task).items():
        if artifact_id(task.task_id, relative) == wanted:
            return _confined(task, relative), describe(task, relative, mtime_ns)
    raise NotFound(f"Task '{task.task_id}' has no artifact '{wanted}'; list them with GET .../artifacts.")
