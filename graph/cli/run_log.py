"""The workspace's run log, as AutoGPT's logs/activity.log and logs/error.log: what the console shows
of a run, as plain text with a time, in `.autogpt/logs/` of the workspace (beside the checkpoints,
out of the agent's reach and out of its file history). Rotated at 5 MB, three old files kept."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from autogpt_graph.graph.cli.console import activity
from autogpt_graph.tools.workspace import Workspace

MAX_BYTES = 5 << 20
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(message)s"


def log_folder(workspace: Path) -> Path:
    return Path(workspace) / Workspace.RESERVED / "logs"


class _QuietRotatingFileHandler(RotatingFileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        """A log that cannot be written (the disk is full) is skipped: the run says what went wrong on the
        console, and logging's own traceback on stderr would bury that one sentence."""


@contextmanager
def run_log(workspace: Path) -> Iterator[Path]:
    """Write what the run shows to activity.log (and its errors to error.log too) while the block runs."""
    folder = log_folder(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    handlers = []
    for name, level in (("activity.log", logging.INFO), ("error.log", logging.ERROR)):
        handler = _QuietRotatingFileHandler(folder / name, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(FORMAT))
        handlers.append(handler)
        activity.addHandler(handler)
    activity.setLevel(logging.INFO)
    try:
        yield folder
    finally:
        for handler in handlers:
            activity.removeHandler(handler)
            handler.close()
