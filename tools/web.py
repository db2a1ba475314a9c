"""AutoGPT's browsing commands over plain HTTP: browse_website, get_text_summary, get_hyperlinks, and
download_file (only with --allow-downloads / ALLOW_DOWNLOADS). Every URL goes through tools/url_guard.py.

AutoGPT v0.3.0 drove Chrome through Selenium; here httpx fetches the page, trafilatura extracts the
main text (BeautifulSoup's text when it finds none), and the fast model answers the question over the
text in chunks, then over the chunks' answers, with AutoGPT's prompt (processing/text.py).
"""

from __future__ import annotations

import os
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from langchain_core.messages import HumanMessage
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.graph.tokens import count_tokens, truncate_to_tokens
from autogpt_graph.tools.runtime import current_runtime
from autogpt_graph.tools.url_guard import FetchFailed, WebLimits, fetch, open_url
from autogpt_graph.tools.workspace import Workspace

MAX_LINKS_LISTED = 100
BROWSE_LINKS = 5
_TEXT_TYPES = ("text/html", "text/plain", "application/xhtml", "application/xml", "text/xml", "application/json")


class BrowseArgs(BaseModel):
    url: str = Field(description="the http(s) URL of the page")
    question: str = Field(description="what you want to find on the website")


class UrlArgs(BaseModel):
    url: str = Field(description="the http(s) URL of the page")


class DownloadArgs(BaseModel):
    url: str = Field(description="the http(s) URL of the file")
    filename: str = Field(description="where to save it, relative to the workspace")


def _html_of(url: str, limits: WebLimits) -> tuple[str, str]:
    page = fetch(url, limits)
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and not kind.startswith(_TEXT_TYPES):
        raise FetchFailed(f"{url} is not a web page but a file of type {kind}; use download_file to save it.")
    return page.url, page.text


def page_text(html: str) -> str:
    """The main text of a page: trafilatura's article extraction, else all visible text."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if text and text.strip():
        return text.strip()
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.extract()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def page_links(html: str, base_url: str) -> list[str]:
    """AutoGPT's format: "link text (absolute URL)", http(s) only, in page order, without repeats."""
    soup = BeautifulSoup(html, "html.parser")
    seen, links = set(), []
    for a in soup.find_all("a", href=True):
        url = urljoin(base_url, a["href"]).split("#")[0]
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        links.append(f"{' '.join(a.get_text().split()) or url} ({url})")
    return links


def chunks(text: str, max_tokens: int) -> list[str]:
    """Paragraph-aligned chunks of at most `max_tokens` (a paragraph too long on its own is cut)."""
    out, current, used = [], [], 0
    for para in (p for p in text.split("\n") if p.strip()):
        tokens = count_tokens(para)
        if tokens > max_tokens:
            para, tokens = truncate_to_tokens(para, max_tokens), max_tokens
        if used + tokens > max_tokens and current:
            out.append("\n".join(current))
            current, used = [], 0
        current.append(para)
        used += tokens
    if current:
        out.append("\n".join(current))
    return out


def _question_message(chunk: str, question: str) -> HumanMessage:
    # AutoGPT v0.3.0, processing/text.py create_message.
    return HumanMessage(
        f'"""{chunk}""" Using the above text, answer the following question: "{question}" -- if the question '
        "cannot be answered using the text, summarize the text."
    )


def answer_over_text(text: str, question: str, chunk_tokens: int, max_chunks: int) -> str:
    """The fast model answers over each chunk, then over the chunks' answers (AutoGPT's summarize_text).
    At most `max_chunks` chunks are read: a huge page must not turn into hundreds of paid calls."""
    if not text.strip():
        return "The page has no text."
    parts = chunks(text, chunk_tokens)
    skipped = max(0, len(parts) - max_chunks)
    parts = parts[:max_chunks]
    run = current_runtime()
    answers = [run.ask_model([_question_message(part, question)], purpose="browse") for part in parts]
    if len(answers) == 1:
        answer = answers[0]
    else:
        combined = "\n".join(answers)
        if count_tokens(combined) > chunk_tokens:
            combined = truncate_to_tokens(combined, chunk_tokens)
        answer = run.ask_model([_question_message(combined, question)], purpose="browse")
    if skipped:
        answer += f" (Only the first {len(parts)} of {len(parts) + skipped} parts of the page were read.)"
    return answer


def build_web_tools(workspace: Workspace, settings) -> list[BaseTool]:
    limits = WebLimits.from_settings(settings)

    def browse_website(url: str, question: str) -> str:
        final_url, html = _html_of(url, limits)
        answer = answer_over_text(page_text(html), question, settings.browse_chunk_tokens, settings.browse_max_chunks)
        links = page_links(html, final_url)[:BROWSE_LINKS]
        return f"Answer gathered from website: {answer} \n \n Links: {links}"

    def get_text_summary(url: str, question: str) -> str:
        _, html = _html_of(url, limits)
        return f' "Result" : {answer_over_text(page_text(html), question, settings.browse_chunk_tokens, settings.browse_max_chunks)}'

    def get_hyperlinks(url: str) -> str:
        final_url, html = _html_of(url, limits)
        links = page_links(html, final_url)
        if not links:
            return "The page has no links."
        more = f"\n... and {len(links) - MAX_LINKS_LISTED} more links." if len(links) > MAX_LINKS_LISTED else ""
        return "\n".join(links[:MAX_LINKS_LISTED]) + more

    def download_file(url: str, filename: str) -> str:
        path = workspace.resolve(filename)
        if path.is_dir():
            raise IsADirectoryError(f"{filename!r} is a folder; give a file name to save the download as.")
        cap = settings.download_max_mb * 1024 * 1024
        tmp = path.with_name(f".{path.name}.autogpt-download")
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        try:
            with open_url(url, WebLimits.from_settings(settings, settings.download_max_mb)) as response:
                if int(response.headers.get("content-length") or 0) > cap:
                    raise FetchFailed(f"{url} is larger than the download limit of {settings.download_max_mb} MB; nothing was saved.")
                # Never through something planted at the temporary name (code run in the sandbox can make links).
                tmp.unlink(missing_ok=True)
                with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise FetchFailed(f"{url} is larger than the download limit of {settings.download_max_mb} MB; nothing was saved.")
                        f.write(chunk)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return f'Successfully downloaded and locally stored file: "{filename}"! (Size: {_readable(size)})'

    def tool(func, description: str, schema: type[BaseModel]) -> BaseTool:
        # read_only: reading a page changes nothing here, so the same read repeated within a run is
        # pushed back like a re-read file (autogpt_graph.graph.steering.nudges.unchanged_repeat); the 1.5B model browsed the
        # same page five times with the answer in hand until loop detection stopped it.
        return StructuredTool.from_function(func, name=func.__name__, description=description, args_schema=schema,
                                            metadata={"read_only": True})

    tools = [
        tool(browse_website, "Browse Website", BrowseArgs),
        tool(get_hyperlinks, "Get hyperlinks", UrlArgs),
        tool(get_text_summary, "Get text summary", BrowseArgs),
    ]
    if settings.allow_downloads:
        tools.append(tool(download_file, "Download File", DownloadArgs))
    return tools


def _readable(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}" if unit != "B" else f"{size} B"
        size /= 1024
    return f"{size:.1f} GB"
