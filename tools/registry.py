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


# Other names the model may use for a command; accepted, but not listed in the prompt a second time.
# Beyond web_search, the names a small model invents for the file commands (seen with the 1.5B local
# model: "create_file" four times in a row, each refused as unknown, ended a run that had read its input).
ALIASES = {
    "web_search": "google",
    "create_file": "write_to_file", "write_file": "write_to_file", "save_file": "write_to_file",
    "save_to_file": "write_to_file", "append_file": "append_to_file",
    "read": "read_file", "open_file": "read_file", "read_from_file": "read_file",
    "list_directory": "list_files", "list_dir": "list_files", "ls": "list_files",
    "run_python_file": "execute_python_file", "run_python_code": "execute_python_code",
    "finish": "task_complete", "complete_task": "task_complete",
}


class ToolRegistry:
    def __init__(self, tools: Iterable[BaseTool], aliases: dict[str, str] | None = None):
        self._tools = {t.name: t for t in tools}
        self._aliases = {a: n for a, n in (ALIASES if aliases is None else aliases).items() if n in self._tools}

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
    tools += load_plugin_tools(workspace, settings, {t.name for t in tools} | {"task_complete", *ALIASES})
    return ToolRegistry([*tools, build_task_complete()]).without(settings.disabled_commands)
