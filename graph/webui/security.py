"""The page's guard, in front of every request:

- Host: only the names the server was started for (127.0.0.1, localhost, [::1] on a loopback bind),
  so a web page whose domain is rebound to 127.0.0.1 (DNS rebinding) gets nothing;
- token: with --token (required for any non-loopback bind) every API request carries it in a header,
  which the page asks the user for once;
- CSRF: a state-changing request is a POST carrying the per-process CSRF token (the page gets it in
  a <meta> tag, which another origin cannot read) and, when the browser sends an Origin, our own;
- headers: a Content-Security-Policy that allows only the server's own scripts, styles and images,
  no framing, no referrer.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from autogpt_graph.graph.errors import AgentError

TOKEN_HEADER = "x-autogpt-token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")

HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise AgentError(f"Listening on {host} lets other machines reach your runs; add --token SECRET "
                         "(the page asks for it), or leave --host at 127.0.0.1.")


@dataclass
class Guard:
    host: str = "127.0.0.1"
    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # More Host names to accept (e.g. "testserver" for Starlette's TestClient, or the machine's name).
    extra_hosts: tuple[str, ...] = ()

    def _host_ok(self, host_header: str) -> bool:
        name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
        if name.startswith("[") and "]" in name:
            name = name[: name.index("]") + 1]
        allowed = {*self.extra_hosts, self.host, f"[{self.host}]"}
        if is_loopback(self.host):
            allowed.update(LOOPBACK_NAMES)
        elif self.host in ("0.0.0.0", "::"):
            return True  # any address of this machine; the token is what protects it
        return name.lower() in allowed

    def refusal(self, request: Request) -> Response | None:
        """The response that refuses `request`, or None when it may go on."""
        if not self._host_ok(request.headers.get("host", "")):
            return _refuse(400, "This server answers only to the address it was started on; open the URL it printed.")
        api = "/api/" in request.url.path
        if api and self.token and not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), self.token):
            return _refuse(401, "This server needs its access token; enter the one given to `autogpt ui --token`.")
        if request.method not in SAFE_METHODS:
            if request.method != "POST":
                return _refuse(405, "Only GET and POST are used here.")
            if not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), self.csrf):
                return _refuse(403, "Missing or stale CSRF token; reload the page and try again.")
            origin = request.headers.get("origin")
            if origin and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
                return _refuse(403, f"Requests from {origin} are not allowed; use the page this server serves.")
        return None


def _refuse(code: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=code, headers=HEADERS)
