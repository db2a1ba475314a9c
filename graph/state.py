"""The graph's state schema.

Checkpoint size must not grow with run length (SQLite stores every channel value in every
checkpoint), so the state keeps only small values plus:
- `history`: a bounded window of recent events in a DeltaChannel, so each checkpoint stores only the
  step's new events, not the window; events that leave the context are folded into `summary`;
- `prompt`: a plan of the cycle's prompt (which history, the time, notes), not its messages, which
  are derived from state when the model is called; `reply`: cleared once it has been accepted.
Secrets and live objects (models, tools) never enter state: they live in the runtime context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

# typing_extensions' TypedDict: pydantic derives JSON schemas from it on Python 3.11 (Studio's form,
# get_input_jsonschema), which it refuses for typing.TypedDict before 3.12.
from typing_extensions import NotRequired, TypedDict

from langgraph.channels.delta import DeltaChannel

from autogpt_graph.graph.memory.lineage import MemoryCursor


class AIConfig(TypedDict):
    """AutoGPT's ai_settings.yaml."""

    ai_name: str
    ai_role: str
    ai_goals: list[str]
    api_budget: float  # USD, 0 = unlimited


class RunOptions(TypedDict, total=False):
    """How the run was started; kept so `resume` continues the same way. No secrets."""

    llm: str  # model spec: "openai", "azure", "script:FILE", ...
    gpt3only: bool
    gpt4only: bool
    continuous: bool
    continuous_limit: int  # 0 = no limit
    api_budget: float  # USD for a run whose goals the model devises; ai_settings carry their own
    workspace: str
    # Whose `.autogpt/` holds the run's vector memory and file history: the workspace, except for a
    # fork, which works in a folder of its own but keeps its origin's memory and records.
    home: str
    memory: str  # vector memory backend: faiss, redis or none
    memory_namespace: str  # the agent's memory; default: its ai_name


class RunInput(TypedDict, total=False):
    """What a user starts a run with (the server graph's input schema, so Studio's form shows these
    and not the internal state): a task or AutoGPT's ai_settings, and the run's options."""

    task: str
    ai_config: AIConfig
    run: RunOptions


class Event(TypedDict):
    """One entry of the conversation history, kept as data; graph/prompting/events.py makes them and
    renders them as text where a model or a person reads them."""

    cycle: int
    # Not "role"/"content": LangGraph would coerce such dicts into chat messages.
    kind: str  # "assistant" (the model's reply), "system" (a command result), "user" (feedback)
    tokens: int  # of the rendered text, counted once, when the event is made
    thoughts: NotRequired[dict[str, Any]]  # assistant: the reply's thoughts
    command: NotRequired[dict[str, Any]]  # assistant: the command, as validated
    name: NotRequired[str]  # system: the command that ran
    result: NotRequired[str]  # system: what it returned, as the history keeps it
    ok: NotRequired[bool]  # system: False for an error, a refusal, or code that failed
    saved_to: NotRequired[str]  # system: the workspace file holding an output too big to keep whole
    feedback: NotRequired[str]  # user: the feedback itself
    source: NotRequired[str]  # user: "human" or "self" (the model's self-critique)
    text: NotRequired[str]  # events written before events had structure: the rendered text only


class PromptPlan(TypedDict):
    """What build_prompt chose for this cycle's prompt; think renders the messages from it and the
    rest of the state (autogpt_graph.graph.prompting.builder.render_prompt). Small, unlike the messages."""

    time: str
    history_from_cycle: int  # history events of this cycle and later are in the prompt
    notes: list[str]  # the budget note and nudges, after the history
    # validate_json's problems with this cycle's replies (unusable, or pushed back), as sentences; each
    # is rendered after the trigger as "Your last reply could not be used: ...".
    retries: list[str]
    # Recalled from vector memory for this cycle, within its token budget: [store id, characters shown].
    # Ids, not texts, so checkpoints stay small; the texts never change once stored.
    memories: NotRequired[list[list[int]]]


class SetAside(TypedDict):
    """A command this cycle ran and set aside: the steering doubted its result (a code run that failed
    a cheap check, graph/steering/candidates.py) and the model was asked for another candidate. Kept in
    the checkpoint for whoever replays the run; the model never reads it."""

    command: dict[str, Any]
    result: str  # as the model would have read it, shortened
    ok: bool
    why: str  # the check it failed, e.g. "it printed '0'"


class DropBefore(TypedDict):
    drop_before_cycle: int


def history_reducer(window: list[Event], writes: Sequence[list[Event] | DropBefore]) -> list[Event]:
    """Append new events; a DropBefore marker removes the events of earlier cycles (they have been
    summarised). A left fold of per-write steps, so it is batching-invariant as DeltaChannel needs."""
    out = list(window)
    for write in writes:
        if isinstance(write, dict):
            out = [e for e in out if e["cycle"] >= write["drop_before_cycle"]]
        else:
            out.extend(write)
    return out


def merge_usage(total: dict[str, Any] | None, delta: dict[str, Any] | None) -> dict[str, Any]:
    """Add token counts, costs and call counts, nested by model and purpose."""
    out = dict(total or {})
    for key, value in (delta or {}).items():
        if isinstance(value, dict):
            out[key] = merge_usage(out.get(key), value)
        else:
            out[key] = out.get(key, 0) + value
    return out


class AgentState(TypedDict, total=False):
    task: str
    ai_config: AIConfig
    run: RunOptions
    cycle: int
    prompt: PromptPlan | None
    reply: str | None
    thoughts: dict[str, str]
    command: dict[str, Any] | None  # {"name": ..., "args": {...}}
    invalid_replies: int  # consecutive replies validate_json could not use (unparseable or off-schema)
    # Commands this cycle ran and set aside for another candidate; None once one stands (its result is
    # then in the history). execute_tool sets `command` to None when it sets one aside, and think asks again.
    set_aside: list[SetAside] | None
    push_backs: int  # well-formed commands the steering pushed back this cycle (never end the run)
    authorised: int  # commands still pre-authorised by "y -N"
    history: Annotated[list[Event], DeltaChannel(history_reducer, snapshot_frequency=50)]
    summary: str
    memory_cursor: MemoryCursor | None  # this run's branch in vector memory (graph/memory/lineage.py)
    usage: Annotated[dict[str, Any], merge_usage]
    critique: str | None  # the last self-critique, for display
    stop_reason: str | None
    repeats: list | None  # [key of the last command run, times in a row] (autogpt_graph.graph.safety.loop_guard)
    forked_from: dict[str, Any] | None  # {"thread", "step"} when made by `fork` (autogpt_graph.graph.runs.threads)
    # The workspace's files when the first cycle began (build_prompt), so that the run's own files can be
    # told from its inputs; None: too many to list (tools/workspace.py START_FILES), or a run from before.
    start_files: list[str] | None
    # The record of the workspace's files after the last step that could change them (graph/file_history):
    # the checkpoint that follows a step holds the files of that moment.
    files: str | None
