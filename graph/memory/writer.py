"""The memory writer of the step being run, for commands that write memory (memory_add).

execute_tool binds a writer for the step (it knows the run's namespace, branch and cycle); the
memory_add tool calls it. Like tools/effects.py, a context variable keeps the tools free of graph state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Writer = Callable[[str], None]
_writer: ContextVar[Writer | None] = ContextVar("autogpt_memory_writer", default=None)


@contextmanager
def writing_memory(writer: Writer | None) -> Iterator[None]:
    token = _writer.set(writer)
    try:
        yield
    finally:
        _writer.reset(token)


def current_writer() -> Writer | None:
    return _writer.get()
