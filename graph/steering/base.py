"""The steering interface: everything that steers a model beyond AutoGPT v0.3.0 goes through it.

A run has one `Steering` (AgentContext.steering), chosen per model (graph/steering/choice.py). The
base class steers nothing: with it the loop is v0.3.0's, and only the runtime's safety applies on top
(the loop guard, the hard budget, the injection note, workspace confinement). A steering that helps a
model overrides some of its methods:
- `constraints` and `reply_example`: lines added to the system prompt;
- `notes`: notes for the prompt after the history;
- `review`: a proposed, well-formed command is accepted, pushed back with a sentence, replaced, or the
  run stopped;
- `mend`, `shown_output` and `result_notes`: a command mended before it runs, its result as the model
  reads it, notes on what it returned;
- `set_aside`: a result doubted by a cheap check, set aside so the model is asked for another candidate
  (at `candidate_temperature`) before it reads the result;
- `aliases`: other names the model may use for a command.
Rules read the state and `Facts` (the workspace and the commands the run has), nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from autogpt_graph.graph.state import AgentState, SetAside
from autogpt_graph.tools.registry import ToolRegistry
from autogpt_graph.tools.workspace import Workspace


@dataclass(frozen=True)
class Facts:
    """What a steering rule may look at besides the state."""

    workspace: Workspace
    tools: ToolRegistry

    @property
    def can_browse(self) -> bool:
        return "browse_website" in self.tools


@dataclass(frozen=True)
class Review:
    """Steering's word on a proposed command."""

    action: Literal["accept", "push_back", "replace", "stop"]
    message: str = ""  # push_back: the sentence for the model; stop: the reason the run ends
    command: dict | None = None  # replace: the command that runs instead


ACCEPT = Review("accept")


def push_back(message: str | None) -> Review:
    """A push-back with `message`, or acceptance when there is nothing to say."""
    return Review("push_back", message) if message else ACCEPT


@dataclass(frozen=True)
class CommandOutput:
    """What a command returned, for `result_notes`: its text and, for code it ran, the process's
    exit code and error output."""

    text: str
    ok: bool
    artifact: Mapping[str, Any] = field(default_factory=dict)


class Steering:
    """No steering: AutoGPT v0.3.0's loop. Subclass it to steer a model (see SmallModelSteering)."""

    name = "off"
    aliases: Mapping[str, str] = {}
    # Sampling temperature when asking for another candidate; None: this steering never sets a result aside.
    candidate_temperature: float | None = None

    def constraints(self, tools: ToolRegistry) -> list[str]:
        """Constraint lines added after v0.3.0's own."""
        return []

    def reply_example(self) -> str:
        """Text added after v0.3.0's response format ("" for none)."""
        return ""

    def notes(self, state: AgentState, facts: Facts) -> list[str]:
        """Notes for this cycle's prompt, after the history."""
        return []

    def review(self, state: AgentState, command: dict, facts: Facts) -> Review:
        """The word on a proposed command that passed the schema checks (its args validated)."""
        return ACCEPT

    def mend(self, command: dict) -> tuple[dict, list[str]]:
        """The command as it runs (its name or arguments mended), and notes said after its result
        about what was mended."""
        return command, []

    def shown_output(self, command: dict, output: CommandOutput, facts: Facts) -> str:
        """The command's result as the model reads it: as the command returned it."""
        return output.text

    def result_notes(self, command: dict, output: CommandOutput) -> list[str]:
        """Notes appended to a command's result."""
        return []

    def set_aside(self, command: dict, output: CommandOutput, tried: Sequence[SetAside]) -> SetAside | None:
        """The record of a result to set aside (`output`: as the model would read it), the model then asked
        for another candidate with the same prompt (`tried`: those set aside this cycle already), or None:
        the result stands."""
        return None
