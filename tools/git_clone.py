"""clone_repository(url, clone_path): `git clone` of an http(s) repository into the workspace.

The URL passes the same guard as the web commands (http/https only, so no file://, ssh or local
paths; private and loopback addresses refused unless allowed). git then connects only to the address
that was checked (http.curloptResolve pins it), follows no redirects, may use no other protocol (a
submodule or alternate can't pull in file://), reads no user or system git config (no credential
helpers), never prompts, and gets a minimal environment and a timeout.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.sandbox import SAFE_PATH
from autogpt_graph.tools.url_guard import FetchFailed, UrlRefused, address_refusal, check_url
from autogpt_graph.tools.workspace import Workspace


class CloneArgs(BaseModel):
    url: str = Field(description="the http(s) URL of the git repository")
    clone_path: str = Field(description="folder to clone into, relative to the workspace")


def _checked_address(host: str, port: int, allow_loopback: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchFailed(f"Could not resolve the host {host!r}: the machine may be offline, or the name is wrong ({exc.strerror}).") from None
    ip = ipaddress.ip_address(infos[0][4][0])
    refusal = address_refusal(ip, allow_loopback)
    if refusal:
        raise UrlRefused(f"Refused to clone from {host} ({ip}): {refusal}.")
    return str(ip)


def _already_cloned(target, url: str) -> bool:
    if not (target / ".git").is_dir():
        return False
    done = subprocess.run(["git", "-C", str(target), "config", "--get", "remote.origin.url"],
                          capture_output=True, text=True, env={"PATH": SAFE_PATH, "GIT_CONFIG_NOSYSTEM": "1"})
    return done.returncode == 0 and done.stdout.strip() == url


def build_clone_tool(workspace: Workspace, settings) -> BaseTool:
    def clone_repository(url: str, clone_path: str) -> str:
        parsed = check_url(url)
        target = workspace.resolve(clone_path)
        if _already_cloned(target, str(parsed)):  # the same step again after a crash, or a repeated command
            return f"Cloned {url} to {workspace.relative(target)}"
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise FileExistsError(f"{clone_path!r} already exists and is not an empty folder; choose another clone_path.")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        ip = _checked_address(parsed.host, port, settings.allow_loopback_urls)
        pinned = f"[{ip}]" if ":" in ip else ip
        with tempfile.TemporaryDirectory() as home:
            env = {"PATH": SAFE_PATH, "HOME": home, "LANG": "C.UTF-8", "GIT_TERMINAL_PROMPT": "0",
                   "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_ASKPASS": "/bin/false"}
            command = [
                shutil.which("git") or "git",
                "-c", f"http.curloptResolve={parsed.host}:{port}:{pinned}",
                "-c", "http.followRedirects=false",
                "-c", "protocol.allow=never", "-c", f"protocol.{parsed.scheme}.allow=always",
                "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=30",
                "clone", "--quiet", "--no-recurse-submodules", "--", str(parsed), str(target),
            ]
            try:
                done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=settings.clone_timeout)
            except FileNotFoundError:
                raise FetchFailed("git is not installed on this machine, so repositories can't be cloned.") from None
            except subprocess.TimeoutExpired:
                shutil.rmtree(target, ignore_errors=True)
                raise FetchFailed(f"Cloning {url} took longer than {settings.clone_timeout:g} seconds and was stopped.") from None
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            reason = " ".join(done.stderr.split())[:300] or f"git exited with {done.returncode}"
            raise FetchFailed(f"Cloning {url} failed: {reason}")
        return f"Cloned {url} to {workspace.relative(target)}"

    return StructuredTool.from_function(clone_repository, name="clone_repository",
                                        description="Clone Repository", args_schema=CloneArgs)
