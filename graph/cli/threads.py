"""The time-travel commands of `autogpt` (threads, history, replay, fork, diff, checkout), registered on autogpt_graph.graph.cli.app's
app: a thin layer over AgentRunner.threads/history/replay/fork/diff/checkout (graph/runs/threads.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.tools.workspace import DEFAULT_WORKSPACE

# The same options as autogpt_graph.graph.cli.app's.
WorkspaceOpt = Annotated[Path, typer.Option("-w", "--workspace-directory", help="Folder the agent works in.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
Thread = Annotated[str, typer.Option("--thread", help="The run (see `autogpt threads`).")]
StepOpt = Annotated[int, typer.Option("--step", help="The step (see `autogpt history`).")]
Checkpointer = Annotated[Optional[str], typer.Option("--checkpointer", help="sqlite (default), sqlite:PATH, postgres://... or memory.")]
Continuous = Annotated[Optional[bool], typer.Option("--continuous/--no-continuous", "-c", help="Override the run's mode for this session.")]
Limit = Annotated[Optional[int], typer.Option("-l", "--continuous-limit", help="Override the cycle limit.")]


def _runner(workspace: Path, checkpointer: str | None):
    """A runner on the workspace's existing runs; imported when a command runs, so --help stays fast."""
    from autogpt_graph.graph.runs.runner import AgentRunner

    return AgentRunner(workspace, checkpointer=checkpointer, create=False)


def register(app: typer.Typer, friendly, drive) -> None:
    """Add the commands to `app`, reusing the CLI's error handling and step driver."""

    @app.command()
    def threads(workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE), checkpointer: Checkpointer = None,
                debug: Debug = False) -> None:
        """List the runs: id, name, status, cycles, cost, last update."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                found = runner.threads()
                if not found:
                    ui.show_note(f"No runs in {runner.workspace}.")
                    return 0
                rows = [[t.thread_id, t.name, t.status, str(t.cycles), f"${t.cost:.4f}", t.updated[:19].replace("T", " "),
                         f"{t.forked_from['thread']} @ {t.forked_from['step']}" if t.forked_from else ""]
                        for t in found]
                headers = ["ID", "NAME", "STATUS", "CYCLES", "COST", "LAST UPDATE", "FORKED FROM"]
                ui.print_columns(headers, rows, whole={"ID", "CYCLES"})
                return 0

        friendly(debug, work)

    @app.command()
    def history(thread: Thread, workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE), checkpointer: Checkpointer = None,
                debug: Debug = False) -> None:
        """One line per step of a run: step, cycle, node, command, result."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                lines = runner.history(thread)
                origin = lines[-1].forked_from
                if origin:
                    ui.show_note(f"Run {thread} was forked from {origin['thread']} at step {origin['step']}.")
                rows = [[str(line.step), str(line.cycle), line.node, line.command, line.result, " ".join(line.files)]
                        for line in lines]
                ui.print_columns(["STEP", "CYCLE", "NODE", "COMMAND", "RESULT", "FILES"], rows,
                                 whole={"STEP", "CYCLE", "NODE"})
                return 0

        friendly(debug, work)

    @app.command()
    def replay(thread: Thread, step: StepOpt, workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
               continuous: Continuous = None, continuous_limit: Limit = None, checkpointer: Checkpointer = None,
               debug: Debug = False) -> None:
        """Re-run a run from step K: that step's node and every one after it run again (commands too)."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                steps = runner.replay(thread, step, continuous=continuous, continuous_limit=continuous_limit)
                ui.show_note(f"Replaying {thread} from step {step}.")
                return drive(runner, steps, (runner.status(thread).ai_config or {}).get("ai_name", "AutoGPT"))

        friendly(debug, work)

    @app.command()
    def fork(
        thread: Thread,
        step: StepOpt,
        feedback: Annotated[Optional[str], typer.Option("--feedback", help="Feedback the model sees in its next cycle.")] = None,
        set_: Annotated[Optional[list[str]], typer.Option("--set", help="FIELD=VALUE: ai_name, ai_role, goalN, api_budget, summary.")] = None,
        command: Annotated[Optional[str], typer.Option("--command", help='Replace the proposed command: \'{"name": ..., "args": {...}}\'.')] = None,
        name: Annotated[Optional[str], typer.Option("--name", help="Id of the new run.")] = None,
        workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
        continuous: Continuous = None,
        continuous_limit: Limit = None,
        checkpointer: Checkpointer = None,
        debug: Debug = False,
    ) -> None:
        """Start a new run from step K of a run, with an edit; the original run stays as it was."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                new = runner.fork(thread, step, feedback=feedback, sets=set_ or [], command=command, new_thread_id=name)
                ui.show_note(f"Forked {thread} at step {step} as {new}; {thread} and its files are unchanged.")
                if (folder := runner.status(new).workspace) != runner.status(thread).workspace:
                    ui.show_note(f"{new} works in {folder}, which holds the files of step {step}.")
                if feedback:
                    ui.show_note(f"Feedback the model sees next: {ui.plain(feedback)}", "yellow")
                runner.thread_id = new
                # -l N: N cycles of the new run, counted from the fork (the state counts from the start).
                limit = None if continuous_limit is None else runner.status(new).cycle + continuous_limit
                steps = runner.resume(new, continuous=continuous, continuous_limit=limit)
                return drive(runner, steps, (runner.status(new).ai_config or {}).get("ai_name", "AutoGPT"))

        friendly(debug, work)

    @app.command()
    def diff(thread: Thread, step: StepOpt, workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
             checkpointer: Checkpointer = None, debug: Debug = False) -> None:
        """The files a step changed, with a unified diff of each text file."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                changes = runner.diff(thread, step)
                if not changes:
                    ui.show_note(f"Step {step} of {thread} changed no files.")
                for change in changes:
                    sizes = " -> ".join(f"{size} bytes" for size in (change.size_before, change.size_after) if size is not None)
                    ui.show_note(f"{change.kind} {change.path} ({sizes})", "cyan")
                    for line in change.diff:
                        ui.show_diff_line(line)
                return 0

        friendly(debug, work)

    @app.command()
    def checkout(
        thread: Thread,
        step: StepOpt,
        to: Annotated[Optional[Path], typer.Option("--to", help="A new or empty folder (default: the run's own workspace).")] = None,
        workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
        checkpointer: Checkpointer = None,
        debug: Debug = False,
    ) -> None:
        """Write the workspace's files as they were at a step, into --to or back into the run's workspace."""

        def work() -> int:
            with _runner(workspace, checkpointer) as runner:
                done = runner.checkout(thread, step, to)
                ui.show_note(done.note)
                if to is None:
                    ui.show_note(f"The files of the run's last step come back with: autogpt checkout --thread {thread} "
                                 f"--step {runner.history(thread)[-1].step} -w {runner.workspace}")
                return 0

        friendly(debug, work)
