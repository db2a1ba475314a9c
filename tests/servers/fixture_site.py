"""A small real web site on 127.0.0.1 for the web commands' tests (standard library only).

    with FixtureSite() as site:
        site.url("/about.html")

Pages: / (an article with links), /about.html (facts to answer questions from), /long.html (many
paragraphs, for chunked answering), /big.html (6 MB), /slow.html (answers after `slow_seconds`),
/redirect-private (302 to a cloud metadata address), /redirect-local (301 to /about.html),
/file.txt, /file.bin (2 MB), /stream.bin (2 MB without Content-Length), /image.png, /missing (404),
/customsearch/v1 (Google Custom Search's JSON API; key "good-key").
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

INDEX = """<!doctype html><html><head><title>Fixture Site</title><script>var tracking = 1;</script></head>
<body><nav><a href="/">Home</a> <a href="/about.html">About us</a></nav>
<article><h1>Welcome to the fixture site</h1>
<p>This site exists so that the agent's web commands can be tested without the internet.
It has an about page, a long page and a few files to download.</p>
<p>Read <a href="docs/guide.html">the guide</a> or the <a href="/about.html#history">history</a>.
External: <a href="https://example.org/elsewhere">Example</a>. Mail: <a href="mailto:a@b.c">mail us</a>.</p>
</article></body></html>"""

ABOUT = """<!doctype html><html><head><title>About Freedonia</title></head><body>
<article><h1>About Freedonia</h1>
<p>Freedonia is a small fictional country. Its capital is Fredville, a city of 41,000 people on the river Fred.</p>
<p>The national dish of Freedonia is duck soup, served every Thursday.</p>
<p>See also <a href="/">the home page</a>.</p></article></body></html>"""


def _long_page() -> str:
    paras = "\n".join(
        f"<p>Paragraph {i}: the lighthouse keeper counted {i * 7} ships passing the northern cape, "
        f"and wrote each name in a blue ledger kept on shelf {i % 9}.</p>"
        for i in range(120)
    )
    return f"<!doctype html><html><head><title>Ledger</title></head><body><article><h1>The ledger</h1>{paras}</article></body></html>"


LONG = _long_page()
BIG = "<html><body>" + ("<p>" + "x" * 1000 + "</p>\n") * 6 * 1024 + "</body></html>"
BIN = bytes(range(256)) * (8 * 1024)  # 2 MB


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite

    def log_message(self, *args) -> None:  # quiet tests
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts, size caps): expected
            pass

    def _send(self, code: int, body: bytes, ctype: str, length: bool = True, headers: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if length:
            self.wfile.write(body)
        else:  # no length: the body ends when the connection closes
            self.close_connection = True
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i:i + 65536])

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        self.site.requests.append(url.path)
        html = "text/html; charset=utf-8"
        if url.path in ("/", "/index.html"):
            self._send(200, INDEX.encode(), html)
        elif url.path == "/about.html":
            self._send(200, ABOUT.encode(), html)
        elif url.path == "/long.html":
            self._send(200, LONG.encode(), html)
        elif url.path == "/big.html":
            self._send(200, BIG.encode(), html)
        elif url.path == "/slow.html":
            time.sleep(self.site.slow_seconds)
            self._send(200, ABOUT.encode(), html)
        elif url.path == "/redirect-private":
            self._send(302, b"", html, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif url.path == "/redirect-local":
            self._send(301, b"", html, headers={"Location": "/about.html"})
        elif url.path == "/file.txt":
            self._send(200, b"downloaded text\n", "text/plain")
        elif url.path == "/file.bin":
            self._send(200, BIN, "application/octet-stream")
        elif url.path == "/stream.bin":
            self._send(200, BIN, "application/octet-stream", length=False)
        elif url.path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        elif url.path == "/customsearch/v1":
            query = parse_qs(url.query)
            if query.get("key") != ["good-key"]:
                body = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key."}}
                self._send(400, json.dumps(body).encode(), "application/json")
                return
            q = query.get("q", [""])[0]
            items = [{"title": f"Result {i} for {q}", "link": f"https://example.org/{i}", "snippet": f"Snippet {i}"}
                     for i in range(3)]
            self._send(200, json.dumps({"items": items}).encode(), "application/json")
        else:
            self._send(404, b"<html><body>Not found</body></html>", html)


class FixtureSite:
    def __init__(self, slow_seconds: float = 3.0):
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FixtureSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
