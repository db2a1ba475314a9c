"""What one record changed, file by file, with a unified diff for text files (for `autogpt diff`)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from autogpt_graph.graph.file_history.recorder import FileHistory

# Larger files, or files that are not UTF-8 text, are described by their sizes only.
MAX_DIFF_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileChange:
    path: str
    kind: str  # "added", "modified" or "deleted"
    size_before: int | None
    size_after: int | None
    diff: tuple[str, ...]  # unified diff lines (no line ends); empty for binary, large or unrecorded contents


def _text(history: FileHistory, entry: dict | None) -> list[str] | None:
    if entry is None:
        return []
    if "link" in entry:
        return [f"-> {entry['link']}"]
    if entry.get("kept") is False or entry["size"] > MAX_DIFF_BYTES:
        return None
    try:
        return history.store.path(entry["sha256"]).read_bytes().decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def record_changes(history: FileHistory, record_id: str | None) -> list[FileChange]:
    """The changes `record_id` made to the files of its parent record."""
    if not record_id:
        return []
    before = history.manifest(history.parent_of(record_id))
    out = []
    for path, after in sorted(history.changes_of(record_id).items()):
        old = before.get(path)
        kind = "deleted" if after is None else "added" if old is None else "modified"
        old_text, new_text = _text(history, old), _text(history, after)
        lines: tuple[str, ...] = ()
        if old_text is not None and new_text is not None:
            lines = tuple(difflib.unified_diff(old_text, new_text, f"a/{path}", f"b/{path}", lineterm=""))
        out.append(FileChange(path, kind, old and old["size"], after and after["size"], lines))
    return out
