"""The Python API the CLI wraps: start a run, stream its steps, answer the human gate, resume.

    from autogpt_graph.graph.runs.runner import AgentRunner
    with AgentRunner("auto_gpt_workspace") as runner:
        for step in runner.start(task="Write a haiku to haiku.txt", llm="script:demo.yaml", continuous=True):
            print(step.node, step.update)
        print(runner.status(runner.thread_id).stop_reason)
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from autogpt_graph.graph.runs import threads as time_travel
from autogpt_graph.graph.builder import compile_graph
from autogpt_graph.graph.runs.checkpointers import open_checkpointer
from autogpt_graph.graph.runs.interrupting import interrupt_stops_generation
from autogpt_graph.graph.runs.run_lock import holding_thread
from autogpt_graph.graph.context import DEFAULT_WORKSPACE, AgentContext, make_context
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_chat import GenerationStopped
from autogpt_graph.graph.llm.pricing import check_budget, check_priced
from autogpt_graph.graph.memory.agent_memory import check_backend
from autogpt_graph.graph.settings import Settings, get_settings
from autogpt_graph.graph.file_history.diffing import FileChange
from autogpt_graph.graph.file_history.restoring import Restored
from autogpt_graph.graph.runs.steps import FILES_RESTORED, INTERRUPT, RunStatus, Step
from autogpt_graph.graph.state import AIConfig, RunOptions
from autogpt_graph.nodes.build_prompt import stopped_at_limit
from autogpt_graph.nodes.validate_json import stopped_on_unusable_replies

# Contexts kept for resuming threads in this process (each holds its models and tools).
KEPT_CONTEXTS = 64

# Runs end by task_complete, budget, cycle limit or the human, not by LangGraph's step cap.
RECURSION_LIMIT = 10_000_000


def _heard(ctx: AgentContext, on_notice: Callable[[dict], None] | None) -> AgentContext:
    """The context with the runner's notice listener, unless it has its own."""
    return replace(ctx, on_notice=on_notice) if on_notice and ctx.on_notice is None else ctx


def new_thread_id() -> str:
    return f"run-{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


class AgentRunner:
    def __init__(
        self,
        workspace: str | Path = DEFAULT_WORKSPACE,
        *,
        checkpointer: BaseCheckpointSaver | str | None = None,
        settings: Settings | None = None,
        create: bool = True,
    ):
        """`create=False`: the workspace's checkpoints must already exist (for resuming)."""
        self.workspace = Path(workspace).resolve()
        self.settings = settings or get_settings()
        self._opened = None
        if isinstance(checkpointer, BaseCheckpointSaver):
            self.saver = checkpointer
        else:
            spec = checkpointer or self.settings.checkpointer
            self._opened = open_checkpointer(spec, self.workspace, create=create)
            self.saver = self._opened.__enter__()
        self.graph = compile_graph(self.saver)
        self.thread_id: str | None = None
        # Called (from the worker thread running a node) with each notice a node gives while a run
        # streams, such as a model call's retry (graph/llm/retries.py); the CLI prints them.
        self.on_notice: Callable[[dict], None] | None = None
        # The context of each thread run in this process, reused when it is resumed here; the most
        # recent ones only, as a server runs many threads with one runner.
        self._contexts: OrderedDict[str, AgentContext] = OrderedDict()
        self._contexts_lock = threading.Lock()

    def close(self) -> None:
        if self._opened is not None:
            self._opened.__exit__(None, None, None)
            self._opened = None

    def __enter__(self) -> AgentRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _config(self, thread_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id}, "recursion_limit": RECURSION_LIMIT}

    def start(
        self,
        *,
        task: str | None = None,
        ai_config: AIConfig | None = None,
        thread_id: str | None = None,
        llm: str = "auto",
        continuous: bool = False,
        continuous_limit: int = 0,
        gpt3only: bool = False,
        gpt4only: bool = False,
        api_budget: float = 0.0,
        context: AgentContext | None = None,
        memory: str | None = None,
        memory_namespace: str | None = None,
        workspace: str | Path | None = None,
    ) -> Iterator[Step]:
        """Start a new run on a task (the model devises name, role and goals) or an ai_config.
        `workspace`: the run's own folder when it is not the runner's (the server's tasks)."""
        if not (task or ai_config):
            raise AgentError("Give the agent a task or an AI settings file.")
        thread_id = thread_id or new_thread_id()
        if self.graph.get_state(self._config(thread_id)).values:
            raise AgentError(f"Run '{thread_id}' already exists; resume it with `autogpt resume --thread {thread_id}`.")
        self.thread_id = thread_id
        run = RunOptions(
            llm=llm, continuous=continuous, continuous_limit=continuous_limit, gpt3only=gpt3only,
            gpt4only=gpt4only, workspace=str(Path(workspace).resolve() if workspace else self.workspace),
            api_budget=api_budget,
        )
        # Vector memory: faiss (default), redis or none; checked here so a typo fails before the run.
        run["memory"] = check_backend(memory or self.settings.memory_backend)
        if memory_namespace:
            run["memory_namespace"] = memory_namespace
        ctx = context or make_context(run, self.settings)
        budget = check_budget(api_budget or (ai_config or {}).get("api_budget") or 0)
        check_priced([(m.name, m.free) for m in (ctx.models.smart, ctx.models.fast)], budget, self.settings.model_prices)
        self._keep(thread_id, ctx)
        initial: dict[str, Any] = {"run": run, "cycle": 0}
        if task:
            initial["task"] = task
        if ai_config:
            initial["ai_config"] = ai_config
        return self._stream(initial, thread_id, ctx)

    def resume(
        self, thread_id: str, answer: str | None = None, *, context: AgentContext | None = None, **overrides: Any
    ) -> Iterator[Step]:
        """Continue a run from its last checkpoint; `answer` replies to a waiting human gate.
        `overrides` (continuous, continuous_limit, llm, ...) apply to this session only."""
        status = self.status(thread_id)
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if status.finished:
            self._reopen(status, overrides)
        if status.waiting is not None and answer is None:
            raise AgentError(f"Run '{thread_id}' is waiting for your answer to its proposed command.")
        self.thread_id = thread_id
        ctx = context or (None if overrides else self._contexts.get(thread_id))
        if ctx is None:
            ctx = make_context(status.run or {}, self.settings, overrides)
        self._keep(thread_id, ctx)  # a given context goes on serving the thread's later resumes here
        payload = Command(resume=answer) if status.waiting is not None else None
        return self._stream(payload, thread_id, ctx)

    def _keep(self, thread_id: str, ctx: AgentContext) -> None:
        with self._contexts_lock:  # a server's request threads share the runner
            self._contexts.pop(thread_id, None)
            self._contexts[thread_id] = ctx
            while len(self._contexts) > KEPT_CONTEXTS:
                self._contexts.popitem(last=False)

    def _reopen(self, status: RunStatus, overrides: dict) -> None:
        """A run that stopped at its continuous limit goes on when resumed with a higher limit or
        without continuous mode, and one that stopped on unusable replies goes on with the model asked
        again: clear the stop as if summarise_memory had just run, which routes to a new cycle. Any
        other ended run stays ended."""
        higher = overrides.get("continuous_limit", 0) > status.cycle or overrides.get("continuous") is False
        if not (stopped_on_unusable_replies(status.stop_reason) or (stopped_at_limit(status.stop_reason) and higher)):
            hint = " (resume with a higher --continuous-limit to go on)" if stopped_at_limit(status.stop_reason) else ""
            raise AgentError(f"Run '{status.thread_id}' has already ended: {status.stop_reason or 'finished'}{hint}")
        self.graph.update_state(self._config(status.thread_id), {"stop_reason": None}, as_node="summarise_memory")

    def _stream(self, payload: Any, thread_id: str, ctx: AgentContext, config: dict | None = None,
                before: Callable[[], Restored | None] | None = None) -> Iterator[Step]:
        # durability="sync": each checkpoint is on disk before the next step starts, so a killed
        # process loses at most the step it was in. `config`: a past checkpoint's, to replay from it.
        # The thread's lock is held while it streams: one process runs a thread at a time; `before`
        # (a replay's restore of the files) runs under it too.
        config = {**self._config(thread_id), **(config or {})}
        with holding_thread(self.saver, thread_id), interrupt_stops_generation():
            if before is not None and (restored := before()) is not None:
                yield Step(FILES_RESTORED, {"note": restored.note})
            # "updates" alone: with a second mode LangGraph yields a step's update before its checkpoint
            # lands, and a caller that stops there (the server, at the gate) loses the step.
            try:
                for chunk in self.graph.stream(payload, config, context=_heard(ctx, self.on_notice),
                                               stream_mode="updates", durability="sync"):
                    for node, update in chunk.items():
                        if node == INTERRUPT:
                            yield Step(INTERRUPT, dict(update[0].value))
                        else:
                            yield Step(node, dict(update or {}))
            except GenerationStopped:  # Ctrl-C stopped the model in LangGraph's worker: it is the interrupt
                raise KeyboardInterrupt from None

    # Time travel, in autogpt_graph.graph.runs.threads: list runs, read a run step by step, replay or fork from a step.
    def threads(self) -> list[time_travel.ThreadInfo]:
        return time_travel.list_threads(self)

    def history(self, thread_id: str) -> list[time_travel.HistoryLine]:
        return time_travel.history(self, thread_id)

    def replay(self, thread_id: str, step: int, **overrides: Any) -> Iterator[Step]:
        """Re-run the thread from step K: the node of that step and everything after it run again."""
        ctx, config, restore = time_travel.replay_point(self, thread_id, step, **overrides)
        self.thread_id = thread_id
        return self._stream(None, thread_id, ctx, config=config, before=restore)

    def fork(self, thread_id: str, step: int, **edits: Any) -> str:
        """A new thread from step K with edits (feedback=, sets=[FIELD=VALUE], command=), working in
        a folder of its own that holds the files of step K; returns its id."""
        return time_travel.fork(self, thread_id, step, **edits)

    def checkout(self, thread_id: str, step: int, to: str | Path | None = None) -> Restored:
        """The files of step K, in `to` (a new or empty folder) or, without it, in the run's own workspace."""
        return time_travel.checkout(self, thread_id, step, to)

    def diff(self, thread_id: str, step: int) -> list[FileChange]:
        """The files step K changed, with their diffs."""
        return time_travel.diff(self, thread_id, step)

    def status(self, thread_id: str) -> RunStatus:
        status = self.find(thread_id)
        if status is None:
            raise AgentError(f"There is no run '{thread_id}' in {self.workspace}; check --thread and -w.")
        return status

    def find(self, thread_id: str) -> RunStatus | None:
        """The run's status, or None when there is no such run."""
        snapshot = self.graph.get_state(self._config(thread_id))
        if not snapshot.values:
            return None
        waiting = next((i.value for t in snapshot.tasks for i in t.interrupts), None)
        values = snapshot.values
        return RunStatus(
            thread_id=thread_id,
            cycle=values.get("cycle", 0),
            stop_reason=values.get("stop_reason"),
            waiting=waiting,
            usage=values.get("usage", {}),
            # Not snapshot.next: it leaves out tasks whose writes were saved just before the process
            # died (the next checkpoint never came); those tasks are still to be applied on resume.
            next_nodes=tuple(t.name for t in snapshot.tasks),
            ai_config=values.get("ai_config"),
            run=values.get("run"),
        )
