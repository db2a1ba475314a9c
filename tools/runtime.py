"""What a command may use of the run it runs in: one object, set by execute_tool around the command.

Commands are plain LangChain tools that also run on their own (tests, notebooks). What they need from
the run (the step they run in, the run's model, its memory) comes through this object, so the tools
layer imports nothing from the layers above it. Outside a run nothing is bound.

- step_key: the graph step ("thread:cycle"). A process killed after a command's effect but before the
  step's checkpoint re-runs the step on resume; commands whose effects are not idempotent (an append,
  a sub-agent's reply) keep them under this key to apply them once.
- ask(messages, purpose, role) -> text: a model call accounted like the graph's own (budget checked
  first, raising the run's RunStop when the budget can't cover it; usage recorded in the run's state).
- ask_function(name, args) -> text: AutoGPT's call_ai_function: the smart model acting as the named
  Python function of the run's prompt texts (analyze_code, improve_code, write_tests).
- room(role) -> tokens: how much a prompt may take for that model (its context less the reply's share).
- remember(text): a note written to the run's vector memory (memory_add).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from langchain_core.messages import BaseMessage

NEEDS_RUN = "This command needs the agent's model, so it only runs inside an agent run."


@dataclass(frozen=True)
class ToolRuntime:
    step_key: str | None = None
    ask: Callable[[list[BaseMessage], str, str], str] | None = None
    room: Callable[[str], int] | None = None
    remember: Callable[[str], None] | None = None
    function: Callable[[str, list], str] | None = None

    def ask_function(self, name: str, args: list) -> str:
        if self.function is None:
            raise RuntimeError(NEEDS_RUN)
        return self.function(name, args)

    def ask_model(self, messages: list[BaseMessage], *, purpose: str, role: str = "fast") -> str:
        if self.ask is None:
            raise RuntimeError(NEEDS_RUN)
        return self.ask(messages, purpose, role)

    def model_room(self, role: str = "fast") -> int:
        if self.room is None:
            raise RuntimeError(NEEDS_RUN)
        return self.room(role)


_runtime: ContextVar[ToolRuntime] = ContextVar("autogpt_tool_runtime", default=ToolRuntime())


@contextmanager
def using_runtime(runtime: ToolRuntime) -> Iterator[ToolRuntime]:
    token = _runtime.set(runtime)
    try:
        yield runtime
    finally:
        _runtime.reset(token)


def current_runtime() -> ToolRuntime:
    """The runtime of the command being run; outside a run, one with nothing bound."""
    return _runtime.get()
