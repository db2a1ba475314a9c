"""SmallModelSteering: what the embedded 1.5B model needs beyond AutoGPT v0.3.0, measured on it.

Every rule here was added for a failure seen with Qwen2.5-Coder-1.5B (benchmarks/RESULTS.md and the
comments of each rule): it gets the added constraints and a reply example in its system prompt,
notes toward finishing after the history, push-backs on proposals that change nothing or skip its
inputs, task_complete in place of a repeated no-op once its goal files are written, invented command
names run as the command they mean, and mends and hints for the code it writes (its tracebacks cut to
its own frames, the fix to write after a failed test, a run of written code before it finishes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from autogpt_graph.graph.prompting.texts import available_lines, render_steering, steering_prompts
from autogpt_graph.graph.state import AgentState, SetAside
from autogpt_graph.graph.steering import candidates
from autogpt_graph.graph.steering.base import ACCEPT, CommandOutput, Facts, Review, Steering, push_back
from autogpt_graph.graph.steering.code_mends import (
    CODE_COMMANDS, code_hint, mend_code, script_call, trim_tracebacks, unfenced, without_self_import,
)
from autogpt_graph.graph.steering.code_tasks import code_to_fix, untested_code
from autogpt_graph.graph.steering.nudges import (
    failed_repeat, finish_for_repeater, goal_file_notes, goal_files_done, goal_files_untouched, no_op_write,
    nudges, search_saved_output, unchanged_repeat,
)
from autogpt_graph.graph.steering.run_facts import WRITES, missing_goal_files, read_only, unused_goal_files
from autogpt_graph.graph.steering.write_questions import (
    copied_result, read_first_note, second_thoughts, unread_inputs_before_write, write_after_set_aside,
)
from autogpt_graph.tools.registry import ToolRegistry

# Other names the model may use for a command; accepted, but not listed in the prompt a second time.
# Beyond web_search, the names a small model invents for the file commands (seen with the 1.5B local
# model: "create_file" four times in a row, each refused as unknown, ended a run that had read its input).
ALIASES = {
    "web_search": "google",
    "create_file": "write_to_file", "write_file": "write_to_file", "save_file": "write_to_file",
    "save_to_file": "write_to_file", "append_file": "append_to_file",
    "read": "read_file", "open_file": "read_file", "read_from_file": "read_file",
    "list_directory": "list_files", "list_dir": "list_files", "ls": "list_files",
    "run_python_file": "execute_python_file", "run_python_code": "execute_python_code",
    "finish": "task_complete", "complete_task": "task_complete",
}


class SmallModelSteering(Steering):
    name = "small"
    aliases = ALIASES
    candidate_temperature = candidates.CANDIDATE_TEMPERATURE

    def constraints(self, tools: ToolRegistry) -> list[str]:
        return available_lines(steering_prompts()["constraints"], set(tools.names()))

    def reply_example(self) -> str:
        return steering_prompts()["reply_example"]

    def notes(self, state: AgentState, facts: Facts) -> list[str]:
        search = search_saved_output(state) if "execute_python_code" in facts.tools else None
        return [*nudges(state, facts.workspace), *([search] if search else []), *fix_note(state, facts)]

    def review(self, state: AgentState, command: dict, facts: Facts) -> Review:
        """Pushed back once per cycle: a model that insists gets its way (the loop guard still applies),
        except once every file its goals name exists and the run has written one: then a command that
        changes nothing (at once, unless an input is left to read), or another look at the workspace
        in reply to a push-back, runs task_complete instead (the human can still refuse it). Seen with
        the 1.5B model: backup.txt written, then list, read and append (the prompt's time) until the
        cycle limit; pushed back first, it insisted on its no-op, a reply (~7 s) lost in most runs."""
        if command["name"] == "task_complete":
            return push_back(early_finish(state, facts))
        no_op = unchanged_repeat(state, command, facts.tools) or no_op_write(command, facts.workspace)
        retried = bool(state.get("invalid_replies") or state.get("push_backs"))
        failed = once(failed_repeat(state, command, facts.tools), state)
        if failed:
            return push_back(with_fix_note(failed, state, facts))
        written = goal_files_done(state, facts.workspace) if (no_op or retried) else []
        if written and ((no_op and (retried or not to_read(state, facts)))
                        or (retried and another_look(state, facts, command))):
            return Review("replace", command=finish_for_repeater(written))
        if no_op and not retried:
            return push_back(with_goal_note(no_op, state, facts))
        # Questions about a write, each asked once per cycle (also after another push-back).
        return push_back(once(write_after_set_aside(state, command)
                              or unread_inputs_before_write(state, command, facts.workspace, facts.can_browse)
                              or second_thoughts(state, command, facts.workspace)
                              or with_compute_hint(copied_result(state, command), facts), state))

    def mend(self, command: dict) -> tuple[dict, list[str]]:
        args = command.get("args") or {}
        if command["name"] in WRITES and str(args.get("filename", "")).endswith(".py"):
            return mend_module(command)
        code = args.get("code")
        if command["name"] != "execute_python_code" or not isinstance(code, str) or not code.strip():
            return command, []
        if script := script_call(code):
            return ({"name": "execute_python_file", "args": {"filename": script}},
                     [render_steering("ran_script", filename=script)])
        mended, notes = mend_code(code)
        return {**command, "args": {**command["args"], "code": mended}}, notes

    def shown_output(self, command: dict, output: CommandOutput, facts: Facts) -> str:
        if command["name"] not in CODE_COMMANDS:
            return output.text
        return trim_tracebacks(output.text, facts.workspace.root)

    def result_notes(self, command: dict, output: CommandOutput) -> list[str]:
        if command["name"] not in CODE_COMMANDS[:2] or "exit_code" not in output.artifact:
            return []
        art = output.artifact
        hint = code_hint(art["exit_code"], art.get("stdout") or "", art.get("stderr") or "")
        return [hint] if hint else []

    def set_aside(self, command: dict, output: CommandOutput, tried: Sequence[SetAside]) -> SetAside | None:
        return candidates.set_aside(command, output, tried)


def mend_module(command: dict) -> tuple[dict, list[str]]:
    """A .py file as it is written: without a ``` fence around it, without an import of itself."""
    args = command["args"]
    text, notes = str(args.get("text", "")), []
    if (inner := unfenced(text)) is not None:
        text, notes = inner, [render_steering("unfenced_code")]
    module = PurePosixPath(str(args["filename"])).stem
    if (kept := without_self_import(module, text)) is not None:
        text, notes = kept, [*notes, render_steering("self_import", module=module)]
    return ({**command, "args": {**args, "text": text}}, notes) if notes else (command, [])


def early_finish(state: AgentState, facts: Facts) -> str | None:
    """Small models declare the task complete before writing the file it asks for: push back once
    per cycle (a repeated task_complete is accepted, in case the goals need no such file), also after
    a push-back of another kind (the 1.5B model, asked whether its copy was meant, took its unwritten
    file as written and finished)."""
    missing = missing_goal_files(state, facts.workspace)
    if missing:
        return once(render_steering("early_task_complete", files=", ".join(missing)), state)
    untested = untested_code(state, facts.workspace)
    if untested and "execute_python_code" in facts.tools:
        return once(render_steering("run_before_finish", filename=untested[0]), state)
    untouched = goal_files_untouched(state, facts.workspace)
    if not untouched:
        return None
    return once(render_steering("nothing_done_yet", files=", ".join(untouched), filename=untouched[0]), state)


def once(problem: str | None, state: AgentState) -> str | None:
    """The problem, unless the model was already told it this cycle (then it insists, and gets its way).
    `in`, not ==: a checkpoint of the previous release keeps its retries rendered around the problem."""
    if problem and any(problem in retry for retry in (state.get("prompt") or {}).get("retries", [])):
        return None
    return problem


def to_read(state: AgentState, facts: Facts) -> str | None:
    """The note naming what the goals need read that the run has not read yet (None: nothing)."""
    return read_first_note(state, facts.workspace, can_browse=facts.can_browse, folder_rest=True)


def with_goal_note(problem: str, state: AgentState, facts: Facts) -> str:
    """The push-back on a command that changes nothing, with where the goals stand. While a goal file
    is missing it ends with the command to copy: the read of an input file the goals name that it has
    not read yet, else the write (the 1.5B model re-read its input with the note "compose it yourself"
    every time, and copies a concrete command more readily, as with task_complete)."""
    reading = to_read(state, facts)
    if reading:
        return " ".join([problem, reading])
    missing = missing_goal_files(state, facts.workspace)
    if missing:
        return with_compute_hint(" ".join([problem, render_steering("write_missing_now", filename=missing[0])]), facts)
    return with_fix_note(" ".join([problem, *goal_file_notes(state, facts.workspace)]), state, facts)


def fix_note(state: AgentState, facts: Facts) -> list[str]:
    """The write to copy, while the last code run failed and the goals name a code file to fix
    (graph/steering/code_tasks.py); a note each cycle, and part of a push-back."""
    filename = code_to_fix(state, facts.workspace)
    return [render_steering("rewrite_to_fix", filename=filename)] if filename else []


def with_fix_note(problem: str, state: AgentState, facts: Facts) -> str:
    return " ".join([problem, *fix_note(state, facts)])


def with_compute_hint(problem: str | None, facts: Facts) -> str | None:
    if problem and "execute_python_code" in facts.tools:
        return " ".join([problem, render_steering("compute_first")])
    return problem


def another_look(state: AgentState, facts: Facts, command: dict) -> bool:
    """A read-only command that reads nothing new: a listing, or a file other than an input the goals
    name that it has not read yet (reading that is progress)."""
    filename = (command.get("args") or {}).get("filename")
    return read_only(command, facts.tools) and filename not in unused_goal_files(state, facts.workspace)


__all__ = ["ACCEPT", "ALIASES", "SmallModelSteering"]
