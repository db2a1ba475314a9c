"""`autogpt --help` and `autogpt CMD --help` start fast because the CLI imports what a command needs only
when it runs (issue 20; the times are in benchmarks/startup.py, never asserted here): printing help must
not load LangChain, LangGraph, numpy or torch."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("langchain", "langgraph", "numpy", "torch", "faiss", "llama_cpp", "openai", "genai_prices")


def test_importing_the_cli_loads_nothing_heavy():
    code = ("import sys, autogpt_graph.graph.cli.app\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_every_help_prints_without_loading_the_graph():
    for command in ("", "run", "resume", "threads", "history", "replay", "fork", "eval", "ingest", "serve-local", "serve",
                    "ui"):
        argv = [sys.executable, "-c",
                "import sys; from autogpt_graph.graph.cli.app import app\n"
                f"sys.argv = ['autogpt', *{[command] if command else []!r}, '--help']\n"
                "try:\n    app()\nexcept SystemExit:\n    pass\n"
                f"print('HEAVY', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
        assert "Usage" in out and "HEAVY []" in out, (command, out[-300:])
