"""Making history events (their token cost is counted once, here)."""

from __future__ import annotations

from autogpt_graph.graph.state import Event
from autogpt_graph.graph.tokens import count_tokens

_MESSAGE_FRAMING = 4  # tokens OpenAI's chat format adds around each message


def make_event(cycle: int, kind: str, text: str, model: str = "gpt-3.5-turbo") -> Event:
    return Event(cycle=cycle, kind=kind, text=text, tokens=count_tokens(text, model) + _MESSAGE_FRAMING)
