"""AutoGPT's file commands (read, write, append, delete, list) as LangChain tools bound to a workspace.

Every path goes through `Workspace.resolve`. Failures are raised as exceptions with one-sentence
messages (PathRefused, FileNotFoundError, IsADirectoryError, ...); the graph's execute_tool node turns
them into "Error: ..." results for the model.

The workspace is shared with the model's own code, which can leave anything in it: a FIFO (opening it
blocks until a writer comes), a 2 GB file, a tree thousands of folders deep, a hard link to a file
outside. So every command works on regular files only, opened without blocking; reads and comparisons
are bounded; listing walks iteratively with caps; appends refuse files with other links; and each
command runs under a time bound, so nothing the workspace holds can hang or exhaust the run.
"""

from __future__ import annotations

import contextvars
import errno
import functools
import json
import os
import stat
import threading
from pathlib import Path, PurePosixPath

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.runtime import current_runtime
from autogpt_graph.tools.workspace import Workspace, scan_tree

# Limits (README, "Safety"): a read returns at most MAX_READ_BYTES (1 MiB: more text than any model's
# context holds, while a 2 GB file no longer costs 4 GB of memory and minutes); list_files shows
# MAX_LISTED files and stops after looking at MAX_SCANNED entries or MAX_DEPTH folders down (deeper than
# real projects go, shallow enough that paths stay far below PATH_MAX); a file command that has not
# finished after FILE_COMMAND_SECONDS (local files take milliseconds; a stuck network mount would
# otherwise hold the run for ever) is reported as timed out.
MAX_READ_BYTES = 1 << 20
MAX_LISTED = 500
MAX_SCANNED = 20_000
MAX_DEPTH = 64
FILE_COMMAND_SECONDS = 30.0
_CHUNK = 1 << 20

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
    """Whether writing `text` to `filename` would change nothing (the file holds exactly that).
    Bounded: the sizes first, then the bytes in chunks, so a 2 GB file is never read to compare."""
    try:
        path = workspace.resolve(filename)
        with _open_regular(path, os.O_RDONLY) as f:
            data = _encode(text)
            if os.fstat(f.fileno()).st_size != len(data):
                return False
            for start in range(0, len(data), _CHUNK):
                if f.read(_CHUNK) != data[start:start + _CHUNK]:
                    return False
            return True
    except (OSError, ValueError):  # missing, refused, special or unreadable: not the same content
        return False


class NotARegularFile(OSError):
    """A FIFO, socket or device where a file command expects a regular file."""


def _kind(mode: int) -> str:
    return ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")


def _open_regular(path: Path, flags: int, mode: int = 0o666):
    """`path` opened as a binary file object, only if it is a regular file. O_NONBLOCK: opening a FIFO
    never waits for the other end; O_NOFOLLOW: a symlink swapped in after resolve() is not followed."""
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotARegularFile(f"it is {_kind(info.st_mode)}")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb" if (flags & os.O_ACCMODE) == os.O_RDONLY else "ab")


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
    with _open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as out:
        info = os.fstat(out.fileno())
        if info.st_nlink > 1:
            # A hard link looks like any file to resolve(), but its other name may be outside the
            # workspace: appending in place would change that file too.
            raise PermissionError(
                f"{workspace.relative(path)!r} has other hard links (another name, maybe outside the "
                "workspace); append_to_file does not change such a file: write a new file instead."
            )
        size = info.st_size
        if step is not None and journal.is_file():
            earlier = json.loads(journal.read_text("utf-8"))
            if {k: earlier.get(k) for k in record} == record and size == earlier["size"] + len(data):
                with _open_regular(path, os.O_RDONLY) as f:
                    f.seek(earlier["size"])
                    if f.read(len(data) + 1) == data:
                        return False
        if step is not None:
            journal.parent.mkdir(exist_ok=True)
            _atomic_write(journal, json.dumps({**record, "size": size}).encode())
        out.write(data)
    return True


def _make_parents(path: Path, filename: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(
            f"Can't create {filename!r}: a part of its folder path is a file, not a folder."
        ) from None


def _shown(name: str, limit: int = 80) -> str:
    return repr(name if len(name) <= limit else name[:limit] + "...")


# OS errors as the model is told them: about its file name, never an absolute path of this machine.
_OS_ERRORS = {
    errno.ENAMETOOLONG: "the name is longer than the file system allows; use a shorter file name",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ELOOP: "it is a symlink, or a loop of symlinks",
    errno.ENXIO: "it is not a regular file (a FIFO or device with nothing on the other end); file commands only use regular files",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of its folder path is a file, not a folder",
}


def file_command(func):
    """A file command under the time bound, its OS errors said in one sentence about the file name.
    The command runs in a worker thread (with this step's context: its step key); one that does not
    finish in time is left behind and reported, so no file can hold the run."""

    @functools.wraps(func)
    def run(**args):
        name = str(args.get("filename", args.get("directory", "")))
        done: dict = {}
        context = contextvars.copy_context()

        def work() -> None:
            try:
                done["result"] = context.run(func, **args)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                done["error"] = exc

        worker = threading.Thread(target=work, name=f"autogpt-{func.__name__}", daemon=True)
        worker.start()
        worker.join(FILE_COMMAND_SECONDS)
        if worker.is_alive():
            raise TimeoutError(f"{func.__name__} on {_shown(name)} did not finish within "
                               f"{FILE_COMMAND_SECONDS:.0f} s; the file may be on a stuck file system.")
        error = done.get("error")
        if isinstance(error, NotARegularFile):
            raise OSError(f"{_shown(name)} is not a regular file ({error}); file commands only read and write regular files.")
        if isinstance(error, OSError) and error.errno is not None:
            reason = _OS_ERRORS.get(error.errno) or os.strerror(error.errno).lower()
            raise OSError(f"Can't use {_shown(name)}: {reason}.") from error
        if error is not None:
            raise error
        return done["result"]

    return run


def _walk(top: Path, workspace: Workspace) -> tuple[list[str], list[str]]:
    """The regular files under `top` (relative to the workspace) and notes on what the caps left out.
    Hidden entries (.autogpt, temp files) skipped; symlinked folders not entered; symlinks leading
    outside left out."""
    found: list[str] = []
    too_deep: list[bool] = []

    def enter(folder: os.DirEntry, depth: int) -> bool:
        if folder.name.startswith("."):
            return False
        if depth + 1 >= MAX_DEPTH:
            too_deep.append(True)
            return False
        return True

    for scanned, (entry, _) in enumerate(scan_tree(top, enter), 1):
        if scanned > MAX_SCANNED:
            return found, [f"stopped after looking at {MAX_SCANNED} entries"]
        if entry.name.startswith("."):
            continue
        try:
            if not entry.is_file():  # folders, FIFOs, sockets, devices, dangling links
                continue
            rel = workspace.relative(Path(entry.path))
            if entry.is_symlink():
                workspace.resolve(rel)  # leave out links that lead outside the workspace
        except (OSError, ValueError):
            continue
        found.append(rel)
    return found, [f"folders more than {MAX_DEPTH} levels down are not listed"] if too_deep else []


def build_file_tools(workspace: Workspace) -> list[BaseTool]:
    """The file commands, confined to `workspace`."""

    def read_file(filename: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder, not a file; use list_files to see what it holds.")
        if not path.exists():
            raise _missing(workspace, path, filename)
        with _open_regular(path, os.O_RDONLY) as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_READ_BYTES)
        text = data.decode("utf-8", errors="replace")
        if size > len(data):
            text += (f"\n[read_file shows the first {len(data):,} bytes of {size:,}; the rest of "
                     f"{_shown(filename)} was not read.]")
        return text

    def write_to_file(filename: str, text: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder; give the path of a file to write.")
        if path.exists() and not path.is_file():
            raise NotARegularFile(f"it is {_kind(path.stat().st_mode)}")
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
        found, notes = _walk(top, workspace)
        if not found and not notes:
            return "The directory is empty."
        found.sort()
        listing = "\n".join(found[:MAX_LISTED])
        if len(found) > MAX_LISTED:
            listing += f"\n... and {len(found) - MAX_LISTED} more files not shown."
        return "\n".join([listing, *(f"({note}.)" for note in notes)]).strip()

    def tool(func, description: str, schema: type[BaseModel], read_only: bool = False) -> BaseTool:
        # read_only: the result depends only on the workspace, so repeating the command with nothing
        # written in between returns what the model has already seen (autogpt_graph.graph.steering.nudges.unchanged_repeat).
        return StructuredTool.from_function(
            file_command(func), name=func.__name__, description=description, args_schema=schema,
            metadata={"read_only": read_only},
        )

    return [
        tool(read_file, "Read file", ReadFileArgs, read_only=True),
        tool(write_to_file, "Write to file", WriteFileArgs),
        tool(append_to_file, "Append to file", AppendFileArgs),
        tool(delete_file, "Delete file", DeleteFileArgs),
        tool(list_files, "List Files in Directory", ListFilesArgs, read_only=True),
    ]
