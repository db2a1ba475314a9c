"""What a run on a LangGraph server (`langgraph dev`, Studio) may choose, as plain values.

The server passes a run's `context` (or its `configurable`, which it mirrors) as a dict; LangGraph
coerces it into this dataclass, and Studio shows its fields as a form. Nodes turn it into a full
AgentContext (autogpt_graph.graph.context.context_of): the chosen values override the run options saved in state.
An assistant created with this context applies it to every run on it, resumes included.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class ServerContext:
    llm: str | None = None  # model spec: "openai", "azure", "local", "script:FILE", ...
    workspace: str | None = None  # folder the agent's file commands work in
    continuous: bool | None = None  # skip the human gate
    continuous_limit: int | None = None  # cycles, 0 = no limit

    def run_overrides(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}
