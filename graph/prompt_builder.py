"""Assembling the prompt of one cycle, fitted to the model's context window.

Order: system prompt, running summary, the newest history that fits, then what changes every cycle:
current time, budget note, nudges, trigger. AutoGPT v0.3.0 put the time second; putting it after
the history keeps the prompt's start stable, which a server's prompt cache rewards.
"""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from graph.context import AgentContext
from graph.errors import AgentError
from graph.llm_call import remaining_budget
from graph.nudges import nudges
from graph.prompts import prompts, render
from graph.state import AgentState, Event, PromptPlan
from graph.tokens import count_message_tokens
from tools.registry import ToolRegistry

# Room kept for the summary to grow when deciding which events must be summarised.
SUMMARY_RESERVE = 500


def system_prompt(ai_config: dict, tools: ToolRegistry) -> str:
    p = prompts()
    goals = "\n".join(f"{i}. {g}" for i, g in enumerate(ai_config.get("ai_goals", []), 1))
    names = set(tools.names())
    resources = [r["text"] for r in p["resources"] if set(r["requires"]) <= names]
    parts = [
        render("system_intro", ai_name=ai_config["ai_name"], ai_role=ai_config["ai_role"]),
        f"{p['goals_header']}\n\n{goals}\n\n",
        "Constraints:\n" + _numbered(p["constraints"]),
        "Commands:\n" + command_list(tools),
        "Resources:\n" + _numbered(resources),
        "Performance Evaluation:\n" + _numbered(p["performance_evaluation"]),
        p["response_format"],
    ]
    return "\n".join(parts[:2]) + "\n" + "\n\n".join(parts[2:])


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def command_list(tools: ToolRegistry) -> str:
    """AutoGPT's command lines, generated from the tools' argument schemas."""
    lines, index = [], 0
    for tool in tools:
        if tool.name == "task_complete":
            continue
        index += 1
        fields = tool.args_schema.model_fields if tool.args_schema else {}
        args = ", ".join(f'"{name}": "<{name}>"' for name in fields) or "()"
        lines.append(render("command_line", index=index, name=tool.name, label=tool.description, args=args))
    if "task_complete" in tools:
        lines.append(render("task_complete_line", index=index + 1))
    return "\n".join(lines)


def budget_note(state: AgentState) -> str | None:
    left = remaining_budget(state)
    if left is None:
        return None
    left = max(left, 0.0)
    warnings = prompts()["budget_warnings"]
    warning = (
        warnings["exceeded"] if left == 0
        else warnings["very_nearly"] if left < 0.005
        else warnings["nearly"] if left < 0.01
        else ""
    )
    return render("budget_note", remaining=f"{left:.3f}", warning=warning)


def event_message(event: Event) -> BaseMessage:
    if event["kind"] == "assistant":
        return AIMessage(event["text"])
    if event["kind"] == "user":
        return HumanMessage(event["text"])
    return SystemMessage(event["text"])


def _frame(ctx: AgentContext, state: AgentState, time: str, notes: list[str]) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """The messages around the history: (before it, after it). What changes every cycle (time,
    notes) comes after the history, so the prompt's start stays the same from one cycle to the next
    and a server's prompt cache (llama.cpp's KV cache) only evaluates what is new."""
    head = [
        SystemMessage(system_prompt(state["ai_config"], ctx.tools)),
        SystemMessage(render("summary_intro", summary=state.get("summary") or prompts()["initial_summary"])),
    ]
    tail = [SystemMessage(render("current_time", time=time)), *(SystemMessage(n) for n in notes),
            HumanMessage(prompts()["trigger"])]
    return head, tail


def _room(ctx: AgentContext, frame_tokens: int) -> int:
    model = ctx.models.smart
    room = model.context_limit - model.max_reply_tokens - frame_tokens
    if room <= 0:
        raise AgentError(
            f"The context window of {model.name} ({model.context_limit} tokens) is too small for the system "
            f"prompt ({frame_tokens} tokens) and a reply ({model.max_reply_tokens}); use a larger model "
            "or set SMART_TOKEN_LIMIT / MAX_REPLY_TOKENS."
        )
    return room


def _tokens(messages: list[BaseMessage], ctx: AgentContext) -> int:
    return count_message_tokens([str(m.content) for m in messages], ctx.models.smart.name)


def fit_history(history: list[Event], room: int) -> list[Event]:
    """The newest events whose tokens fit in `room`, oldest first. Whole cycles only, so a command
    result never appears without the reply that asked for it."""
    kept, used = [], 0
    cycles = sorted({e["cycle"] for e in history}, reverse=True)
    for cycle in cycles:
        events = [e for e in history if e["cycle"] == cycle]
        cost = sum(e["tokens"] for e in events)
        if used + cost > room:
            break
        kept = events + kept
        used += cost
    return kept


def history_budget(ctx: AgentContext, state: AgentState) -> int:
    """Tokens the history may use next cycle, with room kept for the summary to grow."""
    head, tail = _frame(ctx, state, ctx.now().strftime("%c"), _notes(ctx, state))
    summary_tokens = _tokens([head[1]], ctx)
    frame = _tokens(head + tail, ctx) - summary_tokens + max(summary_tokens, SUMMARY_RESERVE)
    return _room(ctx, frame)


def plan_prompt(ctx: AgentContext, state: AgentState) -> PromptPlan:
    """Decide what this cycle's prompt holds. Everything else in it is derived from state, so the
    plan is all the state keeps: checkpoints stay small however large the context window."""
    time, notes = ctx.now().strftime("%c"), _notes(ctx, state)
    head, tail = _frame(ctx, state, time, notes)
    kept = fit_history(state.get("history") or [], _room(ctx, _tokens(head + tail, ctx)))
    first = kept[0]["cycle"] if kept else state.get("cycle", 0) + 1
    return PromptPlan(time=time, history_from_cycle=first, notes=notes, retries=[])


def render_prompt(ctx: AgentContext, state: AgentState) -> list[BaseMessage]:
    """The messages of the planned prompt, exactly as the model receives them."""
    plan = state["prompt"]
    head, tail = _frame(ctx, state, plan["time"], plan["notes"])
    history = [e for e in state.get("history") or [] if e["cycle"] >= plan["history_from_cycle"]]
    retries = [HumanMessage(text) for text in plan["retries"]]
    return head + [event_message(e) for e in history] + tail + retries


def _notes(ctx: AgentContext, state: AgentState) -> list[str]:
    """The budget note, then nudges toward finishing."""
    note = budget_note(state)
    return ([note] if note else []) + nudges(state, ctx.workspace)


def assemble_prompt(ctx: AgentContext, state: AgentState) -> list[BaseMessage]:
    return render_prompt(ctx, {**state, "prompt": plan_prompt(ctx, state)})


def reply_json(thoughts: dict, command: dict) -> str:
    """The model's reply as history keeps it: the validated object, not the raw text."""
    return json.dumps({"thoughts": thoughts, "command": command}, ensure_ascii=False)
