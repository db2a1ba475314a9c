"""What a run reports to its caller: the steps it streams and its status (graph/runs/runner.py makes
them; graph/runs/threads.py reads them without importing the runner)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autogpt_graph.graph.state import AIConfig, RunOptions

# LangGraph's name for an interrupt (the human gate waiting): the key of its stream update and its write channel.
INTERRUPT = "__interrupt__"


@dataclass(frozen=True)
class Step:
    node: str  # a node name, or INTERRUPT when the human gate waits (update = the request)
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
    def finished(self) -> bool:
        return not self.next_nodes
