"""The graph as LangGraph Studio / `langgraph dev` loads it (see langgraph.json): compiled without a
checkpointer (the server brings its own), with plain run choices as its context (ServerContext).

Start a thread with an input such as {"task": "..."} or {"ai_config": {...}} and a run context
such as {"llm": "openai", "workspace": "/tmp/ws"}; or put the run options in the input:
{"task": "...", "run": {"llm": "openai"}}. The human gate interrupts; resume with "y", "n" or feedback.
The choices a run starts with are saved in its state, so a resume sent without `context` goes on with
the same model and workspace.
"""

from autogpt_graph.graph.builder import build_graph
from autogpt_graph.graph.state import RunInput
from autogpt_graph.graph.studio.options import ServerContext

# Studio's input form: task, ai_config and run options, not the internal state.
graph = build_graph(context_schema=ServerContext, input_schema=RunInput).compile()
