"""build_prompt: starts a cycle. Stops the run at the continuous limit, else plans the prompt: which
history fits the context window beside the system prompt, summary, time and budget note."""

from __future__ import annotations

from langgraph.runtime import Runtime

from autogpt_graph.graph.context import AgentContext, context_of, run_options
from autogpt_graph.graph.prompting.builder import plan_prompt
from autogpt_graph.graph.state import AgentState


LIMIT_REACHED = "Continuous limit of {limit} cycles reached."


def stopped_at_limit(stop_reason: str | None) -> bool:
    return bool(stop_reason) and stop_reason.startswith(LIMIT_REACHED.split("{")[0])


def build_prompt(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    run = run_options(ctx, state)
    cycle = state.get("cycle", 0)
    limit = run.get("continuous_limit") or 0
    if run.get("continuous") and limit and cycle >= limit:
        return {"stop_reason": LIMIT_REACHED.format(limit=limit)}
    # Before the first cycle: what the workspace holds before the agent did anything (its inputs,
    # never evidence of its work; graph/steering/nudges.py).
    start = {"start_files": ctx.workspace.file_names()} if cycle == 0 else {}
    if cycle == 0 and run != state.get("run"):
        # The choices a server run started with (its context) become the run's own, so a resume
        # without them goes on with the same model and workspace (not the defaults).
        start["run"] = run
    if state.get("files") is None:  # the files before the first command: what replay and fork go back to
        start.update(ctx.record_files(state))
    return {"prompt": plan_prompt(ctx, {**state, **start, "cycle": cycle + 1}), "cycle": cycle + 1,
            "invalid_replies": 0, "push_backs": 0, **({"set_aside": None} if state.get("set_aside") else {}), **start}
