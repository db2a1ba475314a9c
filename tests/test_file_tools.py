"""The file commands, driven the way the graph drives them: through tool.invoke(args)."""

import os
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from autogpt_graph.tools.files import MAX_LISTED
from autogpt_graph.tools.workspace import PathRefused, Workspace


def test_names_descriptions_and_schemas(file_tools: dict):
    assert {name: t.description for name, t in file_tools.items()} == {
        "read_file": "Read file",
        "write_to_file": "Write to file",
        "append_to_file": "Append to file",
        "delete_file": "Delete file",
        "list_files": "List Files in Directory",
    }
    expected_args = {
        "read_file": {"filename"},
        "write_to_file": {"filename", "text"},
        "append_to_file": {"filename", "text"},
        "delete_file": {"filename"},
        "list_files": {"directory"},
    }
    for name, tool in file_tools.items():
        assert issubclass(tool.args_schema, BaseModel)
        fields = tool.args_schema.model_fields
        assert set(fields) == expected_args[name]
        assert all(f.description for f in fields.values())


def test_missing_argument_fails_validation(file_tools: dict):
    with pytest.raises(ValidationError):
        file_tools["write_to_file"].invoke({"filename": "a.txt"})


# write_to_file


def test_write_then_read(ws: Workspace, file_tools: dict):
    assert file_tools["write_to_file"].invoke({"filename": "a.txt", "text": "hi"}) == "File written to successfully."
    assert (ws.root / "a.txt").read_text() == "hi"
    assert file_tools["read_file"].invoke({"filename": "a.txt"}) == "hi"


def test_write_creates_parent_folders(ws: Workspace, file_tools: dict):
    file_tools["write_to_file"].invoke({"filename": "x/y/z.txt", "text": "deep"})
    assert (ws.root / "x/y/z.txt").read_text() == "deep"


def test_write_is_idempotent(ws: Workspace, file_tools: dict):
    write = file_tools["write_to_file"]
    write.invoke({"filename": "a.txt", "text": "same"})
    before = (ws.root / "a.txt").stat()
    assert write.invoke({"filename": "a.txt", "text": "same"}) == "File already has this content; nothing written."
    after = (ws.root / "a.txt").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)  # untouched
    assert write.invoke({"filename": "a.txt", "text": "different"}) == "File written to successfully."
    assert (ws.root / "a.txt").read_text() == "different"


def test_write_replaces_atomically_and_leaves_no_temp_files(ws: Workspace, file_tools: dict):
    path = ws.root / "a.txt"
    path.write_text("old")
    path.chmod(0o640)
    file_tools["write_to_file"].invoke({"filename": "a.txt", "text": "new\r\nline"})
    assert path.read_bytes() == b"new\r\nline"  # no newline translation
    assert path.stat().st_mode & 0o777 == 0o640  # mode kept
    assert sorted(p.name for p in ws.root.iterdir()) == ["a.txt"]


def test_write_unicode(ws: Workspace, file_tools: dict):
    file_tools["write_to_file"].invoke({"filename": "u.txt", "text": "héllo ✓"})
    assert (ws.root / "u.txt").read_text(encoding="utf-8") == "héllo ✓"


def test_write_to_a_folder_fails(ws: Workspace, file_tools: dict):
    (ws.root / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="'d' is a folder"):
        file_tools["write_to_file"].invoke({"filename": "d", "text": "x"})


def test_write_under_a_file_fails(ws: Workspace, file_tools: dict):
    (ws.root / "f.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        file_tools["write_to_file"].invoke({"filename": "f.txt/inner.txt", "text": "x"})


def test_write_through_symlink_inside_writes_the_target(ws: Workspace, file_tools: dict):
    (ws.root / "link.txt").symlink_to("real.txt")  # dangling, target inside
    file_tools["write_to_file"].invoke({"filename": "link.txt", "text": "via link"})
    assert (ws.root / "real.txt").read_text() == "via link"
    assert (ws.root / "link.txt").is_symlink()


# read_file


def test_read_missing_file(ws: Workspace, file_tools: dict):
    with pytest.raises(FileNotFoundError) as info:
        file_tools["read_file"].invoke({"filename": "x.txt"})
    assert str(info.value) == "File 'x.txt' does not exist; use list_files to see the files in the workspace."
    # Where files exist, the error names those of the folder the model aimed at (made-up names).
    (ws.root / "notes").mkdir()
    for name in ("monday.txt", "tuesday.txt", ".hidden"):
        (ws.root / "notes" / name).write_text("x")
    (ws.root / "top.txt").write_text("x")
    with pytest.raises(FileNotFoundError) as info:
        file_tools["read_file"].invoke({"filename": "notes/garden_shed_lock.txt"})
    assert str(info.value) == ("File 'notes/garden_shed_lock.txt' does not exist; the files in 'notes' are: "
                               "notes/monday.txt, notes/tuesday.txt.")
    with pytest.raises(FileNotFoundError, match="the files in the workspace are: top.txt.$"):
        file_tools["read_file"].invoke({"filename": "nowhere/x.txt"})


def test_read_folder(ws: Workspace, file_tools: dict):
    (ws.root / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="'d' is a folder, not a file"):
        file_tools["read_file"].invoke({"filename": "d"})


def test_read_invalid_utf8_is_replaced(ws: Workspace, file_tools: dict):
    (ws.root / "b.bin").write_bytes(b"ok \xff\xfe end")
    assert file_tools["read_file"].invoke({"filename": "b.bin"}) == "ok \ufffd\ufffd end"


def test_read_symlink_loop_fails(ws: Workspace, file_tools: dict):
    (ws.root / "loop1").symlink_to("loop2")
    (ws.root / "loop2").symlink_to("loop1")
    with pytest.raises((PathRefused, OSError)):
        file_tools["read_file"].invoke({"filename": "loop1"})


# append_to_file


def test_append(ws: Workspace, file_tools: dict):
    append = file_tools["append_to_file"]
    assert append.invoke({"filename": "log/a.txt", "text": "one\n"}) == "Text appended successfully."
    assert append.invoke({"filename": "log/a.txt", "text": "two\n"}) == "Text appended successfully."
    assert (ws.root / "log/a.txt").read_text() == "one\ntwo\n"


def test_append_to_folder_fails(ws: Workspace, file_tools: dict):
    (ws.root / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        file_tools["append_to_file"].invoke({"filename": "d", "text": "x"})


# delete_file


def test_delete(ws: Workspace, file_tools: dict):
    (ws.root / "a.txt").write_text("x")
    assert file_tools["delete_file"].invoke({"filename": "a.txt"}) == "File deleted successfully."
    assert not (ws.root / "a.txt").exists()


def test_delete_missing(file_tools: dict):
    with pytest.raises(FileNotFoundError, match="File 'gone.txt' does not exist"):
        file_tools["delete_file"].invoke({"filename": "gone.txt"})


def test_delete_folder_fails(ws: Workspace, file_tools: dict):
    (ws.root / "d").mkdir()
    with pytest.raises(IsADirectoryError, match="only deletes files"):
        file_tools["delete_file"].invoke({"filename": "d"})
    with pytest.raises(IsADirectoryError):
        file_tools["delete_file"].invoke({"filename": "."})
    assert (ws.root / "d").is_dir()


def test_delete_symlink_removes_the_link_not_the_target(ws: Workspace, file_tools: dict):
    (ws.root / "real.txt").write_text("keep")
    (ws.root / "link.txt").symlink_to("real.txt")
    file_tools["delete_file"].invoke({"filename": "link.txt"})
    assert not (ws.root / "link.txt").is_symlink()
    assert (ws.root / "real.txt").read_text() == "keep"


def test_delete_link_through_outside_folder_is_refused(tmp_path: Path, ws: Workspace, file_tools: dict):
    # out/back -> a file inside, but the link itself lives outside: deleting it must be refused.
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.root / "a.txt").write_text("x")
    (outside / "back").symlink_to(ws.root / "a.txt")
    (ws.root / "out").symlink_to(outside)
    with pytest.raises(PathRefused):
        file_tools["delete_file"].invoke({"filename": "out/back"})
    assert (outside / "back").is_symlink()


# list_files


def test_list_files_recursive_sorted(ws: Workspace, file_tools: dict):
    for name in ["b.txt", "a/z.txt", "a/b/c.txt", "A.txt"]:
        (ws.root / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.root / name).write_text("x")
    assert file_tools["list_files"].invoke({"directory": "."}) == "A.txt\na/b/c.txt\na/z.txt\nb.txt"
    # Paths stay relative to the workspace root, not to the folder listed.
    assert file_tools["list_files"].invoke({"directory": "a"}) == "a/b/c.txt\na/z.txt"


def test_list_files_hides_dot_files_and_reserved_folder(ws: Workspace, file_tools: dict):
    (ws.root / ".autogpt").mkdir()
    (ws.root / ".autogpt" / "checkpoints.sqlite").write_text("")
    (ws.root / ".git").mkdir()
    (ws.root / ".git" / "HEAD").write_text("")
    (ws.root / ".env").write_text("")
    (ws.root / "visible.txt").write_text("")
    assert file_tools["list_files"].invoke({"directory": "."}) == "visible.txt"
    with pytest.raises(PathRefused):
        file_tools["list_files"].invoke({"directory": ".autogpt"})


def test_list_files_leaves_out_links_leading_outside(tmp_path: Path, ws: Workspace, file_tools: dict):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (ws.root / "secret_link.txt").symlink_to(outside / "secret.txt")
    (ws.root / "outdir").symlink_to(outside)
    (ws.root / "ok.txt").write_text("")
    assert file_tools["list_files"].invoke({"directory": "."}) == "ok.txt"


def test_list_files_empty(ws: Workspace, file_tools: dict):
    assert file_tools["list_files"].invoke({"directory": "."}) == "The directory is empty."
    (ws.root / "d").mkdir()
    assert file_tools["list_files"].invoke({"directory": "d"}) == "The directory is empty."


def test_list_files_errors(ws: Workspace, file_tools: dict):
    with pytest.raises(FileNotFoundError, match="Folder 'nope' does not exist"):
        file_tools["list_files"].invoke({"directory": "nope"})
    (ws.root / "f.txt").write_text("")
    with pytest.raises(NotADirectoryError):
        file_tools["list_files"].invoke({"directory": "f.txt"})


def test_list_files_is_capped(ws: Workspace, file_tools: dict):
    for i in range(MAX_LISTED + 7):
        (ws.root / f"f{i:04d}.txt").write_text("")
    lines = file_tools["list_files"].invoke({"directory": "."}).split("\n")
    assert len(lines) == MAX_LISTED + 1
    assert lines[0] == "f0000.txt"
    assert lines[-1] == "... and 7 more files not shown."


# Refusals come through every tool.


@pytest.mark.parametrize(
    "name, args",
    [
        ("read_file", {"filename": "/etc/passwd"}),
        ("read_file", {"filename": ".autogpt/checkpoints.sqlite"}),
        ("write_to_file", {"filename": "../escape.txt", "text": "x"}),
        ("write_to_file", {"filename": "file:///tmp/x", "text": "x"}),
        ("append_to_file", {"filename": "~/.bashrc", "text": "x"}),
        ("delete_file", {"filename": "../x"}),
        ("list_files", {"directory": "/"}),
        ("list_files", {"directory": ".."}),
    ],
)
def test_refused_paths_raise_through_tools(file_tools: dict, name: str, args: dict):
    with pytest.raises(PathRefused):
        file_tools[name].invoke(args)


def test_write_through_dangling_link_outside_is_refused(tmp_path: Path, ws: Workspace, file_tools: dict):
    target = tmp_path / "outside" / "created.txt"
    target.parent.mkdir()
    (ws.root / "trap.txt").symlink_to(target)
    with pytest.raises(PathRefused):
        file_tools["write_to_file"].invoke({"filename": "trap.txt", "text": "x"})
    with pytest.raises(PathRefused):
        file_tools["append_to_file"].invoke({"filename": "trap.txt", "text": "x"})
    assert not target.exists()
    assert os.listdir(target.parent) == []
