"""autogpt-graph: AutoGPT v0.3.0's agent loop as an explicit, checkpointed LangGraph state machine.

The public face. The layers install beneath this name: `autogpt_graph.graph` (state, context,
builder, models, prompting, steering, memory, runs, CLI), `autogpt_graph.nodes` (the seven node
functions) and `autogpt_graph.tools` (the commands). Names load on first use (PEP 562), so
`import autogpt_graph` and `autogpt --help` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "AgentRunner": "autogpt_graph.graph.runs.runner",
    "build_graph": "autogpt_graph.graph.builder",
    "compile_graph": "autogpt_graph.graph.builder",
    "AgentState": "autogpt_graph.graph.state",
    "AgentContext": "autogpt_graph.graph.context",
    "make_context": "autogpt_graph.graph.context",
    "decompose_goals": "autogpt_graph.nodes.decompose_goals",
    "build_prompt": "autogpt_graph.nodes.build_prompt",
    "think": "autogpt_graph.nodes.think",
    "validate_json": "autogpt_graph.nodes.validate_json",
    "human_gate": "autogpt_graph.nodes.human_gate",
    "execute_tool": "autogpt_graph.nodes.execute_tool",
    "summarise_memory": "autogpt_graph.nodes.summarise_memory",
}

__all__ = list(_EXPORTS)

if TYPE_CHECKING:
    from autogpt_graph.graph.builder import build_graph, compile_graph
    from autogpt_graph.graph.context import AgentContext, make_context
    from autogpt_graph.graph.runs.runner import AgentRunner
    from autogpt_graph.graph.state import AgentState
    from autogpt_graph.nodes.build_prompt import build_prompt
    from autogpt_graph.nodes.decompose_goals import decompose_goals
    from autogpt_graph.nodes.execute_tool import execute_tool
    from autogpt_graph.nodes.human_gate import human_gate
    from autogpt_graph.nodes.summarise_memory import summarise_memory
    from autogpt_graph.nodes.think import think
    from autogpt_graph.nodes.validate_json import validate_json


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'autogpt_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
