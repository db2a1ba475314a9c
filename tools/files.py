"""AutoGPT's file commands (read, write, append, delete, list) as LangChain tools bound to a workspace.

Every path goes through `Workspace.resolve`. Failures are raised as exceptions with one-sentence
messages (PathRefused, FileNotFoundError, IsADirectoryError, ...); the graph's execute_tool node turns
them into "Error: ..." results for the model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.runtime import current_runtime
from autogpt_graph.tools.workspace import PathRefused, Workspace

MAX_LISTED = 500

_FILENAME = "path of the file, relative to the workspace"


class ReadFileArgs(BaseModel):
    filename: str = Field(description=_FILENAME)


class WriteFileArgs(BaseModel):
    filename: str = Field(description=_FILENAME)
    text: str = Field(description="the full new content of the file")


class AppendFileArgs(BaseModel):
    filename: str = Field(description=_FILENAME)
    text: str = Field(description="the text to add at the end of the file")


class DeleteFileArgs(BaseModel):
    filename: str = Field(description=_FILENAME)


class ListFilesArgs(BaseModel):
    directory: str = Field(description="folder to list, relative to the workspace; '.' for the whole workspace")


def already_written(workspace: Workspace, filename: str, text: str) -> bool:
    """Whether writing `text` to `filename` would change nothing (the file holds exactly that)."""
    try:
        path = workspace.resolve(filename)
    except PathRefused:
        return False
    return path.is_file() and path.read_bytes() == _encode(text)


def _encode(text: str) -> bytes:
    # "replace" so that a lone surrogate from the model's JSON can't make the write fail.
    return text.encode("utf-8", errors="replace")


# How many of a folder's files a missing-file error names.
NEAR_NAMES = 8


def _missing(workspace: Workspace, path: Path, filename: str) -> FileNotFoundError:
    """The error for a file that is not there, naming the files that are in its folder: small models
    make up names ("notes/garden_shed_lock.txt") and copy a concrete name more readily than they
    follow "use list_files"."""
    inside = path.parent == workspace.root or workspace.root in path.parent.parents
    folder = path.parent if inside and path.parent.is_dir() else workspace.root
    names = sorted(workspace.relative(p) for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not names:
        return FileNotFoundError(f"File {filename!r} does not exist; use list_files to see the files in the workspace.")
    where = "the workspace" if folder == workspace.root else repr(workspace.relative(folder))
    more = f" and {len(names) - NEAR_NAMES} more" if len(names) > NEAR_NAMES else ""
    return FileNotFoundError(
        f"File {filename!r} does not exist; the files in {where} are: {', '.join(names[:NEAR_NAMES])}{more}."
    )


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename it over `path`: readers never see half a file."""
    # A fixed hidden name (list_files skips it): if the process dies before the rename, the step's
    # re-run on resume writes the same name again and renames it, so nothing is left behind.
    tmp = path.with_name(f".{path.name}.autogpt-tmp")
    tmp.unlink(missing_ok=True)  # a stale copy, or a symlink planted there: removed, never followed
    # O_EXCL: never write through something that appeared at the temp name. 0o666 lets the umask apply,
    # as a plain open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)  # keep the mode of the file being replaced
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _append_once(workspace: Workspace, path: Path, data: bytes) -> bool:
    """Append unless this step already appended `data` before a crash; False when it had.

    The journal (one record: the last append) is written durably before the append, so a re-run of
    the same step finds it and sees whether the file already grew by exactly `data`."""
    step = current_runtime().step_key
    journal = workspace.root / Workspace.RESERVED / "last_append.json"
    record = {"step": step, "file": workspace.relative(path)}
    size = path.stat().st_size if path.exists() else 0
    if step is not None and journal.is_file():
        earlier = json.loads(journal.read_text("utf-8"))
        if {k: earlier.get(k) for k in record} == record and size == earlier["size"] + len(data):
            with open(path, "rb") as f:
                f.seek(earlier["size"])
                if f.read() == data:
                    return False
    if step is not None:
        journal.parent.mkdir(exist_ok=True)
        _atomic_write(journal, json.dumps({**record, "size": size}).encode())
    with open(path, "ab") as f:
        f.write(data)
    return True


def _make_parents(path: Path, filename: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(
            f"Can't create {filename!r}: a part of its folder path is a file, not a folder."
        ) from None


def build_file_tools(workspace: Workspace) -> list[BaseTool]:
    """The file commands, confined to `workspace`."""

    def read_file(filename: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder, not a file; use list_files to see what it holds.")
        if not path.exists():
            raise _missing(workspace, path, filename)
        return path.read_bytes().decode("utf-8", errors="replace")

    def write_to_file(filename: str, text: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder; give the path of a file to write.")
        data = _encode(text)
        # A repeated (or resumed) write of the same content changes nothing.
        if already_written(workspace, filename, text):
            return "File already has this content; nothing written."
        _make_parents(path, filename)
        _atomic_write(path, data)
        return "File written to successfully."

    def append_to_file(filename: str, text: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder; give the path of a file to append to.")
        _make_parents(path, filename)
        _append_once(workspace, path, _encode(text))
        return "Text appended successfully."

    def delete_file(filename: str) -> str:
        path = workspace.resolve(filename)  # all the refusals, including where a symlink points
        # Like `rm`, deleting a symlink removes the link itself, not the file it points to. The link's
        # own folder is resolved separately so the link is known to sit inside the workspace.
        parent = PurePosixPath(filename).parent.as_posix()
        entry = workspace.resolve(parent) / PurePosixPath(filename).name
        if entry.is_symlink():
            entry.unlink()
            return "File deleted successfully."
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder; delete_file only deletes files.")
        if not path.exists():
            raise _missing(workspace, path, filename)
        path.unlink()
        return "File deleted successfully."

    def list_files(directory: str) -> str:
        top = workspace.resolve(directory)
        if not top.exists():
            raise FileNotFoundError(
                f"Folder {directory!r} does not exist; use list_files with '.' to see the whole workspace."
            )
        if not top.is_dir():
            raise NotADirectoryError(f"{directory!r} is a file, not a folder; use read_file to read it.")
        found: list[str] = []
        # Symlinked folders are not descended into (no loops, no double listing).
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]  # hides .autogpt and temp files
            for name in filenames:
                if name.startswith("."):
                    continue
                rel = workspace.relative(Path(dirpath) / name)
                try:
                    workspace.resolve(rel)  # leave out links that lead outside the workspace
                except ValueError:
                    continue
                found.append(rel)
        if not found:
            return "The directory is empty."
        found.sort()
        listing = "\n".join(found[:MAX_LISTED])
        if len(found) > MAX_LISTED:
            listing += f"\n... and {len(found) - MAX_LISTED} more files not shown."
        return listing

    def tool(func, description: str, schema: type[BaseModel], read_only: bool = False) -> BaseTool:
        # read_only: the result depends only on the workspace, so repeating the command with nothing
        # written in between returns what the model has already seen (autogpt_graph.graph.steering.nudges.unchanged_repeat).
        return StructuredTool.from_function(
            func, name=func.__name__, description=description, args_schema=schema, metadata={"read_only": read_only}
        )

    return [
        tool(read_file, "Read file", ReadFileArgs, read_only=True),
        tool(write_to_file, "Write to file", WriteFileArgs),
        tool(append_to_file, "Append to file", AppendFileArgs),
        tool(delete_file, "Delete file", DeleteFileArgs),
        tool(list_files, "List Files in Directory", ListFilesArgs, read_only=True),
    ]
