"""Model calls made by commands (browse_website, analyze_code, sub-agents), accounted like the graph's own.

execute_tool opens a `tool_scope` around the command: inside it, `ask_model` goes through the same
call_model as the nodes (budget check first, token usage and cost recorded), and the usage it adds is
merged into the run's state by execute_tool. The call counters come from state, so the scripted model
gives a resumed run the same replies. Outside a run (a command invoked on its own) there is no model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage


@dataclass
class ToolScope:
    ctx: Any  # autogpt_graph.graph.context.AgentContext
    state: dict
    usage: dict = field(default_factory=dict)  # what the command's model calls added


_scope: ContextVar[ToolScope | None] = ContextVar("autogpt_tool_scope", default=None)


@contextmanager
def tool_scope(ctx, state: dict) -> Iterator[ToolScope]:
    scope = ToolScope(ctx, state)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> ToolScope:
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("This command needs the agent's model, so it only runs inside an agent run.")
    return scope


def ask_model(messages: list[BaseMessage], *, purpose: str, role: str = "fast") -> str:
    """One model call on behalf of the running command; raises RunStop when the budget can't cover it."""
    from autogpt_graph.graph.llm.call import call_model
    from autogpt_graph.graph.state import merge_usage

    scope = current_scope()
    state = {**scope.state, "usage": merge_usage(scope.state.get("usage"), scope.usage)}
    text, usage = call_model(scope.ctx, state, role=role, purpose=purpose, messages=messages)
    scope.usage = merge_usage(scope.usage, usage)
    return text
