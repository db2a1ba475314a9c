"""clone_repository against a real git repository served over HTTP on 127.0.0.1 (git's "dumb" HTTP
protocol from a static file server), since file:// and local paths are refused to the agent."""

from __future__ import annotations

import functools
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from autogpt_graph.graph.settings import Settings
from tests.servers.fixture_site import FixtureSite
from autogpt_graph.tools.git_clone import build_clone_tool
from autogpt_graph.tools.url_guard import FetchFailed, UrlRefused


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(cwd or "/tmp"), "GIT_CONFIG_NOSYSTEM": "1",
                        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def repo_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("git")
    work = root / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", cwd=work)
    (work / "README.md").write_text("# Demo\nCloned over HTTP.\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    served = root / "served"
    served.mkdir()
    git("clone", "-q", "--bare", str(work), str(served / "demo.git"), cwd=root)
    git("update-server-info", cwd=served / "demo.git")  # what the dumb HTTP protocol reads
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/demo.git"
    server.shutdown()


def clone_tool(ws, **over):
    return build_clone_tool(ws, Settings(_env_file=None, **{"allow_loopback_urls": True, **over}))


def test_clone_into_the_workspace(ws, repo_url):
    out = clone_tool(ws).invoke({"url": repo_url, "clone_path": "repos/demo"})
    assert out == f"Cloned {repo_url} to repos/demo"
    assert (ws.root / "repos" / "demo" / "README.md").read_text() == "# Demo\nCloned over HTTP.\n"
    # Idempotent, as a step re-run on resume needs: the same clone again is the same result.
    assert clone_tool(ws).invoke({"url": repo_url, "clone_path": "repos/demo"}) == out


def test_clone_refusals(ws, repo_url, tmp_path):
    tool = clone_tool(ws)
    with pytest.raises(UrlRefused, match="only http and https"):
        tool.invoke({"url": f"file://{tmp_path}", "clone_path": "x"})
    with pytest.raises(UrlRefused, match="only http and https"):
        tool.invoke({"url": "git@github.com:org/repo.git", "clone_path": "x"})
    with pytest.raises(ValueError, match="'..' is not allowed"):
        tool.invoke({"url": repo_url, "clone_path": "../outside"})
    with pytest.raises(UrlRefused, match="loopback"):
        clone_tool(ws, allow_loopback_urls=False).invoke({"url": repo_url, "clone_path": "x"})
    (ws.root / "taken").mkdir()
    (ws.root / "taken" / "f").write_text("x")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        tool.invoke({"url": repo_url, "clone_path": "taken"})


def test_failed_clone_leaves_nothing_and_redirects_are_not_followed(ws):
    with FixtureSite() as site:
        with pytest.raises(FetchFailed, match="Cloning .* failed"):
            clone_tool(ws).invoke({"url": site.url("/redirect-local"), "clone_path": "r"})
        with pytest.raises(FetchFailed, match="Cloning .* failed"):
            clone_tool(ws).invoke({"url": site.url("/missing.git"), "clone_path": "r"})
    assert not (ws.root / "r").exists()
    assert site.requests and all(not p.startswith("/about") for p in site.requests)  # the redirect was not followed
