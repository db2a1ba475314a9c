"""The model factory: a fast and a smart chat model, as AutoGPT had.

Specs (`--llm`):
- `openai`: OpenAI, or any OpenAI-compatible server when OPENAI_BASE_URL is set (Ollama, vLLM,
  llama.cpp server);
- `azure`: Azure OpenAI (deployments from FAST/SMART_LLM_MODEL_DEPLOYMENT_ID);
- `local`: the embedded offline model (Qwen2.5-Coder-1.5B-Instruct, llama-cpp-python);
  `local:PATH.gguf`: any other GGUF file;
- `script:FILE`: the scripted model (tests and demos);
- `auto` (the default): azure when USE_AZURE is set, else openai when a key or base URL is set,
  else local.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_chat import LocalChatModel
from autogpt_graph.graph.llm.local_model import MODEL_NAME, default_model_path
from autogpt_graph.graph.llm.scripted_model import Script, ScriptedChatModel
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.tokens import register_encoding


@dataclass(frozen=True)
class ModelHandle:
    chat: BaseChatModel
    name: str  # for prices and token counting
    context_limit: int  # tokens
    endpoint: str  # where it is served, for error messages
    max_reply_tokens: int = 1000  # the reply's cap, and the room the prompt leaves for it
    free: bool = False  # runs on this machine (the embedded model, a script): costs nothing
    attempts: int = 1  # tries per call while it fails in a retryable way (graph/llm/retries.py)


@dataclass(frozen=True)
class ModelSet:
    fast: ModelHandle
    smart: ModelHandle
    # A small local model: it gets a shorter command list (Settings.local_disabled_commands).
    small: bool = False

    def pick(self, role: str) -> ModelHandle:
        return self.smart if role == "smart" else self.fast




KINDS = ("auto", "local", "script", "openai", "azure")


def check_model_spec(spec: str, settings: Settings) -> str:
    """The spec with `auto` decided, or an AgentError in one sentence: cheap checks only (no model is
    loaded), so a command line can be refused before anything is created."""
    spec = spec or "auto"
    if spec == "auto":
        spec = "azure" if settings.use_azure else "openai" if settings.has_openai() else "local"
    kind, _, arg = spec.partition(":")
    if kind not in KINDS:
        raise AgentError(f"Unknown model spec '{spec}'; use auto, local[:PATH.gguf], openai[:MODEL], azure or script:FILE.")
    if kind == "script" and not arg:
        raise AgentError("Give the script file as --llm script:FILE.")
    if kind == "script" and not Path(arg).is_file():
        raise AgentError(f"The script file '{arg}' does not exist; give an existing file as --llm script:FILE.")
    if kind == "local" and arg and not Path(arg).is_file():
        raise AgentError(f"The model file '{arg}' does not exist; give a GGUF file as --llm local:PATH.gguf.")
    return spec


def make_models(spec: str, settings: Settings, *, gpt3only=False, gpt4only=False) -> ModelSet:
    spec = check_model_spec(spec, settings)
    kind, _, arg = spec.partition(":")
    if kind == "local":
        models = _local(arg or settings.local_model_path, settings)
    elif kind == "script":
        models = _scripted(arg, settings)
    elif kind == "openai":
        models = _openai(settings, model_override=arg or None)
    else:
        models = _azure(settings)
    if gpt3only:
        models = replace(models, smart=models.fast)
    if gpt4only:
        models = replace(models, fast=models.smart)
    return models


def _local(path: str | None, settings: Settings) -> ModelSet:
    path = path or str(default_model_path())
    if not Path(path).is_file():
        raise AgentError(f"The model file '{path}' does not exist; give a GGUF file as --llm local:PATH.gguf.")
    model = LocalChatModel(
        model_path=path, n_ctx=settings.local_context, n_threads=settings.local_threads,
        seed=settings.local_seed, temperature=settings.local_temperature,
        max_tokens=settings.local_max_tokens, json_mode=settings.local_json_mode,
    )
    name = MODEL_NAME if path.endswith(f"{MODEL_NAME}.gguf") else Path(path).stem
    register_encoding(name, model.tokens())  # budgets in its own tokens: see register_encoding
    handle = ModelHandle(model, name, settings.local_context, f"local model {path}", settings.local_max_tokens, free=True)
    return ModelSet(fast=handle, smart=handle, small=True)


def _scripted(path: str, settings: Settings) -> ModelSet:
    model = ScriptedChatModel(script=Script.load(path))
    handle = ModelHandle(model, "script", settings.smart_token_limit, f"script {path}", settings.max_reply_tokens, free=True)
    return ModelSet(fast=handle, smart=handle)


def _openai(settings: Settings, model_override: str | None) -> ModelSet:
    from langchain_openai import ChatOpenAI

    if not settings.has_openai():
        raise AgentError(
            "--llm openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server); "
            "without either, --llm local runs the embedded model."
        )
    base_url = settings.openai_base_url
    # Servers other than OpenAI's may need no key, but the client insists on one.
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    endpoint = base_url or "api.openai.com"

    def chat(model: str) -> ChatOpenAI:
        extra = {}
        if base_url:
            # langchain-openai sends max_completion_tokens, which llama.cpp's server ignores.
            extra["extra_body"] = {"max_tokens": settings.max_reply_tokens}
        return ChatOpenAI(
            model=model,
            api_key=key,
            base_url=base_url,
            temperature=settings.temperature,
            max_tokens=settings.max_reply_tokens,
            timeout=settings.request_timeout,
            max_retries=0,  # retried by graph/llm/retries.py, which says so while it waits
            seed=settings.seed,
            **extra,
        )

    fast_name = model_override or settings.fast_llm_model
    smart_name = model_override or settings.smart_llm_model
    return ModelSet(
        fast=ModelHandle(chat(fast_name), fast_name, settings.fast_token_limit, endpoint, settings.max_reply_tokens,
                         attempts=settings.max_retries + 1),
        smart=ModelHandle(chat(smart_name), smart_name, settings.smart_token_limit, endpoint, settings.max_reply_tokens,
                          attempts=settings.max_retries + 1),
    )


def _azure(settings: Settings) -> ModelSet:
    from langchain_openai import AzureChatOpenAI

    key = settings.azure_openai_api_key or settings.openai_api_key
    if not (key and settings.azure_openai_endpoint):
        raise AgentError("Azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY (or OPENAI_API_KEY) to be set.")

    def chat(deployment: str) -> AzureChatOpenAI:
        return AzureChatOpenAI(
            azure_deployment=deployment,
            azure_endpoint=settings.azure_openai_endpoint,
            api_key=key.get_secret_value(),
            api_version=settings.openai_api_version,
            temperature=settings.temperature,
            max_tokens=settings.max_reply_tokens,
            timeout=settings.request_timeout,
            max_retries=0,  # retried by graph/llm/retries.py, which says so while it waits
        )

    fast = settings.fast_llm_model_deployment_id or settings.fast_llm_model
    smart = settings.smart_llm_model_deployment_id or settings.smart_llm_model
    endpoint = settings.azure_openai_endpoint
    return ModelSet(
        fast=ModelHandle(chat(fast), settings.fast_llm_model, settings.fast_token_limit, endpoint, settings.max_reply_tokens,
                         attempts=settings.max_retries + 1),
        smart=ModelHandle(chat(smart), settings.smart_llm_model, settings.smart_token_limit, endpoint, settings.max_reply_tokens,
                          attempts=settings.max_retries + 1),
    )
