"""The graph's picture, drawn offline: Mermaid text always, a PNG through Graphviz, and an SVG for the
web UI (Graphviz when pygraphviz is there, else a plain column of boxes drawn here).

LangGraph's draw_mermaid_png() sends the diagram to a web service (mermaid.ink); draw_png() lays it
out locally with pygraphviz instead (the `notebooks` extra; its wheel bundles Graphviz). Without
pygraphviz the PNG is skipped with a message saying how to get it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path

NO_PNG = (
    "No PNG: pygraphviz is not installed. `pip install 'autogpt-graph[notebooks]'` draws it offline; "
    "meanwhile paste the Mermaid text above into any Mermaid viewer."
)


def mermaid(compiled) -> str:
    return compiled.get_graph().draw_mermaid()


@contextmanager
def _quiet_fontconfig() -> Iterator[None]:
    """The Fontconfig bundled in pygraphviz's wheel warns (on the C stderr) about newer elements in
    the system's font config; drop those lines and pass anything else through."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", "replace").splitlines()
            rest = [line for line in lines if not line.startswith("Fontconfig warning")]
            if rest:
                print("\n".join(rest), file=sys.stderr)


def png(compiled) -> bytes | None:
    """The picture as PNG bytes, or None when pygraphviz is missing."""
    try:
        with _quiet_fontconfig():
            return compiled.get_graph().draw_png()
    except ImportError:
        return None


def show_graph(compiled, save_to: str | Path | None = None) -> None:
    """In a notebook: print the Mermaid text and display the PNG (also saved to `save_to`). Returns
    nothing, so a cell ending with it shows the picture, not its bytes (`png()` gives them)."""
    print(mermaid(compiled))
    data = png(compiled)
    if data is None:
        print(NO_PNG)
        return None
    if save_to:
        Path(save_to).write_bytes(data)
    try:
        from IPython.display import Image, display
    except ImportError:  # not in a notebook: save_to is the picture
        return
    display(Image(data))


def svg(compiled) -> str:
    """The picture as SVG text. Each node is an element with id "node-NAME", so a page can mark the
    node that runs next with a class and no re-layout."""
    graph = compiled.get_graph()
    try:
        import pygraphviz
    except ImportError:
        return _column_svg([node.id for node in graph.nodes.values()])
    drawn = pygraphviz.AGraph(directed=True, rankdir="TB", bgcolor="transparent")
    drawn.node_attr.update(shape="box", style="rounded,filled", fillcolor="white", fontname="sans-serif", fontsize="11")
    drawn.edge_attr.update(fontname="sans-serif", fontsize="9", color="#888888")
    for node in graph.nodes.values():
        drawn.add_node(node.id, id=f"node-{node.id}", label=node.id.strip("_"))
    for edge in graph.edges:
        drawn.add_edge(edge.source, edge.target, style="dashed" if edge.conditional else "solid")
    with _quiet_fontconfig():
        data = drawn.draw(format="svg", prog="dot")
    text = data.decode("utf-8")
    return text[text.index("<svg"):]  # without the XML prolog and doctype, to be inlined in a page


def _column_svg(names: list[str]) -> str:
    """Without Graphviz: the nodes as a column of boxes in the order the builder added them."""
    width, height, gap = 160, 28, 14
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 20}" height="{len(names) * (height + gap) + gap}">']
    for i, name in enumerate(names):
        y = gap + i * (height + gap)
        parts.append(f'<g id="node-{escape(name)}" class="node"><title>{escape(name)}</title>'
                     f'<rect x="10" y="{y}" width="{width}" height="{height}" rx="6" fill="white" stroke="#888"/>'
                     f'<text x="{10 + width / 2}" y="{y + 18}" text-anchor="middle" font-size="11">{escape(name.strip("_"))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
