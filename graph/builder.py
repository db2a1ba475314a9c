"""The graph: nodes and all routing in one place, so Studio's picture and the code say the same thing.

START -> decompose_goals -> build_prompt -> think -> validate_json -> human_gate -> execute_tool
      -> summarise_memory -> build_prompt ...
validate_json sends an unusable reply back to think; human_gate sends feedback to build_prompt;
execute_tool sends a result the steering set aside back to think, for another candidate;
any node that sets stop_reason ends the run (task_complete, budget, limit, exit, invalid replies).
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from autogpt_graph.graph.context import AgentContext
from autogpt_graph.graph.state import AgentState
from autogpt_graph.nodes.build_prompt import build_prompt
from autogpt_graph.nodes.decompose_goals import decompose_goals
from autogpt_graph.nodes.execute_tool import execute_tool
from autogpt_graph.nodes.human_gate import human_gate
from autogpt_graph.nodes.summarise_memory import summarise_memory
from autogpt_graph.nodes.think import think
from autogpt_graph.nodes.validate_json import validate_json

NODES = {
    "decompose_goals": decompose_goals,
    "build_prompt": build_prompt,
    "think": think,
    "validate_json": validate_json,
    "human_gate": human_gate,
    "execute_tool": execute_tool,
    "summarise_memory": summarise_memory,
}


def route_start(state: AgentState) -> str:
    return "build_prompt" if state.get("ai_config") else "decompose_goals"


def _stopped(state: AgentState) -> bool:
    return bool(state.get("stop_reason"))


def after_decompose(state: AgentState) -> str:
    return END if _stopped(state) else "build_prompt"


def after_build_prompt(state: AgentState) -> str:
    return END if _stopped(state) else "think"


def after_think(state: AgentState) -> str:
    return END if _stopped(state) else "validate_json"


def after_validate(state: AgentState) -> str:
    """A usable command goes to the human; otherwise think again with the problem appended."""
    if _stopped(state):
        return END
    return "human_gate" if state.get("command") else "think"


def after_gate(state: AgentState) -> str:
    """Approved: run it. Rejected with feedback: a new cycle that sees the feedback."""
    if _stopped(state):
        return END
    return "execute_tool" if state.get("command") else "build_prompt"


def after_execute(state: AgentState) -> str:
    """A result the steering set aside (execute_tool dropped the command): think again, same prompt."""
    if _stopped(state):
        return END
    return "think" if state.get("command") is None and state.get("set_aside") else "summarise_memory"


def after_summarise(state: AgentState) -> str:
    return END if _stopped(state) else "build_prompt"


def _labelled(router, **labels: str):
    """The router's choice as a label (label=node), for add_conditional_edges: the drawn graph (Studio,
    Mermaid, PNG) then names the edge ("retry", "approved"), while the router keeps returning node names."""
    to_label = {node: label for label, node in labels.items()}

    def route(state: AgentState) -> str:
        return to_label[router(state)]

    route.__name__ = router.__name__
    return route, labels


def build_graph(context_schema: type = AgentContext, input_schema: type | None = None) -> StateGraph:
    """The uncompiled graph; compile it with your own checkpointer, or reuse its nodes.
    `context_schema`: what callers pass as `context=` (autogpt_graph.graph.studio.app gives plain run
    options); `input_schema`: what a run starts with (default: the whole state; Studio's: RunInput)."""
    g = StateGraph(AgentState, context_schema=context_schema, input_schema=input_schema)
    for name, fn in NODES.items():
        g.add_node(name, fn)
    g.add_conditional_edges(START, route_start, ["decompose_goals", "build_prompt"])
    g.add_conditional_edges("decompose_goals", after_decompose, ["build_prompt", END])
    g.add_conditional_edges("build_prompt", after_build_prompt, ["think", END])
    g.add_conditional_edges("think", after_think, ["validate_json", END])
    g.add_conditional_edges("validate_json", *_labelled(after_validate, ok="human_gate", retry="think", **{END: END}))
    g.add_conditional_edges("human_gate", *_labelled(after_gate, approved="execute_tool", feedback="build_prompt", **{END: END}))
    g.add_conditional_edges("execute_tool", *_labelled(after_execute, done="summarise_memory", another_candidate="think", **{END: END}))
    g.add_conditional_edges("summarise_memory", after_summarise, ["build_prompt", END])
    return g


def compile_graph(checkpointer: BaseCheckpointSaver | None = None, **kwargs):
    return build_graph().compile(checkpointer=checkpointer, **kwargs)
