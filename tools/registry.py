"""The command registry: the tools the model may call, by name. The prompt's command list and the
argument validation are both generated from it, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterable

from langchain_core.tools import BaseTool

from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.agents import build_agent_tools
from autogpt_graph.tools.code_review import build_code_tools
from autogpt_graph.tools.execute import build_execute_tools
from autogpt_graph.tools.files import build_file_tools
from autogpt_graph.tools.git_clone import build_clone_tool
from autogpt_graph.tools.image_gen import build_image_tools
from autogpt_graph.tools.plugins import load_plugin_tools
from autogpt_graph.tools.task_complete import build_task_complete
from autogpt_graph.tools.tweet import build_tweet_tools
from autogpt_graph.tools.web import build_web_tools
from autogpt_graph.tools.web_search import build_search_tools
from autogpt_graph.tools.workspace import Workspace


class ToolRegistry:
    """The commands by name, and other names a model may use for them (`aliases`: accepted, but not
    listed in the prompt a second time; the steering of a run supplies them)."""

    def __init__(self, tools: Iterable[BaseTool], aliases: dict[str, str] | None = None):
        self._tools = {t.name: t for t in tools}
        self._aliases = {a: n for a, n in (aliases or {}).items() if n in self._tools and a not in self._tools}

    def get(self, name: str) -> BaseTool | None:
        return self._tools.get(name) or self._tools.get(self._aliases.get(name, ""))

    def names(self) -> list[str]:
        return list(self._tools)

    def __iter__(self):
        return iter(self._tools.values())

    def __contains__(self, name: str) -> bool:
        return name in self._tools or name in self._aliases

    def without(self, names: str) -> ToolRegistry:
        """A registry without the comma-separated `names`; task_complete always stays."""
        drop = {n.strip() for n in names.split(",") if n.strip()} - {"task_complete"}
        return ToolRegistry((t for t in self if t.name not in drop), self._aliases)

    def with_aliases(self, aliases: dict[str, str]) -> ToolRegistry:
        """The same commands, also reachable by `aliases` (other name -> command)."""
        return ToolRegistry(self, {**self._aliases, **aliases})


def build_registry(workspace: Workspace, settings: Settings) -> ToolRegistry:
    tools = [
        *build_file_tools(workspace),
        *build_search_tools(settings),
        *build_web_tools(workspace, settings),
        *build_code_tools(),
        *build_execute_tools(workspace, settings),
        build_clone_tool(workspace, settings),
        *build_agent_tools(),
        *build_image_tools(workspace, settings),  # only when configured
        *build_tweet_tools(settings),  # only when configured
    ]
    tools += load_plugin_tools(workspace, settings, {t.name for t in tools} | {"task_complete"})
    return ToolRegistry([*tools, build_task_complete()]).without(settings.disabled_commands)
