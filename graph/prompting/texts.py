"""The prompt texts, as data: AutoGPT v0.3.0's own and this runtime's messages in `autogpt.yaml`, the
small-model steering's in `steering.yaml` (graph/steering/small.py), so v0.3.0's prompt can be read,
and given to a model, exactly as it was.

Each file is checked against its schema when first loaded (`check_prompts` at start-up): a missing,
misspelt or extra key fails there, in one sentence, not mid-run.
"""

from __future__ import annotations

import functools
from importlib import resources
from string import Template
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from autogpt_graph.graph.errors import AgentError


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Requires(_File):
    """A prompt line listed only when every command it names is registered."""

    text: str
    requires: list[str]


class AIFunction(_File):
    function: str
    description: str


class AutoGPTPrompts(_File):
    """autogpt.yaml: v0.3.0's prompts, and the runtime's own messages (errors, loop guard, injection)."""

    system_intro: str
    goals_header: str
    constraints: list[str | Requires]
    resources: list[str | Requires]
    performance_evaluation: list[str]
    command_line: str
    task_complete_line: str
    response_format: str
    current_time: str
    summary_intro: str
    initial_summary: str
    recalled_memories: str
    trigger: str
    budget_note: str
    budget_warnings: dict[str, str]
    command_result: str
    injection_note: str
    human_feedback: str
    self_feedback: str
    output_too_big: str
    output_remembered: str
    summarise_output: str
    summarise_output_partial: str
    reply_invalid: str
    unknown_command: str
    invalid_args: str
    decompose_system: str
    decompose_user: str
    summarise: str
    fix_json: str
    self_critique: str
    loop_warning: str
    ai_function: str
    ai_functions: dict[str, AIFunction]


class SteeringPrompts(_File):
    """steering.yaml: what SmallModelSteering adds (prompt lines, lean reply formats, notes, push-backs)."""

    constraints: list[str | Requires]
    reply_example: str
    lean_response_format: str
    brief_response_format: str
    code_block_format: str
    goals_reminder: str
    repeated_command: str
    unchanged_repeat: str
    failed_repeat: str
    copied_result: str
    second_thoughts: str
    write_after_set_aside: str
    no_op_write: str
    goal_files_written: str
    finish_for_repeater: str
    write_missing_now: str
    compute_first: str
    read_inputs_first: str
    nothing_done_yet: str
    browse_first: str
    read_something_first: str
    read_folder_rest: str
    early_task_complete: str
    goal_file_missing: str
    ran_script: str
    rewrite_to_fix: str
    run_before_finish: str
    search_saved_output: str
    unfenced_code: str
    self_import: str


def _load(name: str, schema: type[BaseModel]) -> dict[str, Any]:
    data = yaml.safe_load((resources.files(__package__) / name).read_text("utf-8"))
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise AgentError(f"The prompt file {name} does not match its schema ({problems}).") from exc
    return data


@functools.cache
def prompts() -> dict[str, Any]:
    """autogpt.yaml, checked."""
    return _load("autogpt.yaml", AutoGPTPrompts)


@functools.cache
def steering_prompts() -> dict[str, Any]:
    """steering.yaml, checked."""
    return _load("steering.yaml", SteeringPrompts)


def check_prompts() -> None:
    """Load and check every prompt file now (at start-up), so a broken one fails before a run starts."""
    prompts()
    steering_prompts()


def available_lines(entries: list, names: set[str]) -> list[str]:
    """Prompt lines: plain strings, and {text, requires} entries whose commands are all registered."""
    return [e if isinstance(e, str) else e["text"] for e in entries if isinstance(e, str) or set(e["requires"]) <= names]


def render(key: str, **values: Any) -> str:
    """The prompt text `key` of autogpt.yaml with its $placeholders filled."""
    return Template(prompts()[key]).substitute(**values)


def ai_function_prompt(name: str, args: list) -> tuple[str, str]:
    """AutoGPT's call_ai_function prompt: the system text that makes the model act as function `name`,
    and the user text, each argument as a string ("None" for None) joined with ", " as v0.3.0 did."""
    spec = prompts()["ai_functions"][name]
    system = render("ai_function", description=spec["description"], function=spec["function"])
    return system, ", ".join("None" if a is None else str(a) for a in args)


def render_steering(key: str, **values: Any) -> str:
    """The text `key` of steering.yaml with its $placeholders filled."""
    return Template(steering_prompts()[key]).substitute(**values)
