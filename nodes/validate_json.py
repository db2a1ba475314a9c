"""validate_json: turns the raw reply into thoughts and a checked command, or sends the model back to
think with the problem stated (never its bad reply: small models copy it), a bounded number of times.

Parse and repair the reply, check the command against the registry and its argument schema, then ask
the run's steering (graph/steering/) what it says about the command: accept it, push it back with a
sentence, replace it, or stop the run. Unusable replies and push-backs are counted apart: too many
unusable replies in a row end the run; a model that insists on a well-formed command past
MAX_PUSH_BACKS gets its way. The loop guard applies to every model.
"""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage
from langchain_core.tools import BaseTool
from langgraph.runtime import Runtime
from pydantic import ValidationError

from autogpt_graph.graph.context import AgentContext, context_of
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.prompting.reply_parsing import (
    MAX_REPAIR_CHARS, ReplyError, find_placeholder, is_placeholder_command, parse_reply,
)
from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.registry import ToolRegistry


# A run that ends this way failed (the CLI exits non-zero) and can be resumed: the model is asked again.
UNUSABLE_REPLIES = "The model gave {count} unusable replies in a row; the last problem: {problem}"


def stopped_on_unusable_replies(stop_reason: str | None) -> bool:
    return bool(stop_reason and re.match(r"The model gave \d+ unusable replies in a row", stop_reason))


def check_command(command: dict, tools: ToolRegistry) -> tuple[dict | None, str | None]:
    """(the command with its registered name and validated args, None) or (None, the problem in one
    sentence for the model)."""
    name = command["name"]
    tool = tools.get(name)
    if tool is None or is_placeholder_command(name):
        return None, render("unknown_command", name=name, names=", ".join(tools.names()))
    placeholder = find_placeholder(command["args"])
    if placeholder:
        return None, placeholder
    try:
        args = tool.args_schema.model_validate(command["args"]).model_dump() if tool.args_schema else {}
    except ValidationError as exc:
        return None, render("invalid_args", name=name, problems=_problems(exc), args=_arg_names(tool))
    # An alias ("create_file") runs, is checked and is remembered as its command.
    return {"name": tool.name, "args": args}, None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"'{'.'.join(map(str, e['loc']))}' is missing" if e["type"] == "missing"
        else f"'{'.'.join(map(str, e['loc']))}': {e['msg']}"
        for e in exc.errors()
    )


def _arg_names(tool: BaseTool) -> str:
    fields = tool.args_schema.model_fields if tool.args_schema else {}
    return ", ".join(f'"{n}"' for n in fields) or "none"


def _parse(state: AgentState, ctx: AgentContext) -> tuple[dict | None, str | None, dict]:
    """(parsed reply, None, usage) or (None, the problem, usage); RunStop when the budget is spent."""
    try:
        return parse_reply(state.get("reply") or ""), None, {}
    except ReplyError as err:
        problem = str(err)
    reply = (state.get("reply") or "").strip()
    if not ctx.settings.fix_json_with_model or not reply or len(reply) > MAX_REPAIR_CHARS:
        # Nothing to fix, or too long to repair and so too long to re-send: the model is asked again.
        return None, problem, {}
    # AutoGPT's last resort: ask the fast model to rewrite the reply as the JSON object.
    fixed, usage = call_model(ctx, state, role="fast", purpose="fix_json",
                              messages=[HumanMessage(render("fix_json", text=state.get("reply") or ""))])
    try:
        return parse_reply(fixed), None, usage
    except ReplyError:
        return None, problem, usage


def _again(state: AgentState, problem: str, counter: str, usage: dict) -> dict:
    """Back to think with the problem appended after the trigger, counting it under `counter`."""
    plan = state["prompt"]
    return {"prompt": {**plan, "retries": [*plan["retries"], problem]}, "reply": None, "command": None,
            counter: state.get(counter, 0) + 1, "usage": usage}


def validate_json(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    try:
        parsed, problem, usage = _parse(state, ctx)
    except RunStop as stop:
        return {"stop_reason": str(stop), "prompt": None}
    command = None
    if parsed is not None:
        command, problem = check_command(parsed["command"], ctx.tools)
    if command is None:
        if state.get("invalid_replies", 0) + 1 > ctx.settings.max_json_retries:
            return {"stop_reason": UNUSABLE_REPLIES.format(count=state.get("invalid_replies", 0) + 1, problem=problem),
                    "prompt": None, "reply": None, "command": None, "usage": usage}
        return _again(state, problem, "invalid_replies", usage)

    review = ctx.steering.review(state, command, ctx.facts)
    if review.action == "push_back" and state.get("push_backs", 0) < ctx.settings.max_push_backs:
        return _again(state, review.message, "push_backs", usage)
    if review.action == "stop":
        return {"stop_reason": review.message, "thoughts": parsed["thoughts"], "command": None, "prompt": None,
                "reply": None, "usage": usage}
    if review.action == "replace":
        command = review.command
    looping = loop_guard.stop_reason(state, command)
    if looping:
        return {"stop_reason": looping, "thoughts": parsed["thoughts"], "command": None, "prompt": None,
                "reply": None, "usage": usage}
    # A steering that may set the result aside keeps the plan: think asks again with the same prompt.
    keep_plan = ctx.steering.candidate_temperature is not None
    return {"thoughts": parsed["thoughts"], "command": command, "reply": None, **({} if keep_plan else {"prompt": None}),
            "invalid_replies": 0, "push_backs": 0, "usage": usage}
