"""A snapshot of the graph's shape: its nodes and edges, as Studio and the README draw them. A change to
the routing shows here first, on purpose (update the snapshot and the README's picture together)."""

from __future__ import annotations

import pytest

from autogpt_graph.graph.builder import NODES, build_graph
from autogpt_graph.graph.context import AgentContext

END, START = "__end__", "__start__"
SHAPE = {
    START: {"decompose_goals", "build_prompt"},
    "decompose_goals": {"build_prompt", END},
    "build_prompt": {"think", END},
    "think": {"validate_json", END},
    "validate_json": {"human_gate", "think", END},
    "human_gate": {"execute_tool", "build_prompt", END},
    "execute_tool": {"summarise_memory", "think", END},
    "summarise_memory": {"build_prompt", END},
}


@pytest.mark.parametrize("context_schema", [AgentContext, dict])
def test_the_graphs_nodes_and_edges(context_schema):
    drawn = build_graph(context_schema).compile().get_graph()
    assert set(drawn.nodes) == {START, END, *NODES}
    edges: dict[str, set[str]] = {}
    for edge in drawn.edges:
        assert edge.conditional  # every route is a named function in the builder
        edges.setdefault(edge.source, set()).add(edge.target)
    assert edges == SHAPE


def test_every_node_is_a_plain_function():
    assert all(callable(fn) and fn.__name__ == name for name, fn in NODES.items())
