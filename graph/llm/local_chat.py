"""A LangChain chat model over llama-cpp-python, so the local model serves the graph through the
same interface as the hosted ones.

One `Llama` per model file and process (the fast and smart roles share it). llama-cpp-python keeps
the KV cache of the last prompt and re-evaluates only what differs after the longest common prefix,
so a prompt whose start does not change (the system prompt) stays warm across cycles.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatResult

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_model import NOT_INSTALLED

# Set by stop_generation() (Ctrl-C, graph/runs/interrupting.py): the generation running in LangGraph's
# worker thread stops within a token, or within a graph op while the prompt is evaluated; without it
# the run went on generating for 15-21 s after Ctrl-C, the main thread waiting for the worker.
_STOP = threading.Event()


class GenerationStopped(AgentError):
    """The local model was stopped part-way (Ctrl-C)."""


def stop_generation() -> None:
    _STOP.set()


def _abort_check(_data) -> bool:
    return _STOP.is_set()


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


def process_seed(seed: int) -> int:
    """The seed a model is loaded with: `seed`, or for -1 a random one. llama-cpp-python treats -1 as a
    fixed start (each completion reseeds from random.Random(its last seed)), so every process replayed
    the same samples: two evals of the same suite wrote the same transcripts (RESULTS.md #23)."""
    return seed if seed >= 0 else secrets.randbelow(2**31)


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
            llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, seed=process_seed(seed), verbose=False)
        except ValueError as exc:  # llama.cpp's "Failed to load model from file"
            raise AgentError(f"Could not load '{path}' as a GGUF model: {exc}") from exc
    lock = threading.Lock()
    atexit.register(_close_at_exit, llama, lock)
    return llama, lock


def _close_at_exit(llama, lock: threading.Lock) -> None:
    """Free the model while the modules it needs still exist: left to __del__ at interpreter shutdown,
    llama-cpp-python printed "TypeError: 'NoneType' object is not callable" after the last output. Not
    under a generation still running in a daemon thread: the process's end frees it then."""
    if lock.acquire(blocking=False):
        llama.close()


@dataclass(frozen=True)
class LlamaTokens:
    """The local model's own tokenizer (graph/tokens.py counts its prompts with it): the GGUF file's
    vocabulary, through the process's one loaded model, loaded on the first count."""

    model_path: str
    n_ctx: int
    n_threads: int
    seed: int

    def _llama(self):
        return load_llama(self.model_path, self.n_ctx, self.n_threads, self.seed)[0]

    def encode(self, text: str, disallowed_special=()) -> list[int]:
        return self._llama().tokenize(text.encode("utf-8", "replace"), add_bos=False, special=False)

    def decode(self, tokens: Sequence[int]) -> str:
        # A cut may split a character's bytes: the partial character is dropped, as tiktoken does.
        return self._llama().detokenize(list(tokens)).decode("utf-8", "ignore")


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

    def tokens(self) -> LlamaTokens:
        """Its tokenizer, sharing the loaded model its replies come from."""
        return LlamaTokens(self.model_path, self.n_ctx, self.n_threads, self.seed)

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
            _STOP.clear()
            with _stoppable(llama) as processors:
                try:
                    out = llama.create_chat_completion(**request, logits_processor=processors)
                except ValueError as exc:  # e.g. "Requested tokens exceed context window"
                    raise AgentError(f"The local model refused the request: {exc}") from exc
                except RuntimeError as exc:  # llama_decode returned 2: aborted by the check below
                    if not _STOP.is_set():
                        raise
                    llama.reset()  # the aborted batch left the cache part-filled: evaluate afresh next time
                    raise GenerationStopped("The local model was stopped.") from exc
            if _STOP.is_set():
                raise GenerationStopped("The local model was stopped.")
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


@contextmanager
def _stoppable(llama) -> Iterator[Any]:
    """While the prompt is evaluated (one llama_decode per batch of up to 512 tokens, seconds each on
    2 cores) llama.cpp asks the abort check between graph ops; from the first sampled token on, a
    logits processor asks it once per token instead (a Python call per op would slow decoding) and,
    once stopped, leaves only end-of-text to sample, which ends the reply."""
    from llama_cpp import LogitsProcessorList, ggml_abort_callback, llama_set_abort_callback  # the optional extra

    check = ggml_abort_callback(_abort_check)  # kept referenced while llama.cpp may call it
    llama_set_abort_callback(llama.ctx, check, None)
    eos = llama.token_eos()

    def per_token(_ids, scores):
        llama_set_abort_callback(llama.ctx, ggml_abort_callback(), None)  # NULL: no check per op
        if _STOP.is_set():
            scores[:] = -float("inf")
            scores[eos] = 0.0
        return scores

    try:
        yield LogitsProcessorList([per_token])
    finally:
        llama_set_abort_callback(llama.ctx, ggml_abort_callback(), None)
