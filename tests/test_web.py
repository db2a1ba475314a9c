"""The web commands against a real web site on 127.0.0.1 (tests/servers/fixture_site.py), never the internet.
The fast model that answers questions over pages is the scripted model."""

from __future__ import annotations

import json
import time

import pytest

from autogpt_graph.graph.context import make_context
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.steering.small import SmallModelSteering
from tests.helpers import model_runtime, write_script
from tests.servers.fixture_site import FixtureSite
from autogpt_graph.tools.registry import build_registry
from autogpt_graph.tools.url_guard import FetchFailed, UrlRefused
from autogpt_graph.tools.web import build_web_tools, chunks
from autogpt_graph.tools.web_search import SearchFailed, build_search_tools


@pytest.fixture(scope="module")
def site():
    with FixtureSite(slow_seconds=3) as s:
        yield s


def settings(**over) -> Settings:
    return Settings(_env_file=None, **{"allow_loopback_urls": True, **over})


def web(ws, **over) -> dict:
    return {t.name: t for t in build_web_tools(ws, settings(**over))}


@pytest.fixture
def scripted(tmp_path, ws):
    """Makes a context whose fast model answers with `replies` (commands reach it through tests.helpers.model_runtime)."""

    def make(replies: list[str]):
        path = write_script(tmp_path, {"browse": replies}, "browse.yaml")
        ctx = make_context({"llm": f"script:{path}", "workspace": str(ws.root)},
                           settings(browse_chunk_tokens=300, browse_max_chunks=100))
        return ctx

    return make


def browse_calls(ctx) -> list:
    return [messages for purpose, messages in ctx.models.fast.chat.seen if purpose == "browse"]


# get_hyperlinks


def test_get_hyperlinks_lists_absolute_http_links(ws, site):
    out = web(ws)["get_hyperlinks"].invoke({"url": site.url("/")})
    assert out.splitlines() == [
        f"Home ({site.url('/')})",
        f"About us ({site.url('/about.html')})",
        f"the guide ({site.url('/docs/guide.html')})",
        "Example (https://example.org/elsewhere)",
    ]  # mailto left out; the #history link is the about page again


# browse_website and get_text_summary


def test_browse_website_answers_with_the_fast_model_and_five_links(ws, site, scripted):
    ctx = scripted(["The capital of Freedonia is Fredville."])
    with model_runtime(ctx) as calls:
        out = ctx.tools.get("browse_website").invoke({"url": site.url("/about.html"), "question": "What is the capital?"})
    assert out.startswith("Answer gathered from website: The capital of Freedonia is Fredville. \n \n Links: [")
    assert f"'the home page ({site.url('/')})'" in out
    (messages,) = browse_calls(ctx)
    prompt = messages[0].content
    assert "Its capital is Fredville" in prompt and "var tracking" not in prompt
    assert prompt.endswith('Using the above text, answer the following question: "What is the capital?" -- if the '
                           "question cannot be answered using the text, summarize the text.")
    assert calls.usage["calls"] == {"browse": 1} and calls.usage["prompt_tokens"] > 0


def test_long_page_is_answered_in_chunks_then_combined(ws, site, scripted):
    ctx = scripted(["part answer"] * 20 + ["final answer"])
    parts = None
    with model_runtime(ctx):
        from autogpt_graph.tools.url_guard import WebLimits, fetch
        from autogpt_graph.tools.web import page_text

        parts = chunks(page_text(fetch(site.url("/long.html"), WebLimits.from_settings(settings())).text), 300)
        ctx.models.fast.chat.script.replies["browse"] = ["part answer"] * len(parts) + ["final answer"]
        out = ctx.tools.get("get_text_summary").invoke({"url": site.url("/long.html"), "question": "How many ships?"})
    assert len(parts) > 3
    assert out == ' "Result" : final answer'
    calls = browse_calls(ctx)
    assert len(calls) == len(parts) + 1
    assert "Paragraph 0:" in calls[0][0].content and "Paragraph 119:" in calls[-2][0].content
    assert calls[-1][0].content.startswith('"""' + "\n".join(["part answer"] * len(parts)))


def test_only_the_first_chunks_of_a_huge_page_are_read(ws, site, tmp_path):
    path = write_script(tmp_path, {"browse": ["part"] * 3 + ["final"]}, "few.yaml")
    ctx = make_context({"llm": f"script:{path}", "workspace": str(ws.root)},
                       settings(browse_chunk_tokens=300, browse_max_chunks=3))
    with model_runtime(ctx) as calls:
        out = ctx.tools.get("get_text_summary").invoke({"url": site.url("/long.html"), "question": "How many ships?"})
    assert out.startswith(' "Result" : final (Only the first 3 of ') and out.endswith(" parts of the page were read.)")
    assert calls.usage["calls"] == {"browse": 4}


def test_browse_needs_a_run_for_its_model(ws, site):
    with pytest.raises(RuntimeError, match="only runs inside an agent run"):
        web(ws)["browse_website"].invoke({"url": site.url("/about.html"), "question": "q"})


# refusals and failures, each one sentence


def test_big_page_is_refused_by_size(ws, site):
    with pytest.raises(FetchFailed, match="more than the 5120 KB limit"):
        web(ws)["get_hyperlinks"].invoke({"url": site.url("/big.html")})


def test_slow_page_times_out_quickly(ws, site):
    start = time.monotonic()
    with pytest.raises(FetchFailed, match=r"did not answer within 1 seconds"):
        web(ws, web_timeout=1)["get_hyperlinks"].invoke({"url": site.url("/slow.html")})
    assert time.monotonic() - start < 2.5


def test_redirects_are_not_followed(ws, site):
    tool = web(ws)["get_hyperlinks"]
    with pytest.raises(UrlRefused, match=r"redirects to http://169.254.169.254/latest/meta-data/; redirects are not followed"):
        tool.invoke({"url": site.url("/redirect-private")})
    with pytest.raises(UrlRefused, match=f"redirects to {site.url('/about.html')}"):
        tool.invoke({"url": site.url("/redirect-local")})
    # And where the private redirect pointed is refused when asked for directly, without connecting.
    with pytest.raises(UrlRefused, match="link-local address"):
        tool.invoke({"url": "http://169.254.169.254/latest/meta-data/"})


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http and https URLs"),
    ("ftp://example.org/x", "only http and https URLs"),
    ("http://10.1.2.3/admin", "private or reserved network address"),
    ("http://[::1]:8080/", "loopback address"),
    ("http://localhost:9/", "loopback address"),
])
def test_refused_urls(ws, url, reason):
    with pytest.raises(UrlRefused, match=reason):
        web(ws, allow_loopback_urls=False)["get_hyperlinks"].invoke({"url": url})


def test_loopback_is_refused_by_default(ws, site):
    before = len(site.requests)
    with pytest.raises(UrlRefused, match="loopback address"):
        web(ws, allow_loopback_urls=False)["get_hyperlinks"].invoke({"url": site.url("/")})
    assert len(site.requests) == before  # refused before any request was sent


def test_offline_is_one_sentence_and_fast(ws):
    start = time.monotonic()
    with pytest.raises(FetchFailed, match="Could not resolve the host 'no-such-host.invalid': the machine may be offline"):
        web(ws)["get_hyperlinks"].invoke({"url": "http://no-such-host.invalid/"})
    assert time.monotonic() - start < 5


def test_not_a_web_page(ws, site):
    with pytest.raises(FetchFailed, match="not a web page but a file of type image/png; use download_file"):
        web(ws)["get_hyperlinks"].invoke({"url": site.url("/image.png")})


# download_file


def test_download_is_absent_unless_allowed(ws):
    assert "download_file" not in web(ws)
    assert "download_file" in web(ws, allow_downloads=True)


def test_download_saves_into_the_workspace(ws, site):
    tool = web(ws, allow_downloads=True)["download_file"]
    out = tool.invoke({"url": site.url("/file.txt"), "filename": "dl/file.txt"})
    assert out == 'Successfully downloaded and locally stored file: "dl/file.txt"! (Size: 16 B)'
    assert (ws.root / "dl" / "file.txt").read_text() == "downloaded text\n"
    with pytest.raises(ValueError, match="'..' is not allowed"):
        tool.invoke({"url": site.url("/file.txt"), "filename": "../escape.txt"})


@pytest.mark.parametrize("path", ["/file.bin", "/stream.bin"])  # with and without Content-Length
def test_download_is_size_capped(ws, site, path):
    tool = web(ws, allow_downloads=True, download_max_mb=1)["download_file"]
    with pytest.raises(FetchFailed, match="larger than the download limit of 1 MB; nothing was saved"):
        tool.invoke({"url": site.url(path), "filename": "big.bin"})
    assert sorted(p.name for p in ws.root.iterdir()) == []
    out = web(ws, allow_downloads=True, download_max_mb=3)["download_file"].invoke({"url": site.url(path), "filename": "big.bin"})
    assert "(Size: 2.0 MB)" in out and (ws.root / "big.bin").stat().st_size == 2 * 1024 * 1024


# google / web_search


def test_google_custom_search_when_configured(site):
    s = settings(google_api_key="good-key", custom_search_engine_id="cx1", google_search_url=site.url("/customsearch/v1"))
    (tool,) = build_search_tools(s)
    results = json.loads(tool.invoke({"query": "duck soup"}))
    assert results[0] == {"title": "Result 0 for duck soup", "href": "https://example.org/0", "body": "Snippet 0"}
    bad = settings(google_api_key="bad", custom_search_engine_id="cx1", google_search_url=site.url("/customsearch/v1"))
    with pytest.raises(SearchFailed, match="check GOOGLE_API_KEY and CUSTOM_SEARCH_ENGINE_ID. API key not valid"):
        build_search_tools(bad)[0].invoke({"query": "x"})


def test_duckduckgo_search_unreachable_is_one_sentence_and_fast():
    # ddgs through a proxy port nothing listens on: the same failure as being offline, on any machine.
    (tool,) = build_search_tools(settings(web_search_proxy="http://127.0.0.1:9"))
    start = time.monotonic()
    with pytest.raises(SearchFailed, match=r"^The web search failed: the machine may be offline or the search engines unreachable \(\w+\)\.$"):
        tool.invoke({"query": "langgraph"})
    assert time.monotonic() - start < 10


def test_web_search_is_an_alias_of_google_for_the_small_model(ws):
    registry = build_registry(ws, settings()).with_aliases(SmallModelSteering.aliases)
    assert "web_search" in registry and registry.get("web_search") is registry.get("google")
    assert "web_search" not in registry.names()
