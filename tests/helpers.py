"""Shared test helpers: AutoGPT replies, scripts on disk, runners on a temporary workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from autogpt_graph.graph.context import AgentContext, make_context
from autogpt_graph.graph.llm.call import CommandModel
from autogpt_graph.graph.runs.runner import INTERRUPT, AgentRunner
from autogpt_graph.nodes.execute_tool import tool_runtime
from autogpt_graph.tools.runtime import using_runtime

AI_CONFIG = {
    "ai_name": "TestGPT",
    "ai_role": "an AI that writes files for tests",
    # No file name in the goals: the nudges toward a named file have tests of their own.
    "ai_goals": ["Write a greeting to a file", "Then shut down"],
    "api_budget": 0.0,
}


def reply(name: str, thought: str = "I will do the next step.", **args) -> str:
    """A well-formed AutoGPT reply choosing command `name` with `args`."""
    return json.dumps(
        {
            "thoughts": {
                "text": thought,
                "reasoning": "It is the next step towards the goals.",
                "plan": "- do it\n- check it\n- finish",
                "criticism": "Be quick.",
                "speak": thought,
            },
            "command": {"name": name, "args": args},
        }
    )


WRITE_AND_FINISH = [
    reply("write_to_file", filename="hello.txt", text="hello world"),
    reply("task_complete", reason="hello.txt is written"),
]


# Cycles that do nothing special, for tests of limits and budgets: not a loop (the commands differ)
# and not a read-only repeat or a rewrite of the same text (autogpt_graph.graph.steering.nudges), so each cycle is one model call.
FILLER = {"repeat": True, "think": [reply("append_to_file", filename="tick.txt", text="tick"),
                                    reply("append_to_file", filename="tock.txt", text="tock")]}


def write_script(folder: Path, data, name: str = "script.yaml") -> Path:
    path = Path(folder) / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def run_to_end(runner: AgentRunner, steps, answers=()) -> list:
    """Drain steps, answering each human-gate interrupt from `answers`; returns all steps."""
    answers = list(answers)
    seen = []
    while True:
        waiting = False
        for step in steps:
            seen.append(step)
            waiting = waiting or step.node == INTERRUPT
        if not waiting:
            return seen
        steps = runner.resume(runner.thread_id, answers.pop(0))


def start_scripted(runner: AgentRunner, folder: Path, script, answers=(), **options):
    """Run a script to the end; returns (steps, prompts): the messages of every think call."""
    path = write_script(folder, script)
    ctx = make_context({"llm": f"script:{path}", "workspace": str(runner.workspace)}, runner.settings)
    steps = runner.start(ai_config=options.pop("ai_config", AI_CONFIG), llm=f"script:{path}", context=ctx, **options)
    steps = run_to_end(runner, steps, answers)
    return steps, [messages for purpose, messages in ctx.models.smart.chat.seen if purpose == "think"]


def run_script(runner: AgentRunner, folder: Path, script, answers=(), **options) -> list:
    """Run `script` (the scripted model's replies) on `runner` from the start, answering the human gate
    from `answers`; returns all steps."""
    path = write_script(folder, script)
    steps = runner.start(ai_config=options.pop("ai_config", AI_CONFIG), llm=f"script:{path}", **options)
    return run_to_end(runner, steps, answers)


def nodes_of(steps) -> list[str]:
    return [s.node for s in steps]


@contextmanager
def model_runtime(ctx: AgentContext, state: dict | None = None) -> Iterator[CommandModel]:
    """Commands invoked outside a run get the run's model as execute_tool binds it; `.usage` is what they spent."""
    calls = CommandModel(ctx, state or {})
    with using_runtime(tool_runtime(calls)):
        yield calls
