"""Settings from the environment and `.env`, validated once at the edge (pydantic-settings).

Names follow AutoGPT's `.env.template` where it had one (OPENAI_API_KEY, USE_AZURE, FAST_LLM_MODEL,
SMART_LLM_MODEL, FAST_TOKEN_LIMIT, SMART_TOKEN_LIMIT). Secrets stay here and in the model clients;
they never enter graph state or checkpoints.
"""

from __future__ import annotations

import functools
import os
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # OpenAI and OpenAI-compatible servers (Ollama, vLLM, llama.cpp server): a base URL selects them.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "OPENAI_API_BASE")
    )
    # Azure OpenAI: USE_AZURE=True, the key in AZURE_OPENAI_API_KEY (or OPENAI_API_KEY as AutoGPT did).
    use_azure: bool = False
    azure_openai_api_key: SecretStr | None = None
    azure_openai_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("AZURE_OPENAI_ENDPOINT", "AZURE_API_BASE")
    )
    openai_api_version: str = Field(
        "2024-10-21", validation_alias=AliasChoices("OPENAI_API_VERSION", "AZURE_API_VERSION")
    )
    fast_llm_model_deployment_id: str | None = None
    smart_llm_model_deployment_id: str | None = None

    fast_llm_model: str = "gpt-3.5-turbo"
    smart_llm_model: str = "gpt-4"
    # Context windows as AutoGPT configured them; 0 means "look the model up".
    fast_token_limit: int = 4000
    smart_token_limit: int = 8000
    max_reply_tokens: int = 1000
    temperature: float = 0.0
    seed: int | None = None  # sent to OpenAI-compatible servers that honour it, for repeatable runs
    request_timeout: float = 120.0
    # The OpenAI client retries 429s, 5xx and connection errors with exponential backoff.
    max_retries: int = 6

    # USD per 1K tokens (prompt, completion) for models missing from the built-in table,
    # e.g. MODEL_PRICES='{"my-model": [0.001, 0.002]}'.
    model_prices: dict[str, tuple[float, float]] = {}

    # Where runs are stored when --checkpointer is not given: sqlite (in the workspace), sqlite:PATH,
    # postgres://... (shared by every worker process and machine) or memory.
    checkpointer: str | None = None

    # The embedded local model (`--llm local`, the default without a key).
    local_model_path: str | None = None  # another GGUF file instead of the embedded one
    local_context: int = 4096  # tokens; memory grows ~0.6-1 MB per token
    local_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    local_max_tokens: int = 512
    local_temperature: float = 0.2
    local_seed: int = -1  # -1 = random; fix it for reproducible runs
    # "off": plain prompting (measured to finish more tasks); "schema": JSON-schema constrained decoding.
    local_json_mode: Literal["off", "schema"] = "off"

    # How many invalid replies in a row before the run stops.
    max_json_retries: int = 3
    # Ask the fast model to repair a reply with no usable JSON (AutoGPT's fix_json) before retrying.
    fix_json_with_model: bool = True

    def has_openai(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


@functools.cache
def get_settings() -> Settings:
    return Settings()
