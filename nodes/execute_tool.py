"""execute_tool: runs the approved command. A failing command becomes an "Error: ..." result the model
can react to, never a crash; output too big for the context is saved to a workspace file and the model
gets its head and the file name (no silent truncation)."""

from __future__ import annotations

from langgraph.config import get_config
from langgraph.runtime import Runtime

from graph import loop_guard
from graph.context import AgentContext, context_of
from graph.events import make_event
from graph.prompt_builder import reply_json
from graph.prompts import render
from graph.state import AgentState
from graph.tokens import count_tokens, truncate_to_tokens
from tools.effects import running_step

OUTPUT_DIR = "outputs"


def result_cap(ctx: AgentContext) -> int:
    """Largest result kept whole: a quarter of what the context leaves after the reply."""
    model = ctx.models.smart
    return max(200, (model.context_limit - model.max_reply_tokens) // 4)


def run_command(ctx: AgentContext, name: str, args: dict) -> str:
    tool = ctx.tools.get(name)
    try:
        return str(tool.invoke(args))
    except Exception as exc:  # noqa: BLE001 - any tool failure is a result for the model
        return f"Error: {exc}" if str(exc) else f"Error: {type(exc).__name__}"


def fit_result(ctx: AgentContext, name: str, cycle: int, result: str) -> str:
    model = ctx.models.smart.name
    tokens = count_tokens(result, model)
    cap = result_cap(ctx)
    if tokens <= cap:
        return result
    # Named by cycle, so re-running this step after a crash rewrites the same file.
    path = ctx.workspace.resolve(f"{OUTPUT_DIR}/{name}-cycle{cycle}.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result, "utf-8")
    head = truncate_to_tokens(result, cap // 2, model)
    return render("output_too_big", head=head, tokens=tokens, file=ctx.workspace.relative(path))


def _step_key(cycle: int) -> str | None:
    """Identifies this step across a crash and its re-run on resume (None outside a thread)."""
    try:
        thread = get_config()["configurable"].get("thread_id")
    except RuntimeError:
        return None
    return f"{thread}:{cycle}" if thread else None


def execute_tool(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    command = state["command"]
    cycle = state.get("cycle", 0)
    with running_step(_step_key(cycle)):
        output = run_command(ctx, command["name"], command["args"])
    result = fit_result(ctx, command["name"], cycle, output)
    model = ctx.models.smart.name
    events = [
        make_event(cycle, "assistant", reply_json(state.get("thoughts", {}), command), model),
        make_event(cycle, "system", render("command_result", name=command["name"], result=result), model),
    ]
    update: dict = {"history": events, **loop_guard.track(state, command)}
    if command["name"] == "task_complete":
        update["stop_reason"] = f"Task complete: {command['args'].get('reason', '')}"
    return update
