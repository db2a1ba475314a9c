"""A steering that can never end or brick a run: the chosen steering behind a guard.

Steering reads the workspace (files the goals name, what a write would change) with arguments the model
chose. A file name longer than the file system allows, a FIFO, a tree too deep to walk: each raised out
of validate_json once, and since resume re-checks the same stored reply, the thread could never go on.
Steering is advice on top of v0.3.0's loop, so when it fails on such input the run gets what v0.3.0
would do (accept the command, add no note) and the command itself meets the input and reports on it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from autogpt_graph.graph.state import AgentState, SetAside
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
        self.candidate_temperature = inner.candidate_temperature

    def _guarded(self, call, fallback, *args):
        """inner.<call>(*args), or `fallback` (v0.3.0's answer) when it fails on the model's input."""
        try:
            return getattr(self.inner, call)(*args)
        except INPUT_FAILURES as exc:
            log.debug("steering %s: %s failed on this input, v0.3.0's behaviour used: %r", self.name, call, exc)
            return fallback

    def constraints(self, tools: ToolRegistry) -> list[str]:
        return self.inner.constraints(tools)

    def reply_example(self) -> str:
        return self.inner.reply_example()

    def notes(self, state: AgentState, facts: Facts) -> list[str]:
        return self._guarded("notes", [], state, facts)

    def review(self, state: AgentState, command: dict, facts: Facts) -> Review:
        return self._guarded("review", ACCEPT, state, command, facts)

    def mend(self, command: dict) -> tuple[dict, list[str]]:
        return self._guarded("mend", (command, []), command)

    def shown_output(self, command: dict, output: CommandOutput, facts: Facts) -> str:
        return self._guarded("shown_output", output.text, command, output, facts)

    def result_notes(self, command: dict, output: CommandOutput) -> list[str]:
        return self._guarded("result_notes", [], command, output)

    def set_aside(self, command: dict, output: CommandOutput, tried: Sequence[SetAside]) -> SetAside | None:
        return self._guarded("set_aside", None, command, output, tried)
