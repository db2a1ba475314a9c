"""The graph picture is drawn offline: Mermaid text, and a PNG by Graphviz or a clear message without it."""

from __future__ import annotations

import langchain_core.runnables.graph_png as graph_png

from autogpt_graph.graph.builder import compile_graph
from autogpt_graph.graph.runs.drawing import NO_PNG, mermaid, png, show_graph


def test_mermaid_and_png_are_drawn_locally():
    graph = compile_graph()
    text = mermaid(graph)
    assert "human_gate -. &nbsp;approved&nbsp; .-> execute_tool;" in text
    assert "validate_json -. &nbsp;retry&nbsp; .-> think;" in text
    data = png(graph)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_without_pygraphviz_the_png_is_skipped_with_a_message(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(graph_png, "_HAS_PYGRAPHVIZ", False)  # as on a machine without pygraphviz
    assert show_graph(compile_graph(), save_to=tmp_path / "g.png") is None
    out = capsys.readouterr().out
    assert "graph TD;" in out and NO_PNG in out
    assert not (tmp_path / "g.png").exists()
