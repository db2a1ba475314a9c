"""The notebooks in notebooks/ run top to bottom on the scripted model (no network), and show what
they claim: the outputs and the files the agent wrote are checked here."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def execute(path: Path, workspace: Path, monkeypatch) -> nbformat.NotebookNode:
    # The kernel inherits the environment: the notebooks put their workspaces under NOTEBOOK_WORKSPACE.
    monkeypatch.setenv("NOTEBOOK_WORKSPACE", str(workspace))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def outputs(notebook) -> list:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def printed(notebook) -> str:
    return "".join(o.get("text", "") for o in outputs(notebook) if o.output_type == "stream")


def check_quickstart(text: str, ws: Path) -> None:
    assert "Task complete" in text
    assert (ws / "ws" / "haiku.txt").read_text().startswith("Crisp leaves drift and fall")


def check_human_in_the_loop(text: str, ws: Path) -> None:
    assert text.count("poem.txt exists? False") == 2  # neither the proposal nor the feedback wrote it
    assert "Feedback in the history: ['Human feedback: Give the poem a title line first']" in text
    assert "Next proposal: {'name': 'task_complete'" in text
    assert "Task complete: poem.txt holds a titled haiku" in text
    assert (ws / "hitl" / "poem.txt").read_text().startswith("Autumn\n\nCrisp leaves")
    assert (ws / "agent_graph.png").read_bytes().startswith(PNG_MAGIC)


def check_time_travel(text: str, ws: Path) -> None:
    assert re.search(r"\d+ checkpoints\n", text) and "next ('execute_tool',)      write_to_file" in text
    assert re.search(r"replaying from step \d+ which will run: write_to_file", text)
    assert "haiku.txt is back: True" in text
    assert "The fork read back: ['Command read_file returned: Cold rain on the roof'" in text
    assert "Original still reads: ['Command read_file returned: Crisp leaves drift and fall'" in text
    assert re.search(r"3 branches start at step \d+ \(original, replay, fork\)", text)
    # The fork ran last, so its edited command is what the workspace holds.
    assert (ws / "time_travel" / "haiku.txt").read_text().startswith("Cold rain on the roof")


def check_custom_graph(text: str, ws: Path) -> None:
    assert "turn 1: Command write_to_file returned: File written to successfully." in text
    assert "turn 2: Blocked by policy: delete_file" in text
    assert (ws / "custom" / "drafts" / "plan.txt").read_text() == "1. draft\n2. review\n"
    assert not (ws / "custom" / "plan.txt").exists()
    assert (ws / "custom_graph.png").read_bytes().startswith(PNG_MAGIC)


def check_memory(text: str, ws: Path) -> None:
    assert "ingested 2 chunks from 2 files" in text
    assert "Task complete: told the team: 3 April, hall B" in text
    assert "recalled first: - From launch.md (part 1 of 1)" in text
    assert "launch plan before tea: True" in text
    assert (ws / "memory_ws" / ".autogpt" / "memory.sqlite").is_file()  # FAISS rows persist in the workspace


CHECKS = {
    "quickstart": check_quickstart,
    "human_in_the_loop": check_human_in_the_loop,
    "time_travel": check_time_travel,
    "custom_graph": check_custom_graph,
    "memory": check_memory,
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    notebook = execute(path, tmp_path, monkeypatch)
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    text = printed(notebook)
    # Every notebook draws the graph offline: Mermaid text and a PNG image output.
    assert "graph TD;" in text
    images = [o["data"]["image/png"] for o in outputs(notebook) if "image/png" in o.get("data", {})]
    assert images and all(base64.b64decode(i).startswith(PNG_MAGIC) for i in images)
    # A cell ending with show_graph(...) shows the picture, never its bytes as text.
    assert not [o for o in outputs(notebook) if "\\x89PNG" in o.get("data", {}).get("text/plain", "")]
    CHECKS[path.stem](text, tmp_path)


def test_the_notebooks_extra_gives_a_working_jupyter(tmp_path, monkeypatch):
    """`pip install 'autogpt-graph[notebooks]'`: JupyterLab starts and nbconvert runs a notebook."""
    jupyter = Path(sys.executable).parent / "jupyter"
    version = subprocess.run([str(jupyter), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.strip()[:1].isdigit(), version.stderr
    monkeypatch.setenv("NOTEBOOK_WORKSPACE", str(tmp_path))
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(tmp_path),
         str(NOTEBOOKS[0].parent / "quickstart.ipynb")],
        capture_output=True, text=True, timeout=300, cwd=NOTEBOOKS[0].parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Task complete" in printed(nbformat.read(tmp_path / "quickstart.ipynb", as_version=4))


def test_every_notebook_is_checked():
    assert {p.stem for p in NOTEBOOKS} == set(CHECKS)
