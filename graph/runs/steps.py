"""What a run reports to its caller: the steps it streams and its status (graph/runs/runner.py makes
them; graph/runs/threads.py reads them without importing the runner)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autogpt_graph.graph.state import AIConfig, RunOptions

# LangGraph's name for an interrupt (the human gate waiting): the key of its stream update and its write channel.
INTERRUPT = "__interrupt__"
# Not a node: replay restored the workspace's files before running (update = {"note": one sentence}).
FILES_RESTORED = "files_restored"


@dataclass(frozen=True)
class Step:
    node: str  # a node name, INTERRUPT when the human gate waits (update = the request), or FILES_RESTORED
    update: dict[str, Any]


@dataclass(frozen=True)
class RunStatus:
    thread_id: str
    cycle: int
    stop_reason: str | None
    waiting: dict | None  # the human gate's request, when the run waits for an answer
    usage: dict[str, Any]
    next_nodes: tuple[str, ...]
    ai_config: AIConfig | None
    run: RunOptions | None = None  # how the run was started (model, mode, workspace)

    @property
    def workspace(self) -> str | None:
        """Where the run's commands work (a fork's own folder)."""
        return (self.run or {}).get("workspace")

    @property
    def finished(self) -> bool:
        return not self.next_nodes
