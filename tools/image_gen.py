"""generate_image(prompt): AutoGPT v0.3.0's image command, present only when IMAGE_PROVIDER is set.

Providers as in AutoGPT: `dalle` (OpenAI's images API, or any OpenAI-compatible server at
OPENAI_BASE_URL), `huggingface` (the inference API, HUGGINGFACE_API_TOKEN), `sdwebui` (a Stable
Diffusion web UI at SD_WEBUI_URL). The image is saved into the workspace; the result names the file.
"""

from __future__ import annotations

import base64
import uuid

import httpx
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.workspace import Workspace

IMAGE_TIMEOUT = 300.0  # generation is slow
PNG_MAGIC = b"\x89PNG"


class ImageArgs(BaseModel):
    prompt: str = Field(description="what the image should show")


class ImageFailed(RuntimeError):
    pass


def _dalle(prompt: str, settings) -> bytes:
    import openai

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    client = openai.OpenAI(api_key=key, base_url=settings.openai_base_url, timeout=IMAGE_TIMEOUT, max_retries=2)
    try:
        result = client.images.generate(prompt=prompt, n=1, size=f"{settings.image_size}x{settings.image_size}",
                                        response_format="b64_json")
    except openai.APIError as exc:
        raise ImageFailed(f"The image service refused the request: {exc}") from None
    return base64.b64decode(result.data[0].b64_json)


def _huggingface(prompt: str, settings) -> bytes:
    url = f"{settings.huggingface_api_url.rstrip('/')}/{settings.huggingface_image_model}"
    headers = {"Authorization": f"Bearer {settings.huggingface_api_token.get_secret_value()}", "X-Use-Cache": "false"}
    response = httpx.post(url, headers=headers, json={"inputs": prompt}, timeout=IMAGE_TIMEOUT)
    if response.status_code >= 400:
        raise ImageFailed(f"Hugging Face answered HTTP {response.status_code}: {response.text[:200]}")
    return response.content


def _sdwebui(prompt: str, settings) -> bytes:
    auth = None
    if settings.sd_webui_auth:
        user, _, password = settings.sd_webui_auth.get_secret_value().partition(":")
        auth = (user, password)
    body = {"prompt": prompt, "sampler_index": "DDIM", "steps": 20, "cfg_scale": 7.0,
            "width": settings.image_size, "height": settings.image_size, "n_iter": 1}
    response = httpx.post(f"{settings.sd_webui_url.rstrip('/')}/sdapi/v1/txt2img", json=body, auth=auth, timeout=IMAGE_TIMEOUT)
    if response.status_code >= 400:
        raise ImageFailed(f"The Stable Diffusion web UI answered HTTP {response.status_code}: {response.text[:200]}")
    return base64.b64decode(response.json()["images"][0])


_PROVIDERS = {"dalle": _dalle, "huggingface": _huggingface, "sdwebui": _sdwebui}


def image_configured(settings) -> bool:
    provider = settings.image_provider
    if provider == "dalle":
        return settings.has_openai()
    if provider == "huggingface":
        return settings.huggingface_api_token is not None
    return provider == "sdwebui"


def build_image_tools(workspace: Workspace, settings) -> list[BaseTool]:
    if not image_configured(settings):
        return []

    def generate_image(prompt: str) -> str:
        try:
            data = _PROVIDERS[settings.image_provider](prompt, settings)
        except httpx.HTTPError as exc:
            raise ImageFailed(f"The image service could not be reached ({type(exc).__name__}); is it running?") from None
        extension = "png" if data.startswith(PNG_MAGIC) else "jpg"
        name = f"{uuid.uuid4()}.{extension}"
        workspace.resolve(name).write_bytes(data)
        return f"Saved to disk:{name}"

    return [StructuredTool.from_function(generate_image, name="generate_image", description="Generate Image",
                                         args_schema=ImageArgs)]
