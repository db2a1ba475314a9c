"""The CLI's one-sentence error handling, shared by every subcommand."""

from __future__ import annotations

import errno
import sqlite3
import traceback
from collections.abc import Callable

import typer

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.errors import AgentError


def _disk_full(exc: Exception) -> str | None:
    """The sentence for a full disk, whichever layer noticed it (SQLite's checkpoint write, a file)."""
    full = (isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT))
    if not full:
        return None
    return ("The disk is full: the last step's checkpoint could not be written (nothing before it is lost); "
            "free some space, then continue the run with `autogpt resume`.")


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
        ui.show_error(_disk_full(exc) or f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        code = 1
    raise typer.Exit(code)
