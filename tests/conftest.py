"""Fixtures shared by the test modules: runners on a temporary workspace, with and without the
small-model steering, and the environment pointed at an OpenAI-compatible test server."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import autogpt_graph.graph.settings

from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.files import build_file_tools
from autogpt_graph.tools.workspace import Workspace
from tests.helpers import WRITE_AND_FINISH, write_script
from tests.processes import GOOD_SETTINGS


@pytest.fixture
def runner(tmp_path):
    """A runner with settings from defaults only (no .env), steering chosen as for the model ("auto")."""
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None)) as r:
        yield r


@pytest.fixture
def steered_runner(tmp_path):
    """A runner whose every model gets the small-model steering (STEERING=small)."""
    with AgentRunner(tmp_path / "ws", settings=Settings(_env_file=None, steering="small")) as r:
        yield r


@pytest.fixture
def ws(tmp_path) -> Workspace:
    """An empty workspace."""
    return Workspace(tmp_path / "ws")


@pytest.fixture
def file_tools(ws: Workspace) -> dict:
    """The file commands bound to `ws`, by name, driven as the graph drives them (tool.invoke(args))."""
    return {t.name: t for t in build_file_tools(ws)}


@pytest.fixture
def folder(tmp_path) -> Path:
    """A working folder with no .env and no ai_settings.yaml."""
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(GOOD_SETTINGS), "utf-8")
    write_script(tmp_path, WRITE_AND_FINISH, "S.yaml")
    return tmp_path


@pytest.fixture
def use_server(monkeypatch):
    """Point the environment at a base URL with a key; returns fresh Settings (no .env file)."""

    def use(base_url: str, key: str = "test-key", **overrides) -> Settings:
        for name in ("OPENAI_API_BASE", "USE_AZURE", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", key)
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        autogpt_graph.graph.settings.get_settings.cache_clear()
        return Settings(_env_file=None, **overrides)

    yield use
    autogpt_graph.graph.settings.get_settings.cache_clear()
