"""The local web UI for runs (`autogpt ui`): watch, answer the human gate, replay and fork, offline."""

from autogpt_graph.graph.webui.app import create_app
from autogpt_graph.graph.webui.security import Guard

__all__ = ["Guard", "create_app"]
