"""What the page is sent: runs, steps, history lines and a step's state as plain JSON-ready dicts.

Text the model or a command produced stays text here; the page puts it in the DOM as text (never as
HTML), so a file the agent wrote cannot script the page.
"""

from __future__ import annotations

from typing import Any

from autogpt_graph.graph.prompting.events import FEEDBACK, RESULT, ok, result_of, structure
from autogpt_graph.graph.runs.steps import FILES_RESTORED, INTERRUPT, RunStatus, Step
from autogpt_graph.graph.runs.threads import HistoryLine

# A result is cut to this many characters in a step's event (the file view shows whole files).
SHOWN = 4000


def _cut(text: Any, limit: int = SHOWN) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def tokens_of(usage: dict) -> int:
    return int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0))


def status_view(status: RunStatus, running: bool = False) -> dict:
    """A run's status: "running" (streaming in this server), "waiting" (at the human gate),
    "paused" (resumable) or "finished" with the reason."""
    if running:
        state = "running"
    elif status.waiting is not None:
        state = "waiting"
    elif status.finished:
        state = "finished"
    else:
        state = "paused"
    return {
        "thread_id": status.thread_id,
        "state": state,
        "reason": status.stop_reason,
        "cycle": status.cycle,
        "tokens": tokens_of(status.usage),
        "cost": float(status.usage.get("cost", 0.0)),
        "next": list(status.next_nodes),
        "waiting": status.waiting,
        "ai_config": status.ai_config,
        "workspace": status.workspace,
    }


def step_view(step: Step) -> dict:
    """One streamed step: its node and what it did, in the fields the page shows."""
    update, node = step.update, step.node
    out: dict[str, Any] = {"node": node}
    if node == INTERRUPT:
        out.update(thoughts=update.get("thoughts") or {}, command=update.get("command"), error=update.get("error"),
                   cycle=update.get("cycle"))
    elif node == FILES_RESTORED:
        out["note"] = update.get("note", "")
    elif node == "decompose_goals" and update.get("ai_config"):
        out["ai_config"] = update["ai_config"]
    elif node == "build_prompt":
        out.update(cycle=update.get("cycle"), plan=update.get("prompt"))
    elif node == "think":
        out["usage"] = {k: v for k, v in (update.get("usage") or {}).items() if k in ("prompt_tokens", "completion_tokens", "cost")}
    elif node == "validate_json":
        if update.get("command"):
            out.update(thoughts=update.get("thoughts") or {}, command=update["command"])
        else:
            retries = (update.get("prompt") or {}).get("retries") or [""]
            out["note"] = f"Asking the model again: {retries[-1]}"
    elif node == "human_gate":
        events = [structure(e) for e in update.get("history") or [] if isinstance(e, dict) and "kind" in e]
        feedback = next((e for e in events if e["kind"] == FEEDBACK), None)
        if update.get("stop_reason"):
            out["note"] = update["stop_reason"]
        elif feedback:
            out["feedback"] = {"text": feedback.get("feedback", ""), "source": feedback.get("source", "human")}
        else:
            out["note"] = "approved"
    elif node == "execute_tool":
        events = [e for e in update.get("history") or [] if isinstance(e, dict) and e.get("kind") == RESULT]
        if events:
            out.update(result=_cut(result_of(events[-1])), ok=ok(events[-1]), name=structure(events[-1]).get("name"))
        if update.get("stop_reason"):
            out["note"] = update["stop_reason"]
    elif node == "summarise_memory":
        if update.get("summary"):
            out["summary"] = update["summary"]
        if update.get("stop_reason"):
            out["note"] = update["stop_reason"]
    return out


def line_view(line: HistoryLine) -> dict:
    return {"step": line.step, "cycle": line.cycle, "node": line.node, "command": line.command,
            "result": line.result, "checkpoint": line.checkpoint_id, "files": list(line.files)}


def state_view(values: dict, line: HistoryLine, memories: list[str]) -> dict:
    """A step's state, as the page's step panel shows it."""
    history = [structure(e) for e in values.get("history") or []]
    return {
        **line_view(line),
        "ai_config": values.get("ai_config"),
        "task": values.get("task"),
        "summary": values.get("summary", ""),
        "plan": values.get("prompt"),
        "memories": memories,
        "thoughts": values.get("thoughts") or {},
        "proposed": values.get("command"),
        "usage": {"tokens": tokens_of(values.get("usage", {})), "cost": float(values.get("usage", {}).get("cost", 0.0))},
        "history": [_event_view(e) for e in history[-20:]],
        "forked_from": values.get("forked_from"),
    }


def _event_view(event: dict) -> dict:
    kind = event.get("kind")
    if kind == RESULT:
        return {"cycle": event.get("cycle"), "kind": "result", "name": event.get("name"),
                "text": _cut(event.get("result"), 600), "ok": event.get("ok", True)}
    if kind == FEEDBACK:
        return {"cycle": event.get("cycle"), "kind": "feedback", "text": event.get("feedback", ""), "source": event.get("source")}
    command = event.get("command") or {}
    return {"cycle": event.get("cycle"), "kind": "reply", "name": command.get("name"), "args": command.get("args"),
            "text": (event.get("thoughts") or {}).get("text", "")}
