"""A chat model that replays canned replies from a file: reproducible runs with no network.

File formats (`--llm script:FILE`):
- `.jsonl`: one reply per line (a JSON string, or a JSON object that is sent as its JSON text);
- `.yaml` / `.json` holding a list: the replies for every model call, in order;
- `.yaml` / `.json` holding a mapping: one list per purpose (`think`, `decompose`, `summarise`,
  `fix_json`, `critique`, and the commands' own calls: `browse`, `code`, `agent`), plus optional `repeat: true` (cycle through each list) and `delay: SECONDS`
  (wait before each reply, to imitate a real model).

The reply for a call is chosen by the call's number within the run, which the graph records in its
state and passes in the call's metadata. So a resumed, replayed or forked run gets the same replies
as the original at the same point, even in a new process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.tokens import count_message_tokens, count_tokens

PURPOSES = ("think", "decompose", "summarise", "fix_json", "critique", "browse", "code", "agent")


def _as_text(reply: Any) -> str:
    return reply if isinstance(reply, str) else json.dumps(reply, indent=4)


class Script:
    """Parsed script: either one ordered list for all calls, or one list per purpose."""

    def __init__(self, replies: list[str] | dict[str, list[str]], *, repeat=False, delay=0.0, source="script"):
        self.replies, self.repeat, self.delay, self.source = replies, repeat, delay, source

    @classmethod
    def load(cls, path: str | Path) -> Script:
        path = Path(path)
        if not path.is_file():
            raise AgentError(f"The script file '{path}' does not exist.")
        text = path.read_text("utf-8")
        try:
            if path.suffix == ".jsonl":
                data: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                data = yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise AgentError(f"The script file '{path}' is not valid {path.suffix[1:] or 'YAML'}: {exc}") from exc
        return cls.from_data(data, source=str(path))

    @classmethod
    def from_data(cls, data: Any, source: str = "script") -> Script:
        if isinstance(data, list):
            return cls([_as_text(r) for r in data], source=source)
        if isinstance(data, dict):
            unknown = set(data) - set(PURPOSES) - {"repeat", "delay"}
            if unknown:
                raise AgentError(
                    f"The script '{source}' has unknown keys {sorted(unknown)}; use {', '.join(PURPOSES)}, repeat, delay."
                )
            queues = {p: [_as_text(r) for r in data[p]] for p in PURPOSES if p in data}
            return cls(queues, repeat=bool(data.get("repeat")), delay=float(data.get("delay", 0)), source=source)
        raise AgentError(f"The script '{source}' must hold a list of replies or a mapping of lists by purpose.")

    def reply(self, purpose: str, index: int, number: int) -> str:
        """The reply for the `index`-th call of `purpose`, which is call `number` of the whole run."""
        if isinstance(self.replies, list):
            queue, position, label = self.replies, number, f"model call #{number + 1}"
        else:
            queue, position, label = self.replies.get(purpose, []), index, f"{purpose} call #{index + 1}"
        if queue and self.repeat:
            position %= len(queue)
        if position >= len(queue):
            raise AgentError(
                f"The script '{self.source}' has no reply for {label}; add replies or end the run with task_complete."
            )
        return queue[position]


class ScriptedChatModel(BaseChatModel):
    """Replays a Script; reports token usage counted with tiktoken like a real API would."""

    script: Any
    model_name: str = "script"
    _calls: dict[str, int] = PrivateAttr(default_factory=dict)
    # (purpose, messages) of every call, so tests and notebooks can see exactly what the model got.
    _seen: list[tuple[str, list[BaseMessage]]] = PrivateAttr(default_factory=list)

    @property
    def seen(self) -> list[tuple[str, list[BaseMessage]]]:
        return self._seen

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        meta = run_manager.metadata if run_manager else {}
        purpose = meta.get("purpose", "think")
        # Without the graph's counters (a direct call from a notebook) count calls here.
        index = meta.get("call_index", self._calls.get(purpose, 0))
        number = meta.get("call_number", sum(self._calls.values()))
        self._calls[purpose] = self._calls.get(purpose, 0) + 1
        self._seen.append((purpose, list(messages)))
        text = self.script.reply(purpose, index, number)
        if self.script.delay:
            time.sleep(self.script.delay)
        prompt_tokens = count_message_tokens([str(m.content) for m in messages])
        completion_tokens = count_tokens(text)
        usage = {
            "input_tokens": prompt_tokens,
            "output_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        message = AIMessage(content=text, usage_metadata=usage, response_metadata={"model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])
