"""What a folder holds now, as a manifest: relative path -> entry (content hash, size, executable bit,
or a symlink's target). Files whose size, times and inode match the last scan keep their known entry
unread, so a step that changed one file of a thousand reads one file."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from autogpt_graph.graph.file_history.store import ObjectStore
from autogpt_graph.tools.workspace import Workspace

Entry = dict  # {"sha256": str, "size": int} + "x": True (executable), "link": target, "kept": False (too large)
Manifest = dict[str, Entry]
Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: a file with the same stamp is unchanged

# Past these the folder is not recorded at that step (said once in the run's result notes).
MAX_FILES = 20_000
MAX_DEPTH = 64


class TooManyFiles(Exception):
    pass


@dataclass
class Scan:
    files: Manifest
    stamps: dict[str, Stamp]
    record: str | None = None  # the record the scan was saved with (FileHistory's cache of it)


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _read(path: str, store: ObjectStore, keep: bool) -> tuple[str, int]:
    # O_NOFOLLOW: a file swapped for a link after the scan saw it is not followed out of the folder.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as source:
        return store.put_stream(source, keep=keep)


def scan(root: Path, store: ObjectStore, known: Scan | None = None, max_bytes: int = 1 << 24) -> Scan:
    """The folder's regular files and symlinks (not `.autogpt/` at its root, not the insides of
    symlinked folders). New contents go into the store; files over `max_bytes` are only hashed."""
    known = known or Scan({}, {})
    files: Manifest = {}
    stamps: dict[str, Stamp] = {}
    pending: list[tuple[str, str, int]] = [(str(root), "", 0)]
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if not prefix and entry.name == Workspace.RESERVED:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if depth < MAX_DEPTH:
                    pending.append((entry.path, rel + "/", depth + 1))
                continue
            if len(files) >= MAX_FILES:
                raise TooManyFiles(f"more than {MAX_FILES} files")
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(entry.path)
                files[rel] = {"link": target, "sha256": hashlib.sha256(target.encode()).hexdigest(), "size": len(target)}
                continue
            if not stat.S_ISREG(st.st_mode):
                continue  # fifos, sockets, devices: nothing to keep
            stamp = _stamp(st)
            if known.stamps.get(rel) == stamp and rel in known.files:
                files[rel] = known.files[rel]
            else:
                keep = st.st_size <= max_bytes
                try:
                    digest, size = _read(entry.path, store, keep)
                except OSError:
                    if rel in known.files:  # unreadable now: keep what was known rather than call it deleted
                        files[rel] = known.files[rel]
                    continue
                files[rel] = {"sha256": digest, "size": size}
                if not keep:
                    files[rel]["kept"] = False
                if st.st_mode & 0o111:
                    files[rel]["x"] = True
            stamps[rel] = stamp
    return Scan(files, stamps)


def changes(before: Manifest, after: Manifest) -> dict[str, Entry | None]:
    """What turns `before` into `after`: changed or new paths with their entry, deleted ones with None."""
    out: dict[str, Entry | None] = {path: entry for path, entry in after.items() if before.get(path) != entry}
    out.update({path: None for path in before if path not in after})
    return out


def apply(manifest: Manifest, delta: dict[str, Entry | None]) -> Manifest:
    out = dict(manifest)
    for path, entry in delta.items():
        if entry is None:
            out.pop(path, None)
        else:
            out[path] = entry
    return out
