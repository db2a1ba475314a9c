"""Third-party commands through the `autogpt_graph.tools` entry point group, with the example package in
tests/plugin_example installed for real (pip, into a temporary folder put on sys.path)."""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autogpt_graph.graph.prompting.builder import command_list
from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.registry import build_registry
from autogpt_graph.tools.workspace import Workspace

EXAMPLE = Path(__file__).parent / "plugin_example"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    source = tmp_path_factory.mktemp("src") / "plugin"
    shutil.copytree(EXAMPLE, source)  # pip's build leaves files next to the sources
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, capture_output=True)
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    yield target
    sys.path.remove(str(target))
    sys.modules.pop("autogpt_hello_plugin", None)


def test_plugin_command_is_registered_listed_and_runs(installed, tmp_path, caplog):
    ws = Workspace(tmp_path / "ws")
    with caplog.at_level(logging.WARNING, logger="autogpt_graph.tools.plugins"):
        registry = build_registry(ws, Settings(_env_file=None))
    assert "say_hello" in registry
    lines = command_list(registry).splitlines()
    assert any(line.endswith('. say_hello: Say Hello, args: "name": "<name>"') for line in lines)
    assert lines[-1].endswith('Task Complete (Shutdown): "task_complete", args: "reason": "<reason>"')
    assert registry.get("say_hello").invoke({"name": "Ada"}) == "Greeted Ada in hello_from_plugin.txt"
    assert (ws.root / "hello_from_plugin.txt").read_text() == "Hello, Ada!\n"
    # The deliberately broken entry point is skipped with a warning, not fatal.
    assert "Plugin 'broken'" in caplog.text and "was skipped" in caplog.text


def test_denylisted_plugin_is_left_out(installed, tmp_path):
    registry = build_registry(Workspace(tmp_path / "ws"), Settings(_env_file=None, denylisted_plugins="hello,broken"))
    assert "say_hello" not in registry
