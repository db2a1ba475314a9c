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
    # The temperature of a think call that follows a push-back or an unusable reply (any model), meant to
    # stop near-greedy sampling from proposing the refused command again. Off: 0.8 did not help the local
    # model on the haiku task (0 of 3 finished, against 1 of 3 without; benchmarks/RESULTS.md).
    retry_temperature: float | None = None
    # The prompt the small model gets: "lean" asks for two thought fields (text, plan) instead of
    # AutoGPT's five and shows its past replies as their commands only (it copied whole earlier replies,
    # thoughts included, cycle after cycle); "lean_thoughts" shows them with those two fields; "brief" is
    # "lean" with the text field only (~35% fewer generated tokens: 65% of the suite over 3 repeats at
    # 8.8 s a cycle), and "brief_thoughts" shows past replies with that field (not lower on held-out,
    # but 0.8 s a cycle slower and copied: #29); "autogpt" is v0.3.0's prompt unchanged. Measured in
    # benchmarks/RESULTS.md.
    local_prompt: Literal["brief", "brief_thoughts", "lean", "lean_thoughts", "autogpt"] = "brief"
    local_seed: int = -1  # -1 = a random seed per process (graph/llm/local_chat.process_seed); fix it for reproducible runs
    # "off": plain prompting (measured to finish more tasks); "schema": JSON-schema constrained decoding.
    local_json_mode: Literal["off", "schema"] = "off"

    # Vector memory (graph/memory): the backend (`--use-memory` overrides), the Redis server and index
    # (AutoGPT's REDIS_* / MEMORY_INDEX), and the embedding model (auto: OpenAI with a key, else local).
    memory_backend: str = "faiss"
    redis_url: str = "redis://127.0.0.1:6379/0"
    memory_index: str = "autogpt"
    memory_embeddings: Literal["auto", "local", "openai"] = "auto"
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int | None = None
    memory_recall_k: int = 5  # memories recalled into each prompt, at most

    # The workspace's files recorded after every step, for replay, fork and checkout (graph/file_history);
    # files larger than the limit are recorded by hash and size only.
    file_history: bool = True
    file_history_max_bytes: int = 16 << 20

    # How many invalid replies in a row before the run stops.
    max_json_retries: int = 3
    # What steers the model beyond AutoGPT v0.3.0 (graph/steering/): "auto" = the small-model steering
    # for the embedded local model and for models named in SMALL_MODELS, none for any other model;
    # "off"; "small"; or a user's own Steering subclass as "package.module:Class".
    steering: str = "auto"
    # Names (or parts of names, comma-separated, case-insensitive) of small models served elsewhere
    # (e.g. "qwen2.5-coder" behind an OpenAI-compatible server): "auto" steers them as the local model.
    small_models: str = ""
    # Push-backs in one cycle after which the proposed command runs anyway (the model insists).
    # Counted apart from unusable replies: a push-back never ends a run.
    max_push_backs: int = 3
    # Ask the fast model to repair a reply with no usable JSON (AutoGPT's fix_json) before retrying.
    fix_json_with_model: bool = True

    # Commands that run code (tools/sandbox.py). Shell commands only with EXECUTE_LOCAL_COMMANDS=True,
    # filtered by SHELL_COMMAND_CONTROL: "denylist" (refuse SHELL_DENYLIST) or "allowlist" (only SHELL_ALLOWLIST);
    # both comma-separated command names, as in AutoGPT's later .env.template.
    execute_local_commands: bool = False
    shell_command_control: Literal["denylist", "allowlist"] = "denylist"
    shell_denylist: str = "sudo,su"
    shell_allowlist: str = ""
    # "auto": bubblewrap when it works on this machine, else resource limits only; "bubblewrap": require it.
    sandbox_isolation: Literal["auto", "bubblewrap", "rlimits"] = "auto"
    sandbox_timeout: float = 60.0  # wall-clock seconds per execution
    sandbox_cpu_seconds: int = 60
    sandbox_memory_mb: int = 1024  # address space per process
    sandbox_max_processes: int = 64
    sandbox_file_size_mb: int = 100  # largest file a sandboxed process may write
    sandbox_output_chars: int = 20000  # stdout and stderr kept for the model, each
    sandbox_env_passthrough: str = ""  # comma-separated variable names the sandbox may see (never secrets)

    # Web commands (tools/web.py). Private, link-local and loopback addresses are refused; loopback can
    # be allowed for local use and tests.
    allow_downloads: bool = False  # AutoGPT's --allow-downloads
    download_max_mb: int = 50
    allow_loopback_urls: bool = False
    web_connect_timeout: float = 3.0
    web_timeout: float = 15.0
    web_max_page_mb: int = 5
    browse_chunk_tokens: int = 2000  # text per fast-model call when answering over a page
    browse_max_chunks: int = 8  # chunks of a page read at most (each one a fast-model call)
    google_api_key: SecretStr | None = None
    custom_search_engine_id: str | None = None
    google_search_url: str = "https://www.googleapis.com/customsearch/v1"
    web_search_backend: str = "auto"  # ddgs backends, e.g. "duckduckgo" or "auto"
    web_search_proxy: str | None = None  # for ddgs, e.g. socks5h://127.0.0.1:9150

    clone_timeout: float = 300.0  # seconds for clone_repository

    # Optional commands, present only when configured (AutoGPT's names).
    # generate_image: IMAGE_PROVIDER = dalle (the OpenAI key / base URL above), huggingface or sdwebui.
    image_provider: Literal["", "dalle", "huggingface", "sdwebui"] = ""
    image_size: int = 256
    huggingface_api_token: SecretStr | None = None
    huggingface_image_model: str = "CompVis/stable-diffusion-v1-4"
    huggingface_api_url: str = "https://api-inference.huggingface.co/models"
    sd_webui_url: str = "http://localhost:7860"
    sd_webui_auth: SecretStr | None = None  # "user:password"
    # send_tweet: all four X (Twitter) OAuth 1.0a credentials.
    tw_consumer_key: SecretStr | None = None
    tw_consumer_secret: SecretStr | None = None
    tw_access_token: SecretStr | None = None
    tw_access_token_secret: SecretStr | None = None
    twitter_api_url: str = "https://api.twitter.com"

    # --speak (graph/cli/speech.py): "auto" = ElevenLabs when its key is set, else the system's TTS program.
    speech_engine: Literal["auto", "elevenlabs", "system"] = "auto"
    elevenlabs_api_key: SecretStr | None = None
    elevenlabs_voice_id: str = Field("ErXwobaYiN019PkySvjV", validation_alias=AliasChoices("ELEVENLABS_VOICE_1_ID", "ELEVENLABS_VOICE_ID"))
    elevenlabs_api_url: str = "https://api.elevenlabs.io"

    # Commands left out of the registry and the prompt, comma-separated (e.g. "start_agent,message_agent,
    # list_agents,delete_agent" to give a small local model a shorter prompt). task_complete always stays.
    disabled_commands: str = ""
    # Also left out when the embedded local model runs (`--llm local`): a 1.5B model given AutoGPT's 21
    # commands wrote the trigger sentence into its file and looped; files, browse and Python stay. google
    # too: with a URL or a file in its task it still searched, offline, until loop detection stopped it
    # (3 of 18 challenges); set LOCAL_DISABLED_COMMANDS to give it back where there is internet.
    local_disabled_commands: str = (
        "google,get_hyperlinks,get_text_summary,analyze_code,improve_code,write_tests,clone_repository,"
        "start_agent,message_agent,list_agents,delete_agent,memory_add"
    )

    # Third-party tools from the "autogpt_graph.tools" entry point group; comma-separated names to skip.
    denylisted_plugins: str = ""

    def has_openai(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


@functools.cache
def get_settings() -> Settings:
    return Settings()
