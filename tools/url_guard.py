"""Fetching a URL the model gave, safely: http(s) only, no redirects, no private addresses, bounded.

- `file://`, `ftp://` and every scheme but http and https are refused.
- The address is checked when the connection is made, not only when the URL is parsed: the HTTP
  client's network backend resolves the host itself, refuses private, loopback, link-local,
  multicast and reserved addresses (loopback can be allowed for tests and local use), and connects
  to the very address it checked. So a DNS answer that changes between check and use (rebinding)
  can't reach an internal service.
- Redirects are not followed: the model is told where the page points and may ask for that URL,
  which is checked in turn.
- A short connect timeout, a read timeout and a size cap; offline or unreachable is one sentence.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) autogpt-graph/0.1 (+https://github.com/Significant-Gravitas/Auto-GPT)"


class UrlRefused(ValueError):
    """A URL the agent may not fetch, with the reason as one sentence."""


class FetchFailed(RuntimeError):
    """The fetch was allowed but did not work (offline, timeout, HTTP error, too big)."""


def check_url(url: str) -> httpx.URL:
    """The parsed URL if its form is acceptable (the address is checked at connect time)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise UrlRefused(f"{url!r} is not a valid URL ({exc}).") from None
    if parsed.scheme not in ("http", "https"):
        raise UrlRefused(f"Refused {url!r}: only http and https URLs may be fetched, not {parsed.scheme or 'a bare path'}.")
    if not parsed.host:
        raise UrlRefused(f"{url!r} has no host name.")
    return parsed


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "it is a loopback address (this machine)"
    if ip.is_link_local:
        return "it is a link-local address (such as a cloud metadata service)"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return "it is a private or reserved network address"
    return None


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the address check at connect time."""

    def __init__(self, allow_loopback: bool):
        self.allow_loopback = allow_loopback
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchFailed(f"Could not resolve the host {host!r}: the machine may be offline, or the name is wrong ({exc.strerror}).") from None
        last: Exception | None = None
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0])
            refusal = address_refusal(ip, self.allow_loopback)
            if refusal:
                raise UrlRefused(f"Refused to connect to {host} ({ip}): {refusal}.")
            try:
                return self._inner.connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise UrlRefused("Unix sockets may not be used.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@dataclass(frozen=True)
class WebLimits:
    connect_timeout: float
    timeout: float
    max_bytes: int
    allow_loopback: bool

    @classmethod
    def from_settings(cls, settings, max_mb: int | None = None) -> WebLimits:
        return cls(settings.web_connect_timeout, settings.web_timeout,
                   (max_mb or settings.web_max_page_mb) * 1024 * 1024, settings.allow_loopback_urls)


def guarded_client(limits: WebLimits) -> httpx.Client:
    transport = httpx.HTTPTransport(retries=0)
    transport._pool._network_backend = GuardedBackend(limits.allow_loopback)  # the address check, per connection
    return httpx.Client(
        transport=transport, follow_redirects=False, trust_env=False,  # a proxy would bypass the address check
        timeout=httpx.Timeout(limits.timeout, connect=limits.connect_timeout),
        headers={"User-Agent": USER_AGENT},
    )


@dataclass
class Fetched:
    url: str
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        charset = "utf-8"
        if "charset=" in self.content_type:
            charset = self.content_type.split("charset=")[-1].split(";")[0].strip() or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


@contextmanager
def open_url(url: str, limits: WebLimits) -> Iterator[httpx.Response]:
    """A streamed GET of a checked URL; every failure is UrlRefused or FetchFailed with one sentence."""
    parsed = check_url(url)
    with guarded_client(limits) as client:
        try:
            with client.stream("GET", parsed) as response:
                if response.is_redirect:
                    target = response.headers.get("location", "")
                    target = str(parsed.join(target)) if target else "an unknown place"
                    raise UrlRefused(
                        f"{url} redirects to {target}; redirects are not followed, so request that URL directly if it is the page you want."
                    )
                if response.status_code >= 400:
                    raise FetchFailed(f"{url} answered HTTP {response.status_code} {response.reason_phrase}.")
                yield response
        except httpx.ConnectTimeout:
            raise FetchFailed(f"Could not connect to {parsed.host} within {limits.connect_timeout:g} seconds: the machine may be offline or the site down.") from None
        except httpx.ConnectError as exc:
            raise FetchFailed(f"Could not connect to {parsed.host}: the machine may be offline or the site down ({exc}).") from None
        except httpx.TimeoutException:
            raise FetchFailed(f"{url} did not answer within {limits.timeout:g} seconds.") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(f"Fetching {url} failed: {type(exc).__name__}: {exc}.") from None


def fetch(url: str, limits: WebLimits) -> Fetched:
    """The whole body of a page, up to the size cap."""
    with open_url(url, limits) as response:
        declared = int(response.headers.get("content-length") or 0)
        if declared > limits.max_bytes:
            raise FetchFailed(f"{url} is {declared // 1024} KB, more than the {limits.max_bytes // 1024} KB limit for a page.")
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limits.max_bytes:
                    raise FetchFailed(f"{url} is larger than the {limits.max_bytes // 1024} KB limit for a page.")
        except httpx.TimeoutException:
            raise FetchFailed(f"{url} did not answer within {limits.timeout:g} seconds.") from None
        return Fetched(str(response.url), response.headers.get("content-type", ""), bytes(body))
