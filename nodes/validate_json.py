"""validate_json: turns the raw reply into thoughts and a checked command, or sends the model back
to think with the problem stated (never its bad reply: small models copy it), a bounded number of times."""

from __future__ import annotations

from langchain_core.messages import HumanMessage
from langchain_core.tools import BaseTool
from langgraph.runtime import Runtime
from pydantic import ValidationError

from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.context import AgentContext, context_of
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.steering.nudges import (
    failed_repeat, finish_for_repeater, goal_file_notes, goal_files_done, goal_files_untouched, no_op_write,
    unchanged_repeat,
)
from autogpt_graph.graph.steering.run_facts import missing_goal_files, read_only, unused_goal_files
from autogpt_graph.graph.steering.write_questions import copied_result, read_first_note, second_thoughts, unread_inputs_before_write
from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.prompting.reply_parsing import ReplyError, find_placeholder, is_placeholder_command, parse_reply
from autogpt_graph.graph.state import AgentState
from autogpt_graph.tools.registry import ToolRegistry


def check_command(command: dict, tools: ToolRegistry) -> tuple[dict | None, str | None]:
    """(validated args, None) or (None, the problem in one sentence for the model)."""
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
    return args, None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"'{'.'.join(map(str, e['loc']))}' is missing" if e["type"] == "missing"
        else f"'{'.'.join(map(str, e['loc']))}': {e['msg']}"
        for e in exc.errors()
    )


def _arg_names(tool: BaseTool) -> str:
    fields = tool.args_schema.model_fields if tool.args_schema else {}
    return ", ".join(f'"{n}"' for n in fields) or "none"


def _early_finish(state: AgentState, ctx: AgentContext) -> str | None:
    """Small models declare the task complete before writing the file it asks for: push back once
    per cycle (a repeated task_complete is accepted, in case the goals need no such file), also after
    a push-back of another kind (the 1.5B model, asked whether its copy was meant, took its unwritten
    file as written and finished)."""
    missing = missing_goal_files(state, ctx.workspace)
    if missing:
        return _once(render("early_task_complete", files=", ".join(missing)), state)
    untouched = goal_files_untouched(state, ctx.workspace)
    if not untouched:
        return None
    return _once(render("nothing_done_yet", files=", ".join(untouched), filename=untouched[0]), state)


def _once(problem: str | None, state: AgentState) -> str | None:
    """The problem, unless the model was already told it this cycle (then it insists, and gets its way)."""
    if problem and any(problem in retry for retry in (state.get("prompt") or {}).get("retries", [])):
        return None
    return problem


def _to_read(state: AgentState, ctx: AgentContext) -> str | None:
    """The note naming what the goals need read that the run has not read yet (None: nothing)."""
    return read_first_note(state, ctx.workspace, can_browse="browse_website" in ctx.tools, folder_rest=True)


def _with_goal_note(problem: str | None, state: AgentState, ctx: AgentContext) -> str | None:
    """The push-back on a command that changes nothing, with where the goals stand. While a goal file
    is missing it ends with the command to copy: the read of an input file the goals name that it has
    not read yet, else the write (the 1.5B model re-read its input with the note "compose it yourself"
    every time, and copies a concrete command more readily, as with task_complete)."""
    if not problem:
        return None
    to_read = _to_read(state, ctx)
    if to_read:
        return " ".join([problem, to_read])
    missing = missing_goal_files(state, ctx.workspace)
    if missing:
        return _with_compute_hint(" ".join([problem, render("write_missing_now", filename=missing[0])]), ctx)
    return " ".join([problem, *goal_file_notes(state, ctx.workspace)])


def _with_compute_hint(problem: str | None, ctx: AgentContext) -> str | None:
    if problem and "execute_python_code" in ctx.tools:
        return " ".join([problem, render("compute_first")])
    return problem


def _another_look(state: AgentState, ctx: AgentContext, command: dict) -> bool:
    """A read-only command that reads nothing new: a listing, or a file other than an input the goals
    name that it has not read yet (reading that is progress)."""
    filename = (command.get("args") or {}).get("filename")
    return read_only(command, ctx.tools) and filename not in unused_goal_files(state, ctx.workspace)


def validate_json(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    usage: dict = {}
    try:
        parsed = parse_reply(state.get("reply") or "")
    except ReplyError as err:
        parsed, problem = None, str(err)
        if ctx.settings.fix_json_with_model:
            # AutoGPT's last resort: ask the fast model to rewrite the reply as the JSON object.
            try:
                fixed, usage = call_model(
                    ctx, state, role="fast", purpose="fix_json",
                    messages=[HumanMessage(render("fix_json", text=state.get("reply") or ""))],
                )
                parsed = parse_reply(fixed)
            except ReplyError:
                pass
            except RunStop as stop:
                return {"stop_reason": str(stop), "prompt": None, "usage": usage}
    if parsed is not None:
        args, problem = check_command(parsed["command"], ctx.tools)
        if problem is None:  # an alias ("create_file") runs, is checked and is remembered as its command
            parsed["command"]["name"] = ctx.tools.get(parsed["command"]["name"]).name
        # Pushed back once per cycle: a model that insists gets its way (the loop guard still applies),
        # except once every file its goals name exists and the run has written one: then a command that
        # changes nothing (at once, unless an input is left to read), or another look at the workspace
        # in reply to a push-back, runs task_complete instead (the human can still refuse it). Seen with
        # the 1.5B model: backup.txt written, then list, read and append (the prompt's time) until the
        # cycle limit; pushed back first, it insisted on its no-op, a reply (~7 s) lost in most runs.
        if problem is None and parsed["command"]["name"] != "task_complete":
            no_op = unchanged_repeat(state, parsed["command"], ctx.tools) or no_op_write(parsed["command"], ctx.workspace)
            retried = bool(state.get("invalid_replies"))
            # As history records it: with the validated arguments.
            failed = _once(failed_repeat(state, {"name": parsed["command"]["name"], "args": args}, ctx.tools), state)
            if failed:
                problem = failed
            elif (no_op or retried) and (written := goal_files_done(state, ctx.workspace)) and (
                    (no_op and (retried or not _to_read(state, ctx)))
                    or (retried and _another_look(state, ctx, parsed["command"]))):
                parsed["command"] = finish_for_repeater(written)
                args = parsed["command"]["args"]
            elif no_op and not retried:
                problem = _with_goal_note(no_op, state, ctx)
            else:  # questions about a write, each asked once per cycle (also after another push-back)
                problem = _once(unread_inputs_before_write(state, parsed["command"], ctx.workspace,
                                                           "browse_website" in ctx.tools)
                                or second_thoughts(state, parsed["command"], ctx.workspace)
                                or _with_compute_hint(copied_result(state, parsed["command"]), ctx), state)
        elif problem is None:
            problem = _early_finish(state, ctx)
        if problem is None:
            command = {"name": parsed["command"]["name"], "args": args}
            looping = loop_guard.stop_reason(state, command)
            if looping:
                return {"stop_reason": looping, "thoughts": parsed["thoughts"], "command": None, "prompt": None,
                        "reply": None, "usage": usage}
            return {"thoughts": parsed["thoughts"], "command": command, "prompt": None, "reply": None,
                    "invalid_replies": 0, "usage": usage}
    invalid = state.get("invalid_replies", 0) + 1
    if invalid > ctx.settings.max_json_retries:
        return {
            "stop_reason": f"The model gave {invalid} unusable replies in a row; the last problem: {problem}",
            "prompt": None, "reply": None, "command": None, "usage": usage,
        }
    plan = state["prompt"]
    retry = render("reply_invalid", error=problem)
    return {"prompt": {**plan, "retries": [*plan["retries"], retry]}, "reply": None, "command": None,
            "invalid_replies": invalid, "usage": usage}
