"""Bring a folder to a manifest: delete what it does not list, write what differs from the store.

Copies are reflinks where the file system shares blocks (btrfs, XFS: no bytes copied), else plain
copies; never hard links, since a command appending to a hard-linked file would change the stored
object and every other folder linked to it. Nothing is written through a symlink: a link in the way
is removed, and parents are created as real folders."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autogpt_graph.graph.file_history.scanning import Manifest, Scan
from autogpt_graph.graph.file_history.store import ObjectStore

FICLONE = 0x40049409  # linux/fs.h: share the source's blocks (copy-on-write)


@dataclass
class Restored:
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # large files not kept whose content is gone
    unrecorded: bool = False  # the run has no record of its files (made before file history)

    @property
    def note(self) -> str:
        """One sentence for the user."""
        if self.unrecorded:
            return "The run has no record of its files (it was made before file history), so they were left as they are."
        text = f"Restored the workspace's files: {len(self.written)} written, {len(self.deleted)} deleted"
        if self.missing:
            shown = ", ".join(self.missing[:5]) + (" ..." if len(self.missing) > 5 else "")
            text += (f"; {len(self.missing)} large file(s) were recorded by hash only and are no longer present, "
                     f"so they were not restored: {shown}")
        return text + "."


def clone_file(source: Path, target: str) -> None:
    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
        except OSError:
            shutil.copyfileobj(src, dst, 1 << 20)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _real_parent(root: Path, rel: str) -> Path:
    """The path's folder inside root, made of real folders (a file or link in the way is removed)."""
    folder = root
    for part in rel.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
        if not folder.exists():
            folder.mkdir()
    return folder


def _write(root: Path, rel: str, entry: dict, store: ObjectStore) -> None:
    folder = _real_parent(root, rel)
    target = folder / rel.rsplit("/", 1)[-1]
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".restore-")
    os.close(fd)
    try:
        if "link" in entry:
            os.unlink(tmp)
            os.symlink(entry["link"], tmp)
        else:
            clone_file(store.path(entry["sha256"]), tmp)
            os.chmod(tmp, 0o755 if entry.get("x") else 0o644)
        os.replace(tmp, target)  # replaces a file or link in the way, never writes through it
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def materialise(manifest: Manifest, root: Path, store: ObjectStore, current: Scan) -> Restored:
    """Make `root` hold exactly `manifest` (`current`: a scan of root as it is now)."""
    done = Restored()
    kept_folders = {"/".join(path.split("/")[:i]) for path in manifest for i in range(1, path.count("/") + 1)}
    for rel in sorted(set(current.files) - set(manifest), reverse=True):
        _remove(root / rel)
        done.deleted.append(rel)
        _prune(root, rel, kept_folders)
    for rel, entry in sorted(manifest.items()):
        if current.files.get(rel) == entry:
            continue
        if entry.get("kept") is False:
            if (current.files.get(rel) or {}).get("sha256") != entry["sha256"]:
                done.missing.append(rel)
            continue
        _write(root, rel, entry, store)
        done.written.append(rel)
    return done


def _prune(root: Path, rel: str, kept_folders: set[str]) -> None:
    """Remove the folders a deletion emptied, unless the manifest has files in them."""
    parts = rel.split("/")[:-1]
    while parts:
        folder = "/".join(parts)
        if folder in kept_folders:
            return
        try:
            (root / folder).rmdir()
        except OSError:
            return
        parts.pop()
