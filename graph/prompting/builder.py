"""Assembling the prompt of one cycle, fitted to the model's context window.

Order: system prompt, running summary, the newest history that fits, then what changes every cycle:
memories recalled from vector memory, current time, budget note, nudges, trigger. AutoGPT v0.3.0 put
the time second (and v0.2.2 the recalled memories); putting them after the history keeps the prompt's
start stable, which a server's prompt cache rewards.

The budget, always kept: context limit >= system prompt + summary (capped) + history + recalled
memories + notes + trigger + the reply's tokens. History gets the room left after a fixed reserve for
recalled memories; memories fill the reserve plus whatever history left unused. Everything is counted
with tiktoken before the call, so no context-length error can come back from the model.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from autogpt_graph.graph.context import AgentContext
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.call import remaining_budget
from autogpt_graph.graph.prompting.events import REPLY, FEEDBACK, command_of, event_text, reply_text, thoughts_of
from autogpt_graph.graph.prompting.reply_parsing import CODE_COMMAND
from autogpt_graph.graph.prompting.texts import available_lines, prompts, render, render_steering, steering_prompts
from autogpt_graph.graph.safety import loop_guard
from autogpt_graph.graph.state import AgentState, Event, PromptPlan
from autogpt_graph.graph.steering.base import Steering
from autogpt_graph.graph.tokens import count_message_tokens, count_tokens, truncate_to_tokens
from autogpt_graph.tools.registry import ToolRegistry

# Room kept for the summary to grow when deciding which events must be summarised.
SUMMARY_RESERVE = 500
# Recalled memories get up to this many tokens (or a fifth of the context, if smaller) before history.
MEMORY_RESERVE = 1000


def system_prompt(ai_config: dict, tools: ToolRegistry, *, response_format: str = "response_format",
                  steering: Steering | None = None) -> str:
    """AutoGPT's system prompt, and the lines `steering` adds (none: v0.3.0's exactly).
    `response_format` names the reply format (see reply_format())."""
    p = prompts()
    steering = steering or Steering()
    goals = "\n".join(f"{i}. {g}" for i, g in enumerate(ai_config.get("ai_goals", []), 1))
    names = set(tools.names())
    resources = available_lines(p["resources"], names)
    constraints = [*available_lines(p["constraints"], names), *steering.constraints(tools)]
    if response_format == "response_format":
        reply, example = p[response_format], steering.reply_example()
    else:  # a lean format: its own example, and the code block where code can run
        reply = steering_prompts()[response_format]
        example = steering_prompts()["code_block_format"] if CODE_COMMAND in names else ""
    parts = [
        render("system_intro", ai_name=ai_config["ai_name"], ai_role=ai_config["ai_role"]),
        f"{p['goals_header']}\n\n{goals}\n\n",
        "Constraints:\n" + _numbered(constraints),
        "Commands:\n" + command_list(tools),
        "Resources:\n" + _numbered(resources),
        "Performance Evaluation:\n" + _numbered(p["performance_evaluation"]),
        "\n".join([reply, example]) if example else reply,
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


def lean_prompt(ctx: AgentContext) -> bool:
    """The small local model's lean prompt (Settings.local_prompt)."""
    return ctx.models.small and ctx.settings.local_prompt != "autogpt"


# Each lean prompt (Settings.local_prompt): the prompts' key of its reply format, and the thought fields
# its past replies show (none: the command alone). "brief" drops the lean format's plan (each generated
# token costs ~0.07 s on 2 cores).
_LEAN_PROMPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lean": ("lean_response_format", ()),
    "lean_thoughts": ("lean_response_format", ("text", "plan")),
    "brief": ("brief_response_format", ()),
    "brief_thoughts": ("brief_response_format", ("text",)),
}


def reply_format(ctx: AgentContext) -> str:
    """The prompts' key of the reply format asked for."""
    return _LEAN_PROMPTS[ctx.settings.local_prompt][0] if lean_prompt(ctx) else "response_format"


def _past_thoughts(ctx: AgentContext) -> tuple[str, ...] | None:
    """The thought fields a past reply shows in the prompt (None: the reply as it was given)."""
    return _LEAN_PROMPTS[ctx.settings.local_prompt][1] if lean_prompt(ctx) else None


def event_message(event: Event, *, thoughts: tuple[str, ...] | None = None) -> BaseMessage:
    """One history event as a message. In the lean prompt a past reply shows only its command, or its
    command and the lean format's two thought fields: the small model copied its previous reply whole,
    five thoughts included, instead of moving on."""
    if event["kind"] == REPLY:
        return AIMessage(event_text(event) if thoughts is None else _lean_reply(event, thoughts))
    if event["kind"] == FEEDBACK:
        return HumanMessage(event_text(event))
    return SystemMessage(event_text(event))


def _lean_reply(event: Event, fields: tuple[str, ...]) -> str:
    command = command_of(event)
    if command is None:  # an old reply that never parsed: as it was
        return event_text(event)
    thoughts = thoughts_of(event)
    kept = {f: thoughts[f] for f in fields if thoughts.get(f)}
    code = (command.get("args") or {}).get("code")
    if command.get("name") == CODE_COMMAND and isinstance(code, str) and "\n" in code.strip():
        # As the lean format asks for it, so the model's own history shows it the way to write code.
        below = {**command, "args": {**command["args"], "code": "below"}}
        return "\n".join([reply_text(kept or None, below), "```python", code.strip("\n"), "```"])
    return reply_text(kept or None, command)


def _frame(
    ctx: AgentContext, state: AgentState, time: str, notes: list[str], memories: list[str] = ()
) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """The messages around the history: (before it, after it). What changes every cycle (memories,
    time, notes) comes after the history, so the prompt's start stays the same from one cycle to the
    next and a server's prompt cache (llama.cpp's KV cache) only evaluates what is new."""
    head = [
        SystemMessage(system_prompt(state["ai_config"], ctx.tools, response_format=reply_format(ctx),
                                    steering=ctx.steering)),
        SystemMessage(render("summary_intro", summary=summary_text(ctx, state))),
    ]
    recalled = [SystemMessage(render("recalled_memories", memories="\n".join(memories)))] if memories else []
    # The lean prompt has no clock (the 1.5B model appended "The current time and date is ..." to
    # finished output files, and once wrote it over the right answer) and repeats the goals after the
    # history, where the small model looks (it followed a data file's "ignore every earlier
    # instruction" over its goal at the top of the prompt).
    if lean_prompt(ctx):
        goals = " ".join(f"{i}. {g}" for i, g in enumerate(state["ai_config"].get("ai_goals", []), 1))
        context = [SystemMessage(render_steering("goals_reminder", goals=goals))]
    else:
        context = [SystemMessage(render("current_time", time=time))]
    tail = [*recalled, *context, *(SystemMessage(n) for n in notes), HumanMessage(prompts()["trigger"])]
    return head, tail


def summary_cap(ctx: AgentContext) -> int:
    model = ctx.models.smart
    return max(SUMMARY_RESERVE, (model.context_limit - model.max_reply_tokens) // 4)


def summary_text(ctx: AgentContext, state: AgentState) -> str:
    """The running summary, its newest part only if the model let it grow past its cap (the summary
    prompt asks for concision; this keeps the window safe when a model ignores it)."""
    summary = state.get("summary") or prompts()["initial_summary"]
    cap, model = summary_cap(ctx), ctx.models.smart.name
    if count_tokens(summary, model) <= cap:
        return summary
    return "…" + truncate_to_tokens(summary, cap, model, keep="end")


def memory_reserve(ctx: AgentContext) -> int:
    """Tokens kept free of history for recalled memories (0 without vector memory)."""
    if not (ctx.memory and ctx.memory.enabled):
        return 0
    model = ctx.models.smart
    return min(MEMORY_RESERVE, (model.context_limit - model.max_reply_tokens) // 5)


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
    by_cycle: dict[int, list[Event]] = {}
    for event in history:  # one pass: the window can hold thousands of events in a large context
        by_cycle.setdefault(event["cycle"], []).append(event)
    kept: list[list[Event]] = []
    used = 0
    for cycle in sorted(by_cycle, reverse=True):
        cost = sum(e["tokens"] for e in by_cycle[cycle])
        if used + cost > room:
            break
        kept.append(by_cycle[cycle])
        used += cost
    return [event for events in reversed(kept) for event in events]


def history_budget(ctx: AgentContext, state: AgentState) -> int:
    """Tokens the history may use next cycle, with room kept for the summary to grow and for
    recalled memories."""
    head, tail = _frame(ctx, state, ctx.now().strftime("%c"), _notes(ctx, state))
    summary_tokens = _tokens([head[1]], ctx)
    frame = _tokens(head + tail, ctx) - summary_tokens + max(summary_tokens, SUMMARY_RESERVE)
    return max(0, _room(ctx, frame) - memory_reserve(ctx))


def plan_prompt(ctx: AgentContext, state: AgentState) -> PromptPlan:
    """Decide what this cycle's prompt holds. Everything else in it is derived from state, so the
    plan is all the state keeps: checkpoints stay small however large the context window."""
    time, notes = ctx.now().strftime("%c"), _notes(ctx, state)
    head, tail = _frame(ctx, state, time, notes)
    room = _room(ctx, _tokens(head + tail, ctx))
    history = state.get("history") or []
    kept = fit_history(history, max(0, room - memory_reserve(ctx)))
    first = kept[0]["cycle"] if kept else state.get("cycle", 0) + 1
    plan = PromptPlan(time=time, history_from_cycle=first, notes=notes, retries=[])
    memory_room = room - sum(e["tokens"] for e in kept)
    memories = recall_memories(ctx, state, kept, first, memory_room)
    if memories:
        plan["memories"] = memories
    return plan


def recall_query(state: AgentState, kept: list[Event]) -> str:
    """What to look for: the model's latest thought (its intent), the start of the latest result,
    then the goals. Short and intent first: the embedder reads only the first 128 word pieces."""
    history = state.get("history") or kept
    parts = []
    last_reply = next((e for e in reversed(history) if e["kind"] == REPLY), None)
    if last_reply:
        thoughts = thoughts_of(last_reply)
        if thoughts or command_of(last_reply):
            parts += [thoughts.get("text", ""), thoughts.get("reasoning", "")]
        else:  # an old reply that never parsed
            parts.append(event_text(last_reply)[:300])
    last_other = next((e for e in reversed(history) if e["kind"] != REPLY), None)
    if last_other:
        parts.append(event_text(last_other)[:200])
    parts += state.get("ai_config", {}).get("ai_goals", [])
    return "\n".join(p for p in parts if p)


def recall_memories(ctx: AgentContext, state: AgentState, kept: list[Event], first_cycle: int, room: int) -> list[list[int]]:
    """The most relevant memories that fit `room` tokens (with their message's framing), best first,
    as [store id, characters shown]; only memories of cycles before the history shown, which the
    prompt holds already. A memory too long for what is left is shown up to the room, marked "…"."""
    if not (ctx.memory and ctx.memory.enabled) or room <= 0:
        return []
    recalled = ctx.memory.recall(state, recall_query(state, kept), before_cycle=first_cycle)
    model = ctx.models.smart.name
    framing = count_message_tokens([render("recalled_memories", memories="")], model)
    left, out = room - framing, []
    for item in recalled:
        text = item.memory.text
        tokens = count_tokens(memory_line(text, len(text)), model) + 1
        if tokens > left:
            if left < 40:
                break
            text = truncate_to_tokens(text, left - 6, model)
            tokens = count_tokens(memory_line(text, 0), model) + 1
            if tokens > left:
                break
        out.append([item.memory.id, len(text)])
        left -= tokens
    return out


def memory_line(text: str, full_length: int) -> str:
    return f"- {text}" if len(text) >= full_length else f"- {text}…"


def recalled_lines(ctx: AgentContext, planned: list[list[int]]) -> list[str]:
    if not planned or not (ctx.memory and ctx.memory.enabled):
        return []
    memories = ctx.memory.store.get([i for i, _ in planned])
    return [memory_line(m.text[:shown], len(m.text)) for m, (_, shown) in zip(memories, planned) if m is not None]


def render_prompt(ctx: AgentContext, state: AgentState) -> list[BaseMessage]:
    """The messages of the planned prompt, exactly as the model receives them."""
    plan = state["prompt"]
    head, tail = _frame(ctx, state, plan["time"], plan["notes"], recalled_lines(ctx, plan.get("memories") or []))
    history = [e for e in state.get("history") or [] if e["cycle"] >= plan["history_from_cycle"]]
    retries = [HumanMessage(render("reply_invalid", error=problem)) for problem in plan["retries"]]
    thoughts = _past_thoughts(ctx)
    return head + [event_message(e, thoughts=thoughts) for e in history] + tail + retries


def _notes(ctx: AgentContext, state: AgentState) -> list[str]:
    """The budget note and the loop guard's warning (the runtime's own), then the steering's notes."""
    notes = [note for note in (budget_note(state), loop_guard.warning(state)) if note]
    return notes + ctx.steering.notes(state, ctx.facts)


def assemble_prompt(ctx: AgentContext, state: AgentState) -> list[BaseMessage]:
    return render_prompt(ctx, {**state, "prompt": plan_prompt(ctx, state)})
