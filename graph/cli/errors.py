"""The CLI's one-sentence error handling, shared by every subcommand."""

from __future__ import annotations

import traceback
from collections.abc import Callable

import typer

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.errors import AgentError


def friendly(debug: bool, work: Callable[[], int]) -> None:
    """Run `work`; a failure is one sentence (the traceback too with --debug)."""
    try:
        code = work()
    except AgentError as exc:
        if debug:
            traceback.print_exc()
        ui.show_error(str(exc))
        code = 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if debug:
            traceback.print_exc()
        ui.show_error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        code = 1
    raise typer.Exit(code)
