"""The graph as LangGraph Studio / `langgraph dev` loads it: compiled without a checkpointer (the
server brings its own). Start a thread with an input such as
{"task": "...", "run": {"llm": "openai"}} or {"ai_config": {...}, "run": {...}}."""

from graph.builder import compile_graph

graph = compile_graph()
