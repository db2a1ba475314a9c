"""send_tweet(tweet_text): AutoGPT v0.3.0's tweet command, present only when all four X (Twitter)
OAuth 1.0a credentials are set (TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
TW_ACCESS_TOKEN_SECRET). Posts with the X API v2 (POST /2/tweets), the request signed by oauthlib.
"""

from __future__ import annotations

import json

import httpx
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

_KEYS = ("tw_consumer_key", "tw_consumer_secret", "tw_access_token", "tw_access_token_secret")


class TweetArgs(BaseModel):
    tweet_text: str = Field(description="the text of the post")


class TweetFailed(RuntimeError):
    pass


def tweet_configured(settings) -> bool:
    return all(getattr(settings, k) for k in _KEYS)


def build_tweet_tools(settings) -> list[BaseTool]:
    if not tweet_configured(settings):
        return []

    def send_tweet(tweet_text: str) -> str:
        from oauthlib.oauth1 import Client

        consumer_key, consumer_secret, token, token_secret = (getattr(settings, k).get_secret_value() for k in _KEYS)
        url = f"{settings.twitter_api_url.rstrip('/')}/2/tweets"
        body = json.dumps({"text": tweet_text})
        # A JSON body is not part of an OAuth 1.0a signature: sign the method and URL only.
        signer = Client(consumer_key, client_secret=consumer_secret, resource_owner_key=token,
                        resource_owner_secret=token_secret)
        _, headers, _ = signer.sign(url, http_method="POST")
        headers["Content-Type"] = "application/json"
        try:
            response = httpx.post(url, headers=headers, content=body, timeout=settings.web_timeout)
        except httpx.HTTPError as exc:
            raise TweetFailed(f"Could not reach the X API ({type(exc).__name__}): the machine may be offline.") from None
        if response.status_code in (401, 403):
            raise TweetFailed(f"The X API refused the post (HTTP {response.status_code}): check the TW_* credentials and the app's write permission.")
        if response.status_code >= 400:
            raise TweetFailed(f"The X API answered HTTP {response.status_code}: {response.text[:200]}")
        return f"Tweet sent (id {response.json().get('data', {}).get('id', 'unknown')})."

    return [StructuredTool.from_function(send_tweet, name="send_tweet", description="Send Tweet", args_schema=TweetArgs)]
