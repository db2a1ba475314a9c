"""decompose_goals: a task becomes an AI name, a role and up to 5 goals (AutoGPT's setup prompt).
Skipped when the run was given an ai_settings file."""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from autogpt_graph.graph.context import AgentContext, context_of, run_options
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.state import AgentState, AIConfig

MAX_GOALS = 5


def parse_ai_config(text: str, task: str, budget: float = 0.0) -> AIConfig:
    """AutoGPT's parsing of "Name: / Description: / Goals: - ..." with a usable fallback for any part
    the model left out, so a sloppy answer never blocks the run."""
    name = re.search(r"Name\s*:\s*(.*)", text, re.IGNORECASE)
    role = re.search(r"Description\s*:\s*(.*?)(?:\n|Goals|$)", text, re.IGNORECASE | re.DOTALL)
    goals = [g.strip() for g in re.findall(r"(?:^|\n)\s*(?:-|\*|\d+[.)])\s*(.+)", text.split("Goals", 1)[-1])]
    return AIConfig(
        ai_name=(name.group(1).strip() if name and name.group(1).strip() else "AutoGPT"),
        ai_role=(role.group(1).strip() if role and role.group(1).strip() else f"an AI that completes this task: {task}"),
        ai_goals=[g for g in goals if g][:MAX_GOALS] or [task],
        api_budget=budget,
    )


def decompose_goals(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    if state.get("ai_config"):
        return {}
    ctx = context_of(runtime, state)
    task = state["task"]
    messages = [SystemMessage(render("decompose_system")), HumanMessage(render("decompose_user", task=task))]
    try:
        text, usage = call_model(ctx, state, role="fast", purpose="decompose", messages=messages)
    except RunStop as stop:
        return {"stop_reason": str(stop)}
    budget = float(run_options(ctx, state).get("api_budget", 0) or 0)
    return {"ai_config": parse_ai_config(text, task, budget), "usage": usage}
