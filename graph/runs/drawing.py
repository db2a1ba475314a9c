"""The graph's picture, drawn offline: Mermaid text always, and a PNG through Graphviz.

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
