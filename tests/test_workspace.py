"""Workspace.resolve: every way out of the workspace is refused; ordinary paths are not."""

import os
from pathlib import Path

import pytest

from autogpt_graph.tools.workspace import PathRefused, Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace with an outside folder next to it and a set of symlinks, good and bad."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    ws = Workspace(tmp_path / "ws")
    root = ws.root
    (root / "sub" / "dir").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / ws.RESERVED).mkdir()
    (root / ws.RESERVED / "checkpoints.sqlite").write_text("")
    # Bad links.
    (root / "etc").symlink_to("/etc")
    (root / "out").symlink_to(outside)
    (root / "dangling").symlink_to(outside / "new.txt")  # target doesn't exist yet
    (root / "chain2").symlink_to(outside / "secret.txt")
    (root / "chain1").symlink_to("chain2")
    (root / "sub" / "up").symlink_to("../../outside")  # relative link climbing out
    (root / "state").symlink_to(ws.RESERVED)  # inside the root, but into the reserved folder
    # Good links.
    (root / "alias.txt").symlink_to("a.txt")
    (root / "subalias").symlink_to("sub/dir")
    (root / "future.txt").symlink_to(root / "sub" / "later.txt")  # dangling, but inside
    return ws


ESCAPES = [
    "",
    "/etc/passwd",
    "/proc/self/environ",
    "../secret",
    "..",
    "a/../../b",
    "./../x",
    "sub/../../x",
    "a/../b",  # stays inside, but '..' is refused outright
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file:/etc/passwd",
    "http://example.com/x",
    "C:/Windows/win.ini",
    "x\x00y",
    "~/.bashrc",
    "~",
    "~root/.ssh/id_rsa",
    "..\\..\\x",
    "sub\\x.txt",
    "etc",  # symlink to /etc
    "etc/passwd",  # a file through that symlink
    "out/passwd",  # symlink to a folder outside, then a file through it
    "out/secret.txt",
    "dangling",  # dangling symlink pointing outside: a write would create the file out there
    "chain1",  # symlink -> symlink -> outside
    "sub/up/secret.txt",  # relative symlink climbing out
    ".autogpt",
    ".autogpt/checkpoints.sqlite",
    "./.autogpt/checkpoints.sqlite",
    "sub/dir/../../.autogpt",
    ".AUTOGPT/checkpoints.sqlite",
    "state/checkpoints.sqlite",  # symlink into the reserved folder
]


@pytest.mark.parametrize("path", ESCAPES)
def test_escape_is_refused(ws: Workspace, path: str):
    with pytest.raises(PathRefused) as info:
        ws.resolve(path)
    assert info.value.path == path
    assert str(info.value).startswith(f"Refused path {path!r}: ")


def test_absolute_path_inside_root_is_refused(ws: Workspace):
    with pytest.raises(PathRefused, match="absolute paths are not allowed"):
        ws.resolve(str(ws.root / "a.txt"))


def test_refusal_message_is_one_actionable_sentence(ws: Workspace):
    with pytest.raises(PathRefused) as info:
        ws.resolve("../x")
    assert str(info.value) == "Refused path '../x': '..' is not allowed; paths must stay inside the workspace."
    with pytest.raises(PathRefused, match="reserved for the agent's own state"):
        ws.resolve(".autogpt/checkpoints.sqlite")
    with pytest.raises(PathRefused, match="outside the workspace through a symlink"):
        ws.resolve("out/passwd")


def test_path_refused_is_a_value_error():
    assert issubclass(PathRefused, ValueError)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("a.txt", "a.txt"),
        ("./a.txt", "a.txt"),
        ("new.txt", "new.txt"),
        ("sub/dir/file.txt", "sub/dir/file.txt"),
        ("not/yet/made.txt", "not/yet/made.txt"),
        ("sub//dir/./x", "sub/dir/x"),
        ("...", "..."),
        ("..hidden", "..hidden"),
        ("sub/.autogpt/notes.txt", "sub/.autogpt/notes.txt"),  # only the top-level folder is reserved
        (".autogpt-notes.txt", ".autogpt-notes.txt"),
        ("alias.txt", "a.txt"),  # symlink to a file inside
        ("subalias/x.txt", "sub/dir/x.txt"),  # symlink to a folder inside
        ("future.txt", "sub/later.txt"),  # dangling symlink whose target is inside
        ("sub/dir/", "sub/dir"),
        (".", "."),
        ("./", "."),
    ],
)
def test_allowed_paths(ws: Workspace, path: str, expected: str):
    resolved = ws.resolve(path)
    assert resolved.is_absolute()
    assert resolved == ws.root / expected  # ws.root / "." is ws.root
    assert ws.relative(resolved) == expected


def test_root_is_created_absolute_and_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    ws = Workspace("link/deep/er")
    assert ws.root == real / "deep" / "er"
    assert ws.root.is_dir()
    # Existing root is fine too.
    assert Workspace(ws.root).root == ws.root


def test_symlink_loop_does_not_escape(ws: Workspace):
    (ws.root / "loop1").symlink_to("loop2")
    (ws.root / "loop2").symlink_to("loop1")
    try:
        resolved = ws.resolve("loop1")
    except PathRefused:
        return  # Python < 3.13 reports the loop
    assert resolved.is_relative_to(ws.root)  # newer Pythons leave it unresolved; using it fails with ELOOP


def test_relative(ws: Workspace):
    assert ws.relative(ws.root) == "."
    assert ws.relative(ws.root / "a" / "b.txt") == "a/b.txt"
    with pytest.raises(ValueError):
        ws.relative(Path(os.sep) / "etc")
