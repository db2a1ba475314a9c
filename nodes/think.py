"""think: one call to the smart model with the cycle's prompt."""

from __future__ import annotations

from langgraph.runtime import Runtime

from graph.context import AgentContext, context_of
from graph.errors import RunStop
from graph.llm_call import call_model
from graph.prompt_builder import render_prompt
from graph.state import AgentState


def think(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    retrying = bool((state.get("prompt") or {}).get("retries"))
    temperature = ctx.settings.retry_temperature if retrying else None
    try:
        text, usage = call_model(ctx, state, role="smart", purpose="think", messages=render_prompt(ctx, state),
                                 temperature=temperature)
    except RunStop as stop:
        return {"stop_reason": str(stop), "prompt": None}
    return {"reply": text, "usage": usage}
