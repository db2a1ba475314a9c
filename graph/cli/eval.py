"""`autogpt eval`: registered on autogpt_graph.graph.cli.app's app as one command."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.cli.errors import friendly
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.eval.defaults import DEFAULT_CYCLES, SCRIPTED

# The project's suite, wherever the command is run from.
DEFAULT_SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "challenges"


def _names(only: list[str] | None) -> list[str]:
    return [n.strip() for item in only or [] for n in item.split(",") if n.strip()]


def eval_command(
    suite_dir: Annotated[Optional[Path], typer.Argument(help="Folder of challenges (default: benchmarks/challenges).")] = None,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Challenge names, comma-separated or repeated.")] = None,
    repeat: Annotated[int, typer.Option("--repeat", "-k", min=1, help="Run each challenge K times.")] = 1,
    llm: Annotated[str, typer.Option("--llm", help=f"auto, local[:PATH], openai[:MODEL], azure, or {SCRIPTED} (each challenge's solution.yaml).")] = "auto",
    cycles: Annotated[int, typer.Option("--cycles", min=1, help="Cycle limit per run.")] = DEFAULT_CYCLES,
    json_file: Annotated[Optional[Path], typer.Option("--json", help="Write the results to this JSON file.")] = None,
    use_memory: Annotated[str, typer.Option("-m", "--use-memory", help="Vector memory for the runs: none (default), faiss or redis.")] = "none",
    keep: Annotated[Optional[Path], typer.Option("--keep", help="Copy each run's final workspace into this folder.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Run a challenge suite (agbenchmark's data.json format) and score it: pass, cycles, seconds, tokens."""

    def work() -> int:
        # Imported when the command runs, so that `autogpt --help` stays fast.
        from autogpt_graph.graph.eval.challenge import load_suite
        from autogpt_graph.graph.eval.report import eta_note, print_report, progress_line, write_json
        from autogpt_graph.graph.eval.runner import RunResult, run_suite
        from autogpt_graph.graph.memory.agent_memory import check_backend

        suite = suite_dir or DEFAULT_SUITE
        challenges = load_suite(suite, _names(only))
        memory = check_backend(use_memory)
        if llm.startswith("script:"):
            raise AgentError(f"One script cannot solve every challenge; use --llm {SCRIPTED} to run each challenge's solution.yaml.")
        ui.show_note(f"Running {len(challenges)} challenges x {repeat} with --llm {llm}, at most {cycles} cycles each.")

        done: list[RunResult] = []

        total, started = len(challenges) * repeat, time.monotonic()

        def progress(r: RunResult) -> None:
            done.append(r)
            ui.console.print(f"{progress_line(r)}  [dim]({eta_note(len(done), total, time.monotonic() - started)})[/]")
            if json_file:  # after every run, so an eval stopped early keeps what it measured
                write_json(done, json_file, llm=llm, suite=str(suite), repeats=repeat, cycles=cycles)

        results = run_suite(challenges, repeats=repeat, on_result=progress, llm=llm, cycles=cycles,
                            memory=memory, keep=keep)
        if json_file:
            write_json(results, json_file, llm=llm, suite=str(suite), repeats=repeat, cycles=cycles)
            ui.show_note(f"Results written to {json_file}.")
        print_report(results, ui.console, repeat)  # its closing line is the output's last
        return 0 if all(r.passed for r in results) else 1

    friendly(debug, work)
