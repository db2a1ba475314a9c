"""The agent's workspace: the one folder its file commands may touch.

Every path the model gives a file command goes through `Workspace.resolve`, which either returns an
absolute path inside the workspace or raises `PathRefused` with a one-sentence reason the model can
act on. The checks are made on the path string first (cheap, clear messages) and then on the fully
resolved location, which follows symlinks (including dangling ones, symlinked parent folders and
chains of links), so a link can't be used to reach outside the root.

Not covered here: a symlink created or swapped between the check and the use (TOCTOU). `resolve`
checks the file system as it is at the time of the call; the sandbox will close that gap.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

# Where a run works when no folder is given (AutoGPT's name for it).
DEFAULT_WORKSPACE = "auto_gpt_workspace"
# At most this many file names are recorded as a run's inputs (a few tens of KB in one checkpoint).
START_FILES = 2000

# "file:/...", "file:///...", "http://...", "C:/...": anything that starts like a URL or a drive.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:/")


class PathRefused(ValueError):
    """A path the model asked for that lies outside the workspace, or is otherwise not allowed."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"Refused path {path!r}: {reason}; paths must stay inside the workspace.")


class Workspace:
    """A folder the agent's file commands are confined to."""

    # Holds the agent's own state (checkpoints); the model must not read or overwrite it.
    RESERVED = ".autogpt"

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser().absolute().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def resolve(self, path: str) -> Path:
        """The absolute location of `path` (relative to the root) inside the workspace, or PathRefused.

        "." is the root itself. Symlinks are followed: a link inside the workspace is fine as long as
        where it ends up is inside too.
        """
        if not isinstance(path, str) or path == "":
            # Nothing to resolve; most likely the model forgot the argument.
            raise PathRefused(str(path), "the path is empty, give a file name relative to the workspace")
        if "\x00" in path:
            # The OS truncates at NUL, so what we'd check and what we'd open could differ.
            raise PathRefused(path, "it contains a NUL byte")
        if _SCHEME.match(path):
            # file:// would be taken as a folder named "file:" at best and an escape at worst.
            raise PathRefused(path, "URLs are not file paths, give a path relative to the workspace")
        if "\\" in path:
            # Windows separators: "..\\x" must not slip past the ".." check on some platform.
            raise PathRefused(path, "backslashes are not allowed, use '/' to separate folders")
        if path.startswith("/"):
            # Absolute paths are refused even when they point inside the root: one rule, no guessing.
            raise PathRefused(path, "absolute paths are not allowed, give a path relative to the workspace")
        if path.startswith("~"):
            # The shell would expand it to a home folder outside the workspace.
            raise PathRefused(path, "'~' (home folder) is not allowed")
        if ".." in path.split("/"):
            # Climbing out of the workspace; refused outright rather than normalised away.
            raise PathRefused(path, "'..' is not allowed")

        try:
            # Follows every symlink, including a dangling link's target and symlinked parents.
            resolved = (self.root / path).resolve()
        except (RuntimeError, OSError) as exc:  # a symlink loop, on Python < 3.13
            raise PathRefused(path, f"it can't be resolved ({exc})") from None
        if not resolved.is_relative_to(self.root):
            # A symlink somewhere along the way leads out of the workspace.
            raise PathRefused(path, "it leads outside the workspace through a symlink")

        # Checked on the resolved path so that a symlink to the reserved folder is refused too.
        parts = resolved.relative_to(self.root).parts
        if parts and parts[0].casefold() == self.RESERVED.casefold():
            raise PathRefused(path, f"the {self.RESERVED!r} folder is reserved for the agent's own state")
        return resolved

    def relative(self, path: Path) -> str:
        """`path` (inside the workspace) as a posix path relative to the root, for messages; "." for the root."""
        return Path(path).relative_to(self.root).as_posix()

    def file_names(self, limit: int = START_FILES) -> list[str] | None:
        """The regular files in the workspace (hidden ones and .autogpt left out), as posix paths
        relative to the root, sorted; None when there are more than `limit`."""
        found: list[str] = []
        for entry, _ in scan_tree(self.root, lambda folder, depth: not folder.name.startswith(".")):
            if entry.name.startswith(".") or not _is(entry.is_file):
                continue
            found.append(self.relative(Path(entry.path)))
            if len(found) > limit:
                return None
        return sorted(found)


def _is(check) -> bool:
    """An os.DirEntry test (is_file, is_dir, ...) without following symlinks; False when it fails."""
    try:
        return check(follow_symlinks=False)
    except OSError:
        return False


def scan_tree(top: str | Path, enter: Callable[[os.DirEntry, int], bool] | None = None) -> Iterator[tuple[os.DirEntry, int]]:
    """Every entry under `top` with its depth (0: in `top`), walked iteratively, so a tree thousands
    deep is no RecursionError. A folder (never a symlinked one) is entered when `enter(folder, depth)`
    says so (default: always); unreadable folders are skipped."""
    stack = [(str(top), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                yield entry, depth
                if _is(entry.is_dir) and (enter is None or enter(entry, depth)):
                    stack.append((entry.path, depth + 1))
