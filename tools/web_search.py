"""google(query) / web_search(query): DuckDuckGo and friends through ddgs, or Google Custom Search when
GOOGLE_API_KEY and CUSTOM_SEARCH_ENGINE_ID are set (AutoGPT v0.3.0's google / google_official_search).

`google` is the name AutoGPT's prompt used and the model knows; the registry accepts `web_search` as
an alias (models trained on newer agents use it), without listing the command twice in the prompt. Both return a JSON list of {title, href, body}. Offline: one sentence, within
the connect timeout.
"""

from __future__ import annotations

import json

import httpx
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

MAX_RESULTS = 8
GOOGLE_SEARCH_URL = "https://www.googleapis.com/customsearch/v1"


class SearchArgs(BaseModel):
    query: str = Field(description="what to search the web for")


class SearchFailed(RuntimeError):
    pass


def google_search(query: str, settings) -> list[dict]:
    params = {"key": settings.google_api_key.get_secret_value(), "cx": settings.custom_search_engine_id,
              "q": query, "num": MAX_RESULTS}
    timeout = httpx.Timeout(settings.web_timeout, connect=settings.web_connect_timeout)
    try:
        response = httpx.get(settings.google_search_url, params=params, timeout=timeout)
    except httpx.HTTPError as exc:
        raise SearchFailed(f"Google search could not be reached: the machine may be offline ({type(exc).__name__}).") from None
    if response.status_code in (400, 403):
        reason = response.json().get("error", {}).get("message", "") if response.headers.get("content-type", "").startswith("application/json") else ""
        raise SearchFailed(f"Google refused the search (HTTP {response.status_code}): check GOOGLE_API_KEY and CUSTOM_SEARCH_ENGINE_ID. {reason}".strip())
    if response.status_code >= 400:
        raise SearchFailed(f"Google search answered HTTP {response.status_code}.")
    items = response.json().get("items", [])
    return [{"title": i.get("title", ""), "href": i.get("link", ""), "body": i.get("snippet", "")} for i in items]


def ddgs_search(query: str, settings) -> list[dict]:
    from ddgs import DDGS
    from ddgs.exceptions import DDGSException

    try:
        # ddgs takes one timeout for a whole request. Offline fails fast anyway: the name lookup or the
        # connection is refused at once.
        results = DDGS(proxy=settings.web_search_proxy, timeout=max(1, int(settings.web_timeout))).text(
            query, max_results=MAX_RESULTS, backend=settings.web_search_backend
        )
    except DDGSException as exc:
        if "No results" in str(exc):
            return []
        cause = str(exc).split("(")[0].split(":")[0].strip() or type(exc).__name__  # e.g. "ConnectError"
        raise SearchFailed(f"The web search failed: the machine may be offline or the search engines unreachable ({cause}).") from None
    return [{"title": r.get("title", ""), "href": r.get("href", ""), "body": r.get("body", "")} for r in results]


def search(query: str, settings) -> str:
    if not query.strip():
        raise ValueError("The search query is empty.")
    use_google = bool(settings.google_api_key and settings.custom_search_engine_id)
    results = google_search(query, settings) if use_google else ddgs_search(query, settings)
    if not results:
        return f"No results for {query!r}."
    return json.dumps(results, ensure_ascii=False, indent=4)


def build_search_tools(settings) -> list[BaseTool]:
    """One command, `google` as AutoGPT's prompt named it; the registry also accepts it as `web_search`."""

    def google(query: str) -> str:
        return search(query, settings)

    return [StructuredTool.from_function(google, name="google", description="Google Search", args_schema=SearchArgs)]
