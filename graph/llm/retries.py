"""Retrying a failed model call, and saying so while it waits.

The OpenAI client retried silently (MAX_RETRIES times, with backoff): against an unreachable endpoint
the user saw nothing for ~26 s. The client now makes one attempt (models.py) and the retries happen
here, each told as it waits ("no answer from http://...: retrying in 4 s, attempt 2 of 6") to the run's
listener (the console prints it) and on LangGraph's custom stream for clients that stream it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from langgraph.config import get_stream_writer

T = TypeVar("T")
FIRST_WAIT = 1.0  # seconds before the 2nd attempt; doubled each time up to MAX_WAIT (as the client did)
MAX_WAIT = 16.0
MAX_RETRY_AFTER = 60.0  # a server's Retry-After is honoured up to this
RETRYING = "retrying"  # the custom stream event's kind

# What is worth another attempt: the server could not be reached, did not answer in time, asked us to
# slow down, or failed on its side (5xx). A refused key or an unknown model fails at once.
_RETRYABLE = ("APIConnectionError", "APITimeoutError", "RateLimitError", "InternalServerError")
_RETRYABLE_STATUS = {408, 409, 429}


def _openai():
    import openai  # the client library is imported by the model that raised, never before

    return openai


def reason_of(exc: Exception) -> str | None:
    """Why the call is worth retrying, in a few words; None when it is not (langchain-openai raises
    subclasses of the openai errors)."""
    if type(exc).__module__.split(".")[0] not in ("openai", "langchain_openai"):
        return None  # the local model, a script: not a client that can be retried
    openai = _openai()
    if isinstance(exc, openai.APITimeoutError):
        return "no answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return "no answer"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited"
    if isinstance(exc, openai.APIStatusError) and (exc.status_code >= 500 or exc.status_code in _RETRYABLE_STATUS):
        return f"HTTP {exc.status_code}"
    return None


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    try:
        value = float(response.headers.get("retry-after")) if response is not None else None
    except (TypeError, ValueError):
        return None
    return min(value, MAX_RETRY_AFTER) if value is not None and value >= 0 else None


def notify(event: dict[str, Any], listener: Callable[[dict], None] | None = None) -> None:
    """Tell of a retry: on the graph's custom stream (for clients streaming that mode; nothing outside
    a graph run) and to the run's listener (the CLI prints it while the call waits)."""
    event = {"kind": RETRYING, **event}
    try:
        get_stream_writer()(event)
    except RuntimeError:
        pass
    if listener is not None:
        listener(event)


def with_retries(call: Callable[[], T], endpoint: str, attempts: int, *, sleep=time.sleep, tell=notify) -> T:
    """call(), tried up to `attempts` times while it fails in a retryable way."""
    for attempt in range(1, max(1, attempts) + 1):
        try:
            return call()
        except Exception as exc:
            reason = reason_of(exc)
            if reason is None or attempt >= attempts:
                raise
            wait = _retry_after(exc)
            wait = wait if wait is not None else min(FIRST_WAIT * 2 ** (attempt - 1), MAX_WAIT)
            tell({"endpoint": endpoint, "reason": reason, "wait": wait, "attempt": attempt + 1, "attempts": attempts})
            sleep(wait)
    raise AssertionError("unreachable")


def notice(event: dict[str, Any]) -> str:
    """The sentence a person reads."""
    reason = event["reason"]
    return (f"{reason[:1].upper()}{reason[1:]} from {event['endpoint']}: retrying in {event['wait']:g} s, "
            f"attempt {event['attempt']} of {event['attempts']}.")
