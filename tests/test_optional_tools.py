"""generate_image and send_tweet: absent from the prompt unless configured, and working against real HTTP
servers on 127.0.0.1 that speak the providers' APIs when they are."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.image_gen import ImageFailed
from autogpt_graph.tools.registry import build_registry
from autogpt_graph.tools.tweet import TweetFailed
from autogpt_graph.tools.workspace import Workspace

PNG = b"\x89PNG\r\n\x1a\n" + b"fake image data"


class _Api(BaseHTTPRequestHandler):
    seen: list

    def log_message(self, *args):
        pass

    def _json(self, code: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.path, dict(self.headers), body))
        image = base64.b64encode(PNG).decode()
        if self.path == "/v1/images/generations":
            self._json(200, {"created": 1, "data": [{"b64_json": image}]})
        elif self.path.startswith("/models/"):
            if self.headers.get("Authorization") != "Bearer hf-token":
                self._json(401, {"error": "bad token"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
        elif self.path == "/sdapi/v1/txt2img":
            self._json(200, {"images": [image]})
        elif self.path == "/2/tweets":
            auth = self.headers.get("Authorization", "")
            if 'oauth_consumer_key="ck"' not in auth or "oauth_signature=" not in auth:
                self._json(401, {"title": "Unauthorized"})
                return
            self._json(201, {"data": {"id": "1234567890", "text": json.loads(body)["text"]}})
        else:
            self._json(404, {})


@pytest.fixture(scope="module")
def api():
    handler = type("Api", (_Api,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.seen = handler.seen
    yield server
    server.shutdown()


def registry(tmp_path, **over):
    return build_registry(Workspace(tmp_path / "ws"), Settings(_env_file=None, **over))


def test_absent_unless_configured(tmp_path):
    names = registry(tmp_path).names()
    assert "generate_image" not in names and "send_tweet" not in names
    # Half-configured is not configured: DALL-E without any OpenAI endpoint, three of four tweet keys.
    names = registry(tmp_path, image_provider="dalle", tw_consumer_key="a", tw_consumer_secret="b", tw_access_token="c").names()
    assert "generate_image" not in names and "send_tweet" not in names


@pytest.mark.parametrize("provider", ["dalle", "huggingface", "sdwebui"])
def test_generate_image_with_each_provider(tmp_path, api, provider):
    over = {"dalle": {"openai_base_url": f"{api.url}/v1", "openai_api_key": "sk-local"},
            "huggingface": {"huggingface_api_token": "hf-token", "huggingface_api_url": f"{api.url}/models"},
            "sdwebui": {"sd_webui_url": api.url}}[provider]
    tools = registry(tmp_path, image_provider=provider, **over)
    out = tools.get("generate_image").invoke({"prompt": "a lighthouse at dusk"})
    assert out.startswith("Saved to disk:") and out.endswith(".png")
    assert (tmp_path / "ws" / out.removeprefix("Saved to disk:")).read_bytes() == PNG
    path, headers, body = api.seen[-1]
    assert "a lighthouse at dusk" in body.decode()


def test_image_service_down_is_one_sentence(tmp_path):
    tools = registry(tmp_path, image_provider="sdwebui", sd_webui_url="http://127.0.0.1:9")
    with pytest.raises(ImageFailed, match="could not be reached"):
        tools.get("generate_image").invoke({"prompt": "x"})


def test_send_tweet_signs_and_posts(tmp_path, api):
    keys = {"tw_consumer_key": "ck", "tw_consumer_secret": "cs", "tw_access_token": "at",
            "tw_access_token_secret": "ats", "twitter_api_url": api.url}
    tools = registry(tmp_path, **keys)
    assert tools.get("send_tweet").invoke({"tweet_text": "Hello from the agent"}) == "Tweet sent (id 1234567890)."
    path, headers, body = api.seen[-1]
    assert path == "/2/tweets" and json.loads(body) == {"text": "Hello from the agent"}
    assert headers["Authorization"].startswith("OAuth ") and 'oauth_token="at"' in headers["Authorization"]
    bad = registry(tmp_path, **{**keys, "tw_consumer_key": "wrong"})
    with pytest.raises(TweetFailed, match="refused the post .HTTP 401.: check the TW_"):
        bad.get("send_tweet").invoke({"tweet_text": "x"})
