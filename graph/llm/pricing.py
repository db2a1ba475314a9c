"""Model prices (USD per 1K tokens: prompt, completion), and the budget's own checks.

Prices come from genai-prices (pydantic's price database: current models and dated snapshots such as
gpt-4o-2024-08-06, bundled in the package, so lookups work offline; kept up to date with releases).
tokencost was the other candidate; its last release is older and it prices through a copy of litellm's
table that it tries to refresh over the network. MODEL_PRICES (Settings.model_prices) overrides any
model, and prices models no database knows (a model behind an OpenAI-compatible server). The embedded
local model and scripted models cost nothing.

A budget is a hard cap only if every call is priced: a run with a budget refuses to start while one of
its models has no known price, rather than counting its calls as free.
"""

from __future__ import annotations

import functools
import math

from genai_prices import Usage, calc_price

from autogpt_graph.graph.errors import AgentError

FREE = (0.0, 0.0)


@functools.lru_cache(maxsize=256)
def library_price(model: str) -> tuple[float, float] | None:
    """genai-prices' price of `model` per 1K tokens, OpenAI's first (AutoGPT's provider), None if unknown."""
    for provider in ("openai", None):
        try:
            price = calc_price(Usage(input_tokens=1000, output_tokens=1000), model_ref=model, provider_id=provider)
        except LookupError:
            continue
        return float(price.input_price), float(price.output_price)
    return None


def price_of(model: str, overrides: dict[str, tuple[float, float]] | None = None,
             *, free: bool = False) -> tuple[float, float] | None:
    """Prompt and completion price per 1K tokens; None when nothing prices `model`."""
    if overrides and model in overrides:
        return tuple(overrides[model])
    return FREE if free else library_price(model)


def cost_of(model: str, prompt_tokens: int, completion_tokens: int, overrides=None, *, free: bool = False) -> float:
    """The call's cost in USD (0 for an unpriced model: runs with a budget never have one)."""
    p, c = price_of(model, overrides, free=free) or FREE
    return (prompt_tokens * p + completion_tokens * c) / 1000


def check_budget(value: float | str) -> float:
    """A budget as given by a user: a finite number of USD, 0 or more (0 = no budget)."""
    try:
        budget = float(value)
    except (TypeError, ValueError):
        raise AgentError(f"The budget must be a number of USD (0 = no budget), not '{value}'.") from None
    if not math.isfinite(budget) or budget < 0:
        raise AgentError(f"The budget must be a number of USD, 0 or more (0 = no budget), not '{value}'.")
    return budget


def check_priced(models: list[tuple[str, bool]], budget: float, overrides=None) -> None:
    """With a budget, every (model name, free) must have a price, or the cap could not hold."""
    if budget <= 0:
        return
    for name, free in models:
        if price_of(name, overrides, free=free) is None:
            raise AgentError(
                f"No price is known for model '{name}', so a ${budget:g} budget could not be enforced; set "
                f"MODEL_PRICES='{{\"{name}\": [PROMPT, COMPLETION]}}' (USD per 1K tokens) or run without a budget."
            )
