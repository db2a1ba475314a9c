"""human_gate: the human authorises the proposed command, as AutoGPT asked at every step.

Answers (the resume value of the interrupt): `y` run it; `y -N` run it and the next N-1 without
asking; `n` end the run; `s` let the model critique its thoughts (a reply starting with "y"
authorises, anything else becomes feedback); other text is feedback for the model. Skipped in
continuous mode and while commands are pre-authorised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from autogpt_graph.graph.context import AgentContext, context_of, run_options
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.prompting.events import feedback_event, reply_event
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.state import AgentState


@dataclass(frozen=True)
class Answer:
    kind: str  # "approve", "exit", "critique", "feedback" or "invalid"
    count: int = 1  # commands authorised
    text: str = ""  # feedback, or why the answer was invalid


def parse_answer(raw: object) -> Answer:
    text = str(raw if raw is not None else "").strip()
    low = text.lower()
    if not text:
        return Answer("invalid", text="Invalid input format: enter y, y -N, n, s or your feedback.")
    if low == "y":
        return Answer("approve")
    if low.startswith("y -"):
        match = re.fullmatch(r"y -(\d+)", low)
        if not match or int(match.group(1)) < 1:
            return Answer("invalid", text="Invalid input format. Please enter 'y -n' where n is the number of continuous tasks.")
        return Answer("approve", count=int(match.group(1)))
    if low == "n":
        return Answer("exit")
    if low == "s":
        return Answer("critique")
    return Answer("feedback", text=text)


def _critique(ctx: AgentContext, state: AgentState) -> tuple[str, dict]:
    thoughts = state.get("thoughts", {})
    joined = "".join(thoughts.get(k, "") for k in ("text", "reasoning", "plan", "criticism"))
    prompt = render("self_critique", ai_role=state["ai_config"]["ai_role"], thoughts=joined)
    return call_model(ctx, state, role="fast", purpose="critique", messages=[HumanMessage(prompt)])


def human_gate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    if run_options(ctx, state).get("continuous"):
        return {}
    if state.get("authorised", 0) > 0:
        return {"authorised": state["authorised"] - 1}
    request = {
        "cycle": state.get("cycle", 0),
        "ai_name": state["ai_config"]["ai_name"],
        "thoughts": state.get("thoughts", {}),
        "command": state.get("command"),
    }
    answer = parse_answer(interrupt(request))
    while answer.kind == "invalid":  # ask again, saying what was wrong
        answer = parse_answer(interrupt({**request, "error": answer.text}))

    if answer.kind == "approve":
        return {"authorised": answer.count - 1}
    if answer.kind == "exit":
        return {"stop_reason": "Exited by the user.", "command": None}
    usage: dict = {}
    if answer.kind == "critique":
        try:
            critique, usage = _critique(ctx, state)
        except RunStop as stop:
            return {"stop_reason": str(stop), "command": None}
        if critique.strip().lower().startswith("y"):
            return {"authorised": 0, "critique": critique, "usage": usage}
        feedback, source = critique.strip(), "self"
    else:
        feedback, source = answer.text, "human"
    # The rejected reply and the feedback both go to history, so the model sees what it proposed.
    cycle, model = state.get("cycle", 0), ctx.models.smart.name
    events = [
        reply_event(cycle, state.get("thoughts", {}), state.get("command") or {}, model),
        feedback_event(cycle, feedback, source, model),
    ]
    # The critique as data (the console labels it "SELF FEEDBACK:"; the history renders it for the model).
    return {"history": events, "command": None, "usage": usage, "critique": feedback if source == "self" else None}
