"""`autogpt ingest FILE_OR_DIR`: put files into vector memory, with a progress bar (rich)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.cli.errors import friendly
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.tools.workspace import DEFAULT_WORKSPACE


def ingest_command(
    target: Annotated[Path, typer.Argument(help="A text file, or a folder whose text files are ingested.")],
    workspace: Annotated[Path, typer.Option("-w", "--workspace-directory", help="Workspace whose memory receives it (faiss).")] = Path(DEFAULT_WORKSPACE),
    use_memory: Annotated[Optional[str], typer.Option("-m", "--use-memory", help="faiss (default) or redis.")] = None,
    agent: Annotated[Optional[str], typer.Option("--agent", help="Only for this agent (its name); default: every agent.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Characters per chunk (AutoGPT: 4000, for OpenAI embeddings; the local model reads about 500).")] = 500,
    overlap: Annotated[int, typer.Option("--overlap", help="Characters shared by consecutive chunks.")] = 50,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Split files into overlapping chunks and add them to memory, recallable by later runs."""

    def work() -> int:
        # Imported when the command runs, so that `autogpt --help` stays fast.
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from autogpt_graph.graph.memory.agent_memory import check_backend, namespace_of, open_store
        from autogpt_graph.graph.memory.ingest import IngestReport, ingest, plan_chunks
        from autogpt_graph.graph.memory.records import SHARED_NAMESPACE
        from autogpt_graph.graph.settings import get_settings

        settings = get_settings()
        backend = check_backend(use_memory or settings.memory_backend)
        if backend == "none":
            raise AgentError("Choose a memory to ingest into: --use-memory faiss or redis.")
        report = IngestReport()
        planned = plan_chunks(target, chunk_size, overlap, report)
        for path, reason in report.skipped:
            ui.show_note(f"Skipping {path}: it {reason}.", "yellow")
        total = sum(len(chunks) for _, chunks in planned)
        if not total:
            raise AgentError(f"Nothing to ingest in '{target}': no text files.")
        workspace.mkdir(parents=True, exist_ok=True)
        store = open_store(backend, workspace.resolve(), settings)
        namespace = namespace_of(agent) if agent else SHARED_NAMESPACE
        columns = (TextColumn("Ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeRemainingColumn())
        with Progress(*columns, console=ui.console) as progress:
            task = progress.add_task("ingest", total=total)
            ingest(store, target, namespace, planned=planned, report=report,
                   on_chunks=lambda n: progress.advance(task, n))
        where = f"Redis index '{settings.memory_index}'" if backend == "redis" else str(workspace)
        who = f"agent {namespace}" if agent else "every agent"
        ui.show_note(f"Ingested {report.chunks} chunks from {report.files} files into the {backend} memory of {where}, "
                     f"for {who}; {len(report.skipped)} files skipped.")
        return 0

    friendly(debug, work)
