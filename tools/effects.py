"""Which graph step a command runs in, so file commands can make their effects exactly-once.

A process killed after a command's effect but before the step's checkpoint re-runs the step on
resume. Writes are idempotent on their own (same content, same file); an append is not, so
append_to_file journals what it is about to do under the step's key and, when the same step runs
again, checks whether the earlier attempt already landed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_step: ContextVar[str | None] = ContextVar("autogpt_step", default=None)


@contextmanager
def running_step(key: str | None) -> Iterator[None]:
    """Mark the commands run inside as belonging to step `key` (e.g. "thread:cycle")."""
    token = _step.set(key)
    try:
        yield
    finally:
        _step.reset(token)


def current_step() -> str | None:
    return _step.get()
