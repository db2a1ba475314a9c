"""think: one call to the smart model with the cycle's prompt."""

from __future__ import annotations

from langgraph.runtime import Runtime

from autogpt_graph.graph.context import AgentContext, context_of
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.prompting.builder import render_prompt
from autogpt_graph.graph.state import AgentState


def think(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    if state.get("set_aside"):  # the same prompt again, for another candidate than the one set aside
        temperature = ctx.steering.candidate_temperature
    elif (state.get("prompt") or {}).get("retries"):
        temperature = ctx.settings.retry_temperature
    else:
        temperature = None
    try:
        text, usage = call_model(ctx, state, role="smart", purpose="think", messages=render_prompt(ctx, state),
                                 temperature=temperature)
    except RunStop as stop:
        return {"stop_reason": str(stop), "prompt": None}
    return {"reply": text, "usage": usage}
