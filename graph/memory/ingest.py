"""Ingesting files into memory (AutoGPT's data_ingestion.py): each text file is split into
overlapping chunks, embedded, and stored as documents of a namespace, so later runs recall them.

Binary files (a NUL byte in the first 8 KB, or not UTF-8) are skipped with a message. A file's chunks
are stored in one write, so an interrupted ingest leaves whole files. A document's writer (its `thread`)
is `ingest:<absolute path>`: ingesting a file again replaces its chunks instead of adding copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory.chunking import chunk_text
from autogpt_graph.graph.memory.records import DOCUMENT, Memory

_SNIFF = 8192
_SKIPPED_DIRS = {".git", ".autogpt", "__pycache__", ".venv", "node_modules"}


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\x00" in data[:_SNIFF]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def files_under(target: Path) -> Iterator[Path]:
    if target.is_file():
        yield target
        return
    for path in sorted(target.rglob("*")):
        if path.is_file() and not _SKIPPED_DIRS.intersection(path.relative_to(target).parts):
            yield path


def plan_chunks(target: Path, chunk_size: int, overlap: int, report: IngestReport) -> list[tuple[Path, list[str]]]:
    if not target.exists():
        raise AgentError(f"There is no file or folder '{target}' to ingest.")
    planned = []
    for path in files_under(target):
        try:
            text = read_text(path)
        except OSError as exc:
            report.skipped.append((path, f"could not be read ({exc.strerror or exc})"))
            continue
        if text is None:
            report.skipped.append((path, "is binary"))
            continue
        chunks = chunk_text(text, chunk_size, overlap)
        if not chunks:
            report.skipped.append((path, "is empty"))
            continue
        planned.append((path, chunks))
    return planned


def ingest(
    store, target: Path, namespace: str, *, chunk_size: int = 4000, overlap: int = 200,
    on_chunks: Callable[[int], None] | None = None, planned: list | None = None, report: IngestReport | None = None,
) -> IngestReport:
    """Store the chunks of `target` (a file or a folder) as documents of `namespace`."""
    report = report or IngestReport()
    target = Path(target)
    base = target if target.is_dir() else target.parent
    for path, chunks in planned if planned is not None else plan_chunks(target, chunk_size, overlap, report):
        name = path.relative_to(base).as_posix()
        writer = f"ingest:{path.resolve()}"
        memories = [
            Memory(text=f"From {name} (part {i} of {len(chunks)}): {chunk}", namespace=namespace, source=DOCUMENT,
                   thread=writer)
            for i, chunk in enumerate(chunks, 1)
        ]
        store.replace(memories)
        report.files += 1
        report.chunks += len(memories)
        if on_chunks:
            on_chunks(len(memories))
    return report
