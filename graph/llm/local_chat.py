"""A LangChain chat model over llama-cpp-python, so the local model serves the graph through the
same interface as the hosted ones.

One `Llama` per model file and process (the fast and smart roles share it). llama-cpp-python keeps
the KV cache of the last prompt and re-evaluates only what differs after the longest common prefix,
so a prompt whose start does not change (the system prompt) stays warm across cycles.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatResult

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_model import NOT_INSTALLED

# The reply format as a JSON schema, for constrained decoding (json_mode="schema").
REPLY_SCHEMA = {
    "type": "object",
    "properties": {
        "thoughts": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in ("text", "reasoning", "plan", "criticism", "speak")},
            "required": ["text", "reasoning", "plan", "criticism", "speak"],
        },
        "command": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "args": {"type": "object"}},
            "required": ["name", "args"],
        },
    },
    "required": ["thoughts", "command"],
}


@functools.cache
def load_llama(path: str, n_ctx: int, n_threads: int, seed: int):
    """Load a GGUF model once per process (a few seconds: the file is memory-mapped)."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise AgentError(NOT_INSTALLED) from exc
    if not os.path.isfile(path):
        raise AgentError(f"The model file '{path}' does not exist.")
    from rich.console import Console

    with Console(stderr=True).status(f"Loading {os.path.basename(path)} ..."):
        try:
            llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, seed=seed, verbose=False)
        except ValueError as exc:  # llama.cpp's "Failed to load model from file"
            raise AgentError(f"Could not load '{path}' as a GGUF model: {exc}") from exc
    return llama, threading.Lock()


class LocalChatModel(BaseChatModel):
    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    seed: int = -1  # -1: a random seed per load; set one for reproducible runs
    temperature: float = 0.2
    max_tokens: int = 512
    json_mode: str = "off"  # "off": plain prompting; "schema": JSON-schema constrained decoding

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads, self.seed)
        request: dict[str, Any] = {
            "messages": convert_to_openai_messages(messages),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": self.max_tokens,
            "stop": stop,
        }
        if self.json_mode == "schema":
            request["response_format"] = {"type": "json_object", "schema": REPLY_SCHEMA}
        with lock:  # one llama.cpp context: one generation at a time
            try:
                out = llama.create_chat_completion(**request)
            except ValueError as exc:  # e.g. "Requested tokens exceed context window"
                raise AgentError(f"The local model refused the request: {exc}") from exc
        usage = out.get("usage") or {}
        message = AIMessage(
            content=out["choices"][0]["message"].get("content") or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
            response_metadata={"model_name": os.path.basename(self.model_path),
                               "finish_reason": out["choices"][0].get("finish_reason")},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
