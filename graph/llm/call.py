"""One model call, as every node makes it: budget check first, usage and cost recorded after, and
client errors turned into one sentence the user can act on."""

from __future__ import annotations

import math
from typing import Any

from langchain_core.messages import BaseMessage

from autogpt_graph.graph.context import AgentContext
from autogpt_graph.graph.errors import AgentError, RunStop
from autogpt_graph.graph.llm.models import ModelHandle
from autogpt_graph.graph.llm.pricing import cost_of
from autogpt_graph.graph.llm.retries import notify, with_retries
from autogpt_graph.graph.state import AgentState, merge_usage
from autogpt_graph.graph.tokens import count_message_tokens, count_tokens


# 100,000 characters, ~25,000 tokens: 25 times the reply size asked for by default (MAX_REPLY_TOKENS),
# and more than any model answers when it is working; past that a reply is broken, not longer.
MAX_REPLY_CHARS = 100_000


def sane_count(reported: Any, counted: int) -> int:
    """A server's token count, or ours where it is missing or absurd: negative, not a finite number, or
    off by more than 4x (tokenizers differ by far less). A server reporting -1000 tokens drove the
    recorded cost below zero, and 51 calls ran under a $0.10 budget."""
    if isinstance(reported, bool) or not isinstance(reported, (int, float)) or not math.isfinite(reported):
        return counted
    if reported <= 0 or reported > 4 * counted + 1000 or reported < counted / 4:
        return counted
    return int(reported)


def remaining_budget(state: AgentState) -> float | None:
    budget = float(state.get("ai_config", {}).get("api_budget") or 0)
    if budget <= 0:
        return None
    return budget - state.get("usage", {}).get("cost", 0.0)


def call_model(
    ctx: AgentContext, state: AgentState, *, role: str, purpose: str, messages: list[BaseMessage],
    temperature: float | None = None,
) -> tuple[str, dict[str, Any]]:
    """Returns the reply text and the usage delta to merge into state.

    Raises RunStop when the call could overspend the budget: the hard cap counts the prompt and the
    longest reply allowed, so spending never passes the budget (AutoGPT only warned)."""
    model = ctx.models.pick(role)
    prices = ctx.settings.model_prices
    left = remaining_budget(state)
    if left is not None:
        prompt_tokens = count_message_tokens([str(m.content) for m in messages], model.name)
        worst_case = cost_of(model.name, prompt_tokens, model.max_reply_tokens, prices, free=model.free)
        if worst_case > left:
            spent = state.get("usage", {}).get("cost", 0.0)
            raise RunStop(
                f"API budget reached: ${spent:.4f} of ${spent + left:.4f} spent, and the next "
                f"{purpose} call could cost up to ${worst_case:.4f}."
            )
    calls = state.get("usage", {}).get("calls", {})
    config = {
        "tags": [purpose],
        "metadata": {"purpose": purpose, "call_index": calls.get(purpose, 0), "call_number": sum(calls.values())},
    }
    try:
        params = {} if temperature is None else {"temperature": temperature}
        reply = with_retries(lambda: model.chat.invoke(messages, config=config, **params), model.endpoint,
                             model.attempts, tell=lambda event: notify(event, ctx.on_notice))
    except AgentError:
        raise
    except Exception as exc:  # noqa: BLE001 - every client failure becomes one clear sentence
        raise AgentError(describe_model_error(exc, model)) from exc
    text = reply.content if isinstance(reply.content, str) else "" if reply.content is None else str(reply.content)
    # Capped before anything reads it (parsing, repair, token counts, the checkpoint): a 20 MB reply
    # was re-sent whole to the JSON-fixing call, and 5 MB of "{" kept the repair busy for minutes.
    text = text[:MAX_REPLY_CHARS]
    meta = getattr(reply, "usage_metadata", None) or {}
    prompt_tokens = sane_count(meta.get("input_tokens"), count_message_tokens([str(m.content) for m in messages], model.name))
    completion_tokens = sane_count(meta.get("output_tokens"), count_tokens(text, model.name))
    cost = cost_of(model.name, prompt_tokens, completion_tokens, prices, free=model.free)
    tokens = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "cost": cost}
    usage = {**tokens, "calls": {purpose: 1}, "models": {model.name: {**tokens, "calls": 1}}}
    return text, usage



class CommandModel:
    """The run's models as seen by the command running in one step (browse_website, analyze_code,
    sub-agents: tools/runtime.py's `ask` and `room`). Each call goes through call_model with the usage
    the step's earlier calls added, so the budget check and the call counters (which give a resumed
    scripted run the same replies) see them; `usage` is their sum, for the step's update."""

    def __init__(self, ctx: AgentContext, state: AgentState):
        self.ctx, self.state, self.usage = ctx, state, {}

    def ask(self, messages: list[BaseMessage], purpose: str, role: str = "fast") -> str:
        state = {**self.state, "usage": merge_usage(self.state.get("usage"), self.usage)}
        text, usage = call_model(self.ctx, state, role=role, purpose=purpose, messages=messages)
        self.usage = merge_usage(self.usage, usage)
        return text

    def room(self, role: str) -> int:
        model = self.ctx.models.pick(role)
        return model.context_limit - model.max_reply_tokens


# Client failures and what to tell the user, most specific first; {where} is the endpoint and {model}
# the model name. A status error not listed here falls through to a generic sentence with its code.
_MODEL_ERRORS = (
    ("AuthenticationError", "The API key was rejected by {where}: check OPENAI_API_KEY (or AZURE_OPENAI_API_KEY)."),
    ("PermissionDeniedError", "The API key may not use model '{model}' at {where}."),
    ("NotFoundError", "Model '{model}' was not found at {where}: check the model name and the base URL."),
    ("RateLimitError", "{where} kept rate-limiting the requests after all retries; wait and run `autogpt resume`."),
    ("APITimeoutError", "The model at {where} did not answer in time; raise REQUEST_TIMEOUT or check the server."),
    ("APIConnectionError", "Could not reach the model at {where}: check the URL and that the server is running."),
)


def describe_model_error(exc: Exception, model: ModelHandle) -> str:
    """One actionable sentence for a failed model call."""
    import openai

    for name, message in _MODEL_ERRORS:
        if isinstance(exc, getattr(openai, name)):
            return message.format(where=model.endpoint, model=model.name)
    if isinstance(exc, openai.APIStatusError):
        return f"The model server at {model.endpoint} answered HTTP {exc.status_code}: {_short(exc)}"
    return f"The model call to {model.endpoint} failed: {type(exc).__name__}: {_short(exc)}"


def _short(exc: Exception, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
