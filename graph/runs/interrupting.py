"""Ctrl-C stops a run within a second, even while the local model generates.

LangGraph runs a node in a worker thread while the main thread waits for it. Ctrl-C raised
KeyboardInterrupt in the main thread at once, but LangGraph then waited for the worker to finish its
model call: 15-21 s of generation on 2 cores before the resume hint appeared. While a run streams,
SIGINT first tells the local model to stop (graph/llm/local_chat.py), then does what it did before."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from autogpt_graph.graph.llm.local_chat import stop_generation


@contextmanager
def interrupt_stops_generation() -> Iterator[None]:
    """Within the block, SIGINT stops a running local generation, then calls the previous handler
    (Python's: KeyboardInterrupt; Jupyter's kernel has its own). Signals can only be handled by the
    main thread, so elsewhere, or where SIGINT is ignored, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # SIG_IGN or SIG_DFL: leave them be
        yield
        return

    def on_interrupt(signum, frame):
        stop_generation()
        previous(signum, frame)

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
