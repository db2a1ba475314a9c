"""Model prices (USD per 1K tokens: prompt, completion) and context windows."""

from __future__ import annotations

# AutoGPT v0.3.0's table (llm/api_manager.py), plus current OpenAI models.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-3.5-turbo": (0.002, 0.002),
    "gpt-3.5-turbo-0301": (0.002, 0.002),
    "gpt-4": (0.03, 0.06),
    "gpt-4-0314": (0.03, 0.06),
    "gpt-4-32k": (0.06, 0.12),
    "gpt-4-32k-0314": (0.06, 0.12),
    "gpt-4o": (0.0025, 0.01),
    "gpt-4o-mini": (0.00015, 0.0006),
    "gpt-4.1": (0.002, 0.008),
    "gpt-4.1-mini": (0.0004, 0.0016),
    "text-embedding-ada-002": (0.0004, 0.0),
}


def price_of(model: str, overrides: dict[str, tuple[float, float]] | None = None) -> tuple[float, float]:
    """Prompt and completion price per 1K tokens; 0 for models we know nothing about (local ones)."""
    table = {**PRICES, **(overrides or {})}
    return table.get(model, (0.0, 0.0))


def cost_of(model: str, prompt_tokens: int, completion_tokens: int, overrides=None) -> float:
    p, c = price_of(model, overrides)
    return (prompt_tokens * p + completion_tokens * c) / 1000
