"""The command registry: the tools the model may call, by name. The prompt's command list and the
argument validation are both generated from it, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterable

from langchain_core.tools import BaseTool

from tools.execute import build_execute_tools
from tools.files import build_file_tools
from tools.task_complete import build_task_complete
from tools.workspace import Workspace


class ToolRegistry:
    def __init__(self, tools: Iterable[BaseTool]):
        self._tools = {t.name: t for t in tools}

    def get(self, name: str) -> BaseTool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def __iter__(self):
        return iter(self._tools.values())

    def __contains__(self, name: str) -> bool:
        return name in self._tools


def build_registry(workspace: Workspace, settings=None) -> ToolRegistry:
    if settings is None:
        from graph.settings import get_settings

        settings = get_settings()
    return ToolRegistry([
        *build_file_tools(workspace),
        *build_execute_tools(workspace, settings),
        build_task_complete(),
    ])
