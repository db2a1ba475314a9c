"""Runs driven from the page: each streams in a background thread of the server process, and every
step it yields is kept as an event that the page's stream (SSE) reads as it arrives.

One AgentRunner (one checkpointer) serves every run: its graph is safe to stream on several threads
at once, the checkpointers serialise their own writes, and a thread's lock (graph/runs/run_lock.py)
still keeps a second streamer of the same thread out, in this process or any other.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.runs.runner import AgentRunner, new_thread_id
from autogpt_graph.graph.runs.steps import INTERRUPT, Step
from autogpt_graph.graph.webui.views import status_view, step_view

# Events of one thread kept in memory; the page reads older steps from the history instead.
KEPT_EVENTS = 2000


@dataclass
class LiveThread:
    events: list[dict] = field(default_factory=list)
    seq: int = 0
    worker: threading.Thread | None = None
    pause: threading.Event = field(default_factory=threading.Event)


class LiveRuns:
    def __init__(self, runner: AgentRunner):
        self.runner = runner
        self._threads: dict[str, LiveThread] = {}
        self._changed = threading.Condition()

    # What the page can ask for. Each checks what it can before it returns (a bad answer or option is
    # an error for the request); the run itself goes on in the background.
    def start(self, *, thread_id: str | None = None, **options: Any) -> str:
        thread_id = thread_id or new_thread_id()
        self._launch(thread_id, lambda: self.runner.start(thread_id=thread_id, **options))
        return thread_id

    def answer(self, thread_id: str, answer: str) -> None:
        if self.runner.status(thread_id).waiting is None:
            raise AgentError(f"Run '{thread_id}' is not waiting for an answer; reload the page to see where it is.")
        self._launch(thread_id, lambda: self.runner.resume(thread_id, answer))

    def resume(self, thread_id: str, **overrides: Any) -> None:
        self._launch(thread_id, lambda: self.runner.resume(thread_id, **overrides))

    def replay(self, thread_id: str, step: int) -> None:
        self._launch(thread_id, lambda: self.runner.replay(thread_id, step))

    def fork(self, thread_id: str, step: int, **edits: Any) -> str:
        """A new thread from step K with the edits, set going at once (it stops at its human gate
        unless the run is continuous). Named apart from earlier forks of the same step, which a page
        makes easily."""
        new = self.runner.fork(thread_id, step, new_thread_id=f"{thread_id}-fork{step}-{uuid.uuid4().hex[:6]}", **edits)
        self.resume(new)
        return new

    def pause(self, thread_id: str) -> bool:
        """Stop streaming after the current step; the run stays resumable. False if it is not running here."""
        live = self._threads.get(thread_id)
        if not self.running(thread_id):
            return False
        live.pause.set()
        return True

    def running(self, thread_id: str) -> bool:
        live = self._threads.get(thread_id)
        return bool(live and live.worker and live.worker.is_alive())

    def events_after(self, thread_id: str, seq: int, timeout: float) -> list[dict]:
        """The thread's events numbered after `seq`, waiting up to `timeout` seconds for one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                live = self._threads.get(thread_id)
                found = [e for e in live.events if e["seq"] > seq] if live else []
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found
                self._changed.wait(left)

    def last_seq(self, thread_id: str) -> int:
        with self._changed:
            live = self._threads.get(thread_id)
            return live.seq if live else 0

    def close(self, timeout: float = 10.0) -> None:
        """Ask every run to pause after its step and wait for them (the server is stopping)."""
        for live in list(self._threads.values()):
            live.pause.set()
        for live in list(self._threads.values()):
            if live.worker:
                live.worker.join(timeout)

    def _launch(self, thread_id: str, open_steps: Callable[[], Iterator[Step]]) -> None:
        with self._changed:
            if self.running(thread_id):
                raise AgentError(f"Run '{thread_id}' is already running in this page's server; wait for its next step.")
            live = self._threads.setdefault(thread_id, LiveThread())
            live.pause.clear()
            steps = open_steps()  # checks the request (raises AgentError) before anything runs
            live.worker = threading.Thread(target=self._drain, args=(thread_id, live, steps), daemon=True,
                                           name=f"webui-run-{thread_id}")
            live.worker.start()

    def _drain(self, thread_id: str, live: LiveThread, steps: Iterator[Step]) -> None:
        error = None
        try:
            for step in steps:
                done = time.time()
                self._publish(thread_id, {"kind": "step", "at": done * 1000, **step_view(step)})
                if step.node == INTERRUPT or live.pause.is_set():
                    break
        except AgentError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the run's failure is shown in the page, not lost in a thread
            error = f"{type(exc).__name__}: {exc}"
        finally:
            close = getattr(steps, "close", None)
            if close:
                close()  # releases the thread's lock when the loop stopped early
        self._publish(thread_id, {"kind": "end", "error": error, "paused": live.pause.is_set()}, ended=True)

    def _publish(self, thread_id: str, event: dict, ended: bool = False) -> None:
        try:
            event["status"] = status_view(self.runner.status(thread_id), running=not ended)
        except AgentError:  # a start that failed before its first checkpoint
            event["status"] = None
        with self._changed:
            live = self._threads[thread_id]
            live.seq += 1
            live.events.append({"seq": live.seq, **event})
            del live.events[:-KEPT_EVENTS]
            self._changed.notify_all()
