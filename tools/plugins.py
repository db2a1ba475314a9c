"""Third-party commands (AutoGPT's plugins, done the Python way): installed packages declare an entry point
in the group `autogpt_graph.tools`, and their tools join the registry and the prompt.

    # the plugin's pyproject.toml
    [project.entry-points."autogpt_graph.tools"]
    hello = "autogpt_hello_plugin:build_tools"

The entry point is a LangChain tool, a list of tools, or a callable `(workspace, settings)` returning
either. A plugin that fails to load, or whose command name is taken, is skipped with a warning: a
broken plugin never stops the agent. DENYLISTED_PLUGINS (comma-separated entry point names) skips
installed plugins on purpose; see tests/plugin_example/ for a complete package.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from langchain_core.tools import BaseTool

GROUP = "autogpt_graph.tools"
log = logging.getLogger(__name__)


def load_plugin_tools(workspace, settings, taken: set[str]) -> list[BaseTool]:
    denied = {n.strip() for n in settings.denylisted_plugins.split(",") if n.strip()}
    found: list[BaseTool] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if ep.name in denied:
            continue
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, BaseTool):
                obj = obj(workspace, settings)
            tools = obj if isinstance(obj, (list, tuple)) else [obj]
            if not all(isinstance(t, BaseTool) for t in tools):
                raise TypeError("it must give LangChain tools")
        except Exception as exc:  # noqa: BLE001 - a broken plugin is skipped, never fatal
            log.warning("Plugin %r (%s) was skipped: %s", ep.name, ep.value, exc)
            continue
        for tool in tools:
            if tool.name in taken:
                log.warning("Plugin %r: command %r already exists; skipped.", ep.name, tool.name)
                continue
            taken.add(tool.name)
            found.append(tool)
    return found
