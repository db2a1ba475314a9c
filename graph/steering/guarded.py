"""A steering that can never end or brick a run: the chosen steering behind a guard.

Steering reads the workspace (files the goals name, what a write would change) with arguments the model
chose. A file name longer than the file system allows, a FIFO, a tree too deep to walk: each raised out
of validate_json once, and since resume re-checks the same stored reply, the thread could never go on.
Steering is advice on top of v0.3.0's loop, so when it fails on such input the run gets what v0.3.0
would do (accept the command, add no note) and the command itself meets the input and reports on it.
"""

from __future__ import annotations

import logging

from autogpt_graph.graph.state import AgentState
from autogpt_graph.graph.steering.base import ACCEPT, CommandOutput, Facts, Review, Steering
from autogpt_graph.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

# What bad input raises out of file-system checks: OSError (ENAMETOOLONG, ELOOP, EACCES, ...),
# ValueError (undecodable names, NUL bytes), RecursionError (deep trees).
INPUT_FAILURES = (OSError, ValueError, RecursionError)


class GuardedSteering(Steering):
    def __init__(self, inner: Steering):
        self.inner = inner
        self.name = inner.name
        self.aliases = inner.aliases

    def _failed(self, what: str, exc: Exception) -> None:
        log.debug("steering %s: %s failed on this input, v0.3.0's behaviour used: %r", self.name, what, exc)

    def constraints(self, tools: ToolRegistry) -> list[str]:
        return self.inner.constraints(tools)

    def reply_example(self) -> str:
        return self.inner.reply_example()

    def notes(self, state: AgentState, facts: Facts) -> list[str]:
        try:
            return self.inner.notes(state, facts)
        except INPUT_FAILURES as exc:
            self._failed("notes", exc)
            return []

    def review(self, state: AgentState, command: dict, facts: Facts) -> Review:
        try:
            return self.inner.review(state, command, facts)
        except INPUT_FAILURES as exc:
            self._failed("review", exc)
            return ACCEPT

    def mend(self, command: dict) -> tuple[dict, list[str]]:
        try:
            return self.inner.mend(command)
        except INPUT_FAILURES as exc:
            self._failed("mend", exc)
            return command, []

    def result_notes(self, command: dict, output: CommandOutput) -> list[str]:
        try:
            return self.inner.result_notes(command, output)
        except INPUT_FAILURES as exc:
            self._failed("result_notes", exc)
            return []
