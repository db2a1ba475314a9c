"""summarise_memory: folds the events that no longer fit the context window into the running
summary (AutoGPT v0.3.0's prompt: first person, past tense, with the fast model), adds each of them
to vector memory (recalled by build_prompt when relevant), and drops them from the history window,
which keeps state and checkpoints bounded however long the run."""

from __future__ import annotations

import json

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from autogpt_graph.graph.context import AgentContext, context_of
from autogpt_graph.graph.errors import RunStop
from autogpt_graph.graph.memory.agent_memory import current_thread, event_memory_text
from autogpt_graph.graph.llm.call import call_model
from autogpt_graph.graph.prompting.builder import fit_history, history_budget
from autogpt_graph.graph.prompting.events import REPLY, RESULT, command_of, event_text
from autogpt_graph.graph.prompting.texts import prompts, render
from autogpt_graph.graph.state import AgentState, Event, merge_usage


def as_summary_input(events: list[Event]) -> list[dict]:
    """v0.3.0's rewrite: the model's replies become "you" without their thoughts, command results
    become "your computer"; feedback from the human is kept."""
    out = []
    for event in events:
        if event["kind"] == REPLY:
            command = command_of(event)
            content = event_text(event) if command is None else json.dumps(command, ensure_ascii=False)
            out.append({"role": "you", "content": content})
        elif event["kind"] == RESULT:
            out.append({"role": "your computer", "content": event_text(event)})
        else:
            out.append({"role": "user", "content": event_text(event)})
    return out


def _batches(events: list[Event], limit: int) -> list[list[Event]]:
    """Split so that each summarisation call fits the fast model's context."""
    batches, current, used = [], [], 0
    for event in events:
        if current and used + event["tokens"] > limit:
            batches.append(current)
            current, used = [], 0
        current.append(event)
        used += event["tokens"]
    return batches + ([current] if current else [])


def summarise_memory(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    ctx = context_of(runtime, state)
    history = state.get("history") or []
    kept = fit_history(history, history_budget(ctx, state))
    first_kept = kept[0]["cycle"] if kept else max((e["cycle"] for e in history), default=0)
    leaving = [e for e in history if e["cycle"] < first_kept]
    if not leaving:
        return {}
    # Stored before the summary is asked for: if that call fails and the step re-runs, the rows written
    # now are found past this checkpoint's cursor and left behind on a dead branch (lineage.py).
    cursor = remember_events(ctx, state, leaving)
    summary = state.get("summary") or prompts()["initial_summary"]
    usage: dict = {}
    fast = ctx.models.fast
    batch_limit = max(256, (fast.context_limit - fast.max_reply_tokens) // 2)
    for batch in _batches(leaving, batch_limit):
        text = render("summarise", summary=summary, events=json.dumps(as_summary_input(batch), ensure_ascii=False))
        try:
            # Each call sees the usage so far, so call counters (and scripted replies) advance.
            summary, delta = call_model(
                ctx, {**state, "usage": merge_usage(state.get("usage"), usage)},
                role="fast", purpose="summarise", messages=[HumanMessage(text)],
            )
        except RunStop as stop:
            return {"stop_reason": str(stop), "usage": usage, **cursor}
        summary = summary.strip()
        usage = merge_usage(usage, delta)
    return {"summary": summary, "history": {"drop_before_cycle": first_kept}, "usage": usage, **cursor}



def remember_events(ctx: AgentContext, state: AgentState, events: list[Event]) -> dict:
    """Adds the events to vector memory; returns the state update for the memory cursor."""
    if not (ctx.memory and ctx.memory.enabled):
        return {}
    texts = [(e["cycle"], event_memory_text(e)) for e in events]
    cursor = ctx.memory.write(state, texts, source="event", thread=current_thread())
    return {"memory_cursor": cursor} if cursor else {}
