"""One step of a task: one cycle of the graph, streamed until the human gate waits again or the run ends.

A step starts where the task stopped. The first one devises the goals (unless the client gave them),
thinks and proposes a command; each next one answers the gate with its input (`y`, `y -N`, `n`,
`s` or feedback, as at the CLI; no input approves), so the proposed command runs, and then thinks and
proposes the next. Its output is the command's result and the new thoughts: what the CLI prints for
the same cycle. In continuous mode, or with commands authorised by `y -N`, the gate does not wait;
the step then stops right after the gate has approved the next command, which the next step runs,
so one step is still one cycle.

A failure inside the cycle (the model unreachable, a bad reply it cannot recover from) ends the step
with the reason; the checkpoints up to it are kept, so the next step takes the cycle up from there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.prompting.events import RESULT, event_text, set_aside_text
from autogpt_graph.graph.runs.run_lock import ThreadBusy
from autogpt_graph.graph.runs.runner import INTERRUPT, AgentRunner, Step
from autogpt_graph.graph.server.errors import BadInput, Busy
from autogpt_graph.graph.server.protocol import TaskOptions
from autogpt_graph.graph.server.tasks import TaskRecord
from autogpt_graph.nodes.human_gate import parse_answer
from autogpt_graph.nodes.validate_json import stopped_on_unusable_replies

log = logging.getLogger(__name__)


@dataclass
class StepOutcome:
    name: str
    output: str
    is_last: bool
    additional_output: dict[str, Any] = field(default_factory=dict)


def thoughts_text(ai_name: str, thoughts: dict, command: dict | None) -> str:
    """The proposal as the CLI shows it, in plain text."""
    lines = [f"{ai_name.upper()} THOUGHTS: {thoughts.get('text', '')}"]
    if thoughts.get("reasoning"):
        lines.append(f"REASONING: {thoughts['reasoning']}")
    plan = [line.lstrip("- ").strip() for line in thoughts.get("plan", "").splitlines() if line.strip()]
    if plan:
        lines += ["PLAN:", *(f"-  {line}" for line in plan)]
    if thoughts.get("criticism"):
        lines.append(f"CRITICISM: {thoughts['criticism']}")
    if command:
        args = json.dumps(command.get("args", {}), ensure_ascii=False)
        lines.append(f"NEXT ACTION: COMMAND = {command['name']} ARGUMENTS = {args}")
    return "\n".join(lines)


@dataclass
class Begun:
    steps: Iterator[Step]
    answer: str | None  # given to the waiting gate
    ai_name: str


def begin(runner: AgentRunner, task: TaskRecord, options: TaskOptions, llm: str, answer: str | None) -> Begun:
    """The task's graph steps from where it stopped, and the answer given to its gate if one waits.
    Nothing has run yet: a bad answer or an ended task is refused here. The caller holds the lock."""
    answer = (answer or "").strip() or None
    status = runner.find(task.task_id)
    if status is None:
        return Begun(runner.start(
            task=None if options.ai_goals else task.input, ai_config=options.ai_config(task.input),
            thread_id=task.task_id, llm=llm, continuous=options.continuous,
            continuous_limit=options.continuous_limit, gpt3only=options.gpt3only, gpt4only=options.gpt4only,
            api_budget=options.api_budget, memory=options.memory, memory_namespace=options.memory_namespace,
            workspace=task.workspace,
        ), None, (options.ai_config(task.input) or {}).get("ai_name", "AutoGPT"))
    ai_name = (status.ai_config or {}).get("ai_name", "AutoGPT")
    # The shared folder may be mounted elsewhere on this machine than where the task started: the
    # run works in this server's copy of the path (a context made for each step here, not cached).
    moved = {} if (status.run or {}).get("workspace") == str(task.workspace) else {"workspace": str(task.workspace)}
    if status.waiting is not None:
        answer = answer or "y"
        if parse_answer(answer).kind == "invalid":
            raise BadInput(f"{parse_answer(answer).text} (the step's input answers the proposed command)")
        return Begun(runner.resume(task.task_id, answer, **moved), answer, ai_name)
    if status.finished and not stopped_on_unusable_replies(status.stop_reason):
        raise Busy(f"Task '{task.task_id}' has ended ({status.stop_reason or 'finished'}); create a new task to go on.")
    # Mid-cycle (after a failure, or a gate that approved at the end of the last step), or stopped on
    # unusable replies, which asks the model again.
    return Begun(runner.resume(task.task_id, **moved), None, ai_name)


def drive(runner: AgentRunner, task: TaskRecord, begun: Begun) -> StepOutcome:
    """Stream the graph steps to the end of the cycle; the caller holds the task's lock."""
    steps, answered, ai_name = begun.steps, begun.answer, begun.ai_name
    lines: list[str] = []
    extra: dict[str, Any] = {"answer": answered, "results": []}
    gates_left = 1 if answered else 0  # the gate this step answers is passed; the next one ends the step
    try:
        for step in steps:
            update = step.update
            if step.node == INTERRUPT:
                if update.get("error"):
                    lines.append(f"Error: {update['error']}")
                break
            if step.node == "decompose_goals" and update.get("ai_config"):
                cfg = extra["ai_config"] = update["ai_config"]
                ai_name = cfg["ai_name"]
                goals = " ".join(f"{i}. {g}" for i, g in enumerate(cfg["ai_goals"], 1))
                lines.append(f"{cfg['ai_name']} ({cfg['ai_role']}). Goals: {goals}")
            elif step.node == "validate_json" and update.get("command"):
                extra["thoughts"], extra["command"] = update.get("thoughts", {}), update["command"]
                lines.append(thoughts_text(ai_name, extra["thoughts"], update["command"]))
            elif step.node == "validate_json" and (update.get("invalid_replies") or update.get("push_backs")):
                told = ((update.get("prompt") or {}).get("retries") or [""])[-1]
                lines.append(f"Asking the model again: {told}")
            elif step.node == "human_gate":
                if update.get("critique"):
                    lines.append(f"SELF FEEDBACK: {update['critique']}")
                if "command" not in update:  # approved (a feedback or exit clears the command)
                    if gates_left == 0:
                        break
                    gates_left -= 1
            elif step.node == "execute_tool":
                for event in update.get("history", []):
                    if event["kind"] == RESULT:
                        extra["results"].append({"command": event["name"], "result": event["result"],
                                                 "ok": event.get("ok", True)})
                        lines.append(f"SYSTEM: {event_text(event)}")
                if update.get("set_aside"):
                    lines.append(set_aside_text(update["set_aside"]))
    except ThreadBusy:
        raise
    except Exception as exc:  # noqa: BLE001 - the model or a node failed: the step says why, the task stays resumable
        # A model's failure is expected and said in one sentence; anything else gets its traceback logged.
        log.warning("A step of task %s failed: %s", task.task_id, exc, exc_info=not isinstance(exc, AgentError))
        extra["error"] = str(exc) or type(exc).__name__
        lines.append(f"Error: {extra['error']} (the task is kept; step it again to retry)")
    finally:
        steps.close()
    status = runner.status(task.task_id)
    extra.update(cycle=status.cycle, stop_reason=status.stop_reason, waiting=status.waiting is not None,
                 usage=status.usage)
    is_last = status.finished and "error" not in extra
    if status.finished and status.stop_reason:
        lines.append(f"Run ended after {status.cycle} cycles: {status.stop_reason}")
    if is_last:
        name = "run ended"
    elif "error" in extra:
        name = "failed"
    else:
        proposed = (status.waiting or {}).get("command") or extra.get("command") or {}
        name = proposed.get("name") or "step"
    return StepOutcome(name=f"cycle {status.cycle}: {name}", output="\n".join(lines), is_last=is_last,
                       additional_output=extra)
