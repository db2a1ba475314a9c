"""History events as data, rendered to text only where a model or a person reads them.

An event keeps its structure: a reply has its thoughts and command, a result its command's name,
output and ok flag, feedback its text and who gave it. `event_text` renders one as the prompt shows
it (AutoGPT's "Command X returned: ..." and "Human feedback: ..."); its token cost is counted once,
when the event is made, from that rendering.

Checkpoints written before events had structure hold `{"kind", "text"}` events. `structure` reads
those once, at the edge, so every other reader sees the same fields whichever release wrote them.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from autogpt_graph.graph.prompting.texts import render
from autogpt_graph.graph.state import Event, SetAside
from autogpt_graph.graph.tokens import count_tokens

_MESSAGE_FRAMING = 4  # tokens OpenAI's chat format adds around each message
DEFAULT_MODEL = "gpt-3.5-turbo"  # for token counts where no model is known (a human's fork)

REPLY, RESULT, FEEDBACK = "assistant", "system", "user"  # kinds, as checkpoints have always named them


def reply_event(cycle: int, thoughts: dict, command: dict, model: str = DEFAULT_MODEL) -> Event:
    """The model's accepted reply: its thoughts and the command as validated."""
    return _counted(Event(cycle=cycle, kind=REPLY, thoughts=dict(thoughts or {}), command=dict(command)), model)


def result_event(cycle: int, name: str, result: str, ok: bool, model: str = DEFAULT_MODEL,
                 saved_to: str | None = None) -> Event:
    """What command `name` returned (as the history keeps it: fitted to the context) and whether it
    worked; `saved_to`: the file holding the whole output, when it was too big to keep."""
    event = Event(cycle=cycle, kind=RESULT, name=name, result=result, ok=ok)
    if saved_to:
        event["saved_to"] = saved_to
    return _counted(event, model)


def feedback_event(cycle: int, feedback: str, source: str = "human", model: str = DEFAULT_MODEL) -> Event:
    """Feedback on a rejected command: from the human, or from the model's self-critique ("self")."""
    return _counted(Event(cycle=cycle, kind=FEEDBACK, feedback=feedback, source=source), model)


def _counted(event: Event, model: str) -> Event:
    event["tokens"] = count_tokens(event_text(event), model) + _MESSAGE_FRAMING
    return event


def event_text(event: Event) -> str:
    """The event as the model reads it."""
    if "text" in event:  # an event from before structure: its text is what the model read
        return event["text"]
    if event["kind"] == REPLY:
        return reply_text(event["thoughts"], event["command"])
    if event["kind"] == RESULT:
        return render("command_result", name=event["name"], result=event["result"])
    key = "self_feedback" if event.get("source") == "self" else "human_feedback"
    return render(key, feedback=event["feedback"])


def set_aside_text(set_aside: list[SetAside]) -> str:
    """The cycle's last result set aside, for a person (the console, a transcript): the model never
    reads it. The candidate asked for next is the one after those set aside."""
    aside, candidate = set_aside[-1], len(set_aside) + 1
    return (f"Set aside {aside['command']['name']} ({aside['why']}: {telling_line(aside)[:160]}); "
            f"asking the model for candidate {candidate}.")


def telling_line(aside: SetAside) -> str:
    """The line of a set-aside result that says why it failed: the exception's (or the hint naming
    it), else the first line (the exit code, or what it printed)."""
    lines = [line.strip() for line in aside["result"].splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[0] if lines else "")


def reply_text(thoughts: dict | None, command: dict) -> str:
    """A reply as the history shows it: the validated object, not the model's raw text (thoughts None:
    the command alone, as the lean prompt shows past replies)."""
    reply = {"command": command} if thoughts is None else {"thoughts": thoughts, "command": command}
    return json.dumps(reply, ensure_ascii=False)


def structure(event: Event) -> dict[str, Any]:
    """The event's fields (thoughts, command; name, result, ok; feedback, source), also for an event
    written before events had structure (read from its text here, once per text)."""
    if "text" not in event:
        return event
    return {**event, **_legacy_fields(event["kind"], event["text"])}


@functools.lru_cache(maxsize=2048)
def _legacy_fields(kind: str, text: str) -> dict[str, Any]:
    # Cached: an old thread's window is re-read every cycle (prompt, steering, console).
    if kind == REPLY:
        try:
            reply = json.loads(text)
        except json.JSONDecodeError:
            return {"thoughts": {}, "command": None}
        command = reply.get("command") if isinstance(reply, dict) else None
        thoughts = reply.get("thoughts") if isinstance(reply, dict) else None
        return {"thoughts": thoughts if isinstance(thoughts, dict) else {},
                "command": command if isinstance(command, dict) else None}
    if kind == RESULT:
        head, sep, result = text.partition(" returned: ")
        name = head.removeprefix("Command ") if sep else ""
        return {"name": name, "result": result if sep else text, "ok": not _LEGACY_FAILED.search(text)}
    for key, source in (("human_feedback", "human"), ("self_feedback", "self")):
        prefix = render(key, feedback="\0").partition("\0")[0]
        if text.startswith(prefix):
            return {"feedback": text[len(prefix):], "source": source}
    return {"feedback": text, "source": "human"}


# How results said that they failed before they carried an ok flag: a refused or failing command
# ("Error: ..."), or code that exited with an error or was killed (tools/sandbox.py's status line).
_LEGACY_FAILED = re.compile(r"returned: Error|\bExit code: (?:[1-9]|none)|\bKilled by signal")


def command_of(event: Event) -> dict | None:
    """The command of a reply event (None for another kind, or an unreadable old reply)."""
    return structure(event).get("command") if event["kind"] == REPLY else None


def thoughts_of(event: Event) -> dict:
    return structure(event).get("thoughts") or {} if event["kind"] == REPLY else {}


def result_of(event: Event) -> str:
    """What a result event's command returned, without the "Command X returned:" framing."""
    return structure(event).get("result", "") if event["kind"] == RESULT else ""


def ok(event: Event) -> bool:
    """Whether a result event's command worked (an error, a refusal, or code that failed: False)."""
    return bool(structure(event).get("ok", True))
