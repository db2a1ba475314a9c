"""The body of `autogpt ui`: check the bind, build the app, serve it with uvicorn until Ctrl-C. The CLI
imports this module only when `autogpt ui` runs, so its imports cost the other commands nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from autogpt_graph.graph.webui.app import create_app
from autogpt_graph.graph.webui.security import Guard, check_bind


def serve(*, workspace: Path, checkpointer: str | None, host: str, port: int, token: str | None) -> int:
    check_bind(host, token)
    app = create_app(workspace, checkpointer=checkpointer, guard=Guard(host=host, token=token))
    shown = f"[{host}]" if ":" in host else host
    print(f"Web UI for the runs in {Path(workspace).resolve()}: http://{shown}:{port}/", flush=True)
    if token:
        print("The page asks for the token given with --token.", flush=True)
    print("Press Ctrl-C to stop; runs started in the page pause after their current step.", file=sys.stderr, flush=True)
    # An open page keeps its event stream open: without a deadline, Ctrl-C would wait for every tab.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    return 0
