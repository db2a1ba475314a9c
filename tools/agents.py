"""Sub-agents: start_agent, message_agent, list_agents, delete_agent (AutoGPT v0.3.0's agent_manager).

A sub-agent is a plain chat with the fast model, as in AutoGPT. Each one is its own conversation
thread in the run's checkpointer (`<run thread>:agent:<key>`), and a directory thread
(`<run thread>:agents`) lists them, so sub-agents survive a crash and `autogpt resume`, and can be
inspected like any thread. Both are tiny LangGraph graphs compiled with the same checkpointer.

Exactly-once with resume: a step that is re-run after a crash (see tools/runtime.py) finds its own
step key in the thread and returns the reply it already got, instead of asking the model again;
messages carry ids derived from their position, so a half-finished start is overwritten, not doubled.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.config import get_config
from langgraph.constants import CONFIG_KEY_CHECKPOINTER  # where the running graph's checkpointer is in its config
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field

from autogpt_graph.graph.tokens import count_tokens
from autogpt_graph.tools.runtime import current_runtime



class SubAgentState(TypedDict, total=False):
    name: str
    task: str
    messages: Annotated[list[AnyMessage], add_messages]
    last_step: str | None  # the step that last messaged this agent, and what it got back
    last_reply: str


def _merge_agents(current: dict | None, update: dict | None) -> dict:
    """Add or replace agents by key; a None value removes that agent."""
    out = dict(current or {})
    for key, value in (update or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


class DirectoryState(TypedDict, total=False):
    agents: Annotated[dict[str, dict], _merge_agents]  # key -> {"name", "task"}
    next_key: int
    last_step: str | None  # the step that last started or deleted an agent, and its result
    last_result: str


def _passthrough(state: dict) -> dict:
    return {}


@functools.cache
def _builder(schema: type) -> StateGraph:
    g = StateGraph(schema)
    g.add_node("record", _passthrough)
    g.add_edge(START, "record")
    g.add_edge("record", END)
    return g


class StartArgs(BaseModel):
    name: str = Field(description="a name for the agent")
    task: str = Field(description="a short description of its task")
    prompt: str = Field(description="the first message to the agent")


class MessageArgs(BaseModel):
    key: str | int = Field(description="the agent's key, from start_agent or list_agents")
    message: str = Field(description="the message to send")


class KeyArgs(BaseModel):
    key: str | int = Field(description="the agent's key")


class NoArgs(BaseModel):
    pass


class _Threads:
    """The run's checkpointer and thread, as seen from inside the execute_tool node."""

    def __init__(self):
        configurable = get_config().get("configurable", {})
        self.saver = configurable.get(CONFIG_KEY_CHECKPOINTER)
        self.run = configurable.get("thread_id")
        if self.saver is None or not self.run:
            raise RuntimeError("Sub-agents need a run with a checkpointer (they are threads in it).")

    def _call(self, fn, *args):
        # In a fresh context: the running graph's config must not leak into these separate threads.
        return contextvars.Context().run(fn, *args)

    def _config(self, suffix: str) -> dict:
        return {"configurable": {"thread_id": f"{self.run}:{suffix}"}}

    def read(self, schema: type, suffix: str) -> dict:
        graph = _builder(schema).compile(checkpointer=self.saver)
        return self._call(graph.get_state, self._config(suffix)).values

    def write(self, schema: type, suffix: str, values: dict) -> None:
        graph = _builder(schema).compile(checkpointer=self.saver)
        self._call(graph.invoke, values, self._config(suffix))

    def delete(self, suffix: str) -> None:
        self._call(self.saver.delete_thread, f"{self.run}:{suffix}")


def _key(key: str | int) -> str:
    try:
        return str(int(str(key).strip()))
    except ValueError:
        raise ValueError("Invalid key, must be an integer.") from None


def _numbered(messages: list[BaseMessage], start: int) -> list[BaseMessage]:
    for i, m in enumerate(messages, start):
        m.id = f"m{i}"
    return messages


def _fit(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The first exchange (who the agent is) plus the newest messages that fit the fast model."""
    room = current_runtime().model_room("fast")
    head, rest = messages[:2], messages[2:]
    used = sum(count_tokens(str(m.content)) for m in head)
    kept: list[BaseMessage] = []
    for m in reversed(rest):
        used += count_tokens(str(m.content))
        if used > room:
            break
        kept.insert(0, m)
    return head + kept


def _reply(messages: list[BaseMessage]) -> str:
    return current_runtime().ask_model(_fit(messages), purpose="agent")


def build_agent_tools() -> list[BaseTool]:
    def start_agent(name: str, task: str, prompt: str) -> str:
        threads, step = _Threads(), current_runtime().step_key
        directory = threads.read(DirectoryState, "agents")
        if step and directory.get("last_step") == step:
            return directory["last_result"]
        key = str(directory.get("next_key", 1))
        first = HumanMessage(f'You are {name}.  Respond with: "Acknowledged".')  # AutoGPT's words
        ack = AIMessage(_reply([first]))
        ask = HumanMessage(prompt)
        answer = _reply([first, ack, ask])
        messages = _numbered([first, ack, ask, AIMessage(answer)], 0)
        threads.write(SubAgentState, f"agent:{key}", {"name": name, "task": task, "messages": messages,
                                                      "last_step": step, "last_reply": answer})
        result = f"Agent {name} created with key {key}. First response: {answer}"
        threads.write(DirectoryState, "agents", {"agents": {key: {"name": name, "task": task}},
                                                 "next_key": int(key) + 1, "last_step": step, "last_result": result})
        return result

    def message_agent(key: str | int, message: str) -> str:
        key = _key(key)
        threads, step = _Threads(), current_runtime().step_key
        if key not in threads.read(DirectoryState, "agents").get("agents", {}):
            raise LookupError(f"There is no agent with key {key}; list_agents shows the agents.")
        agent = threads.read(SubAgentState, f"agent:{key}")
        if step and agent.get("last_step") == step:
            return agent["last_reply"]
        history = list(agent.get("messages", []))
        ask = HumanMessage(message)
        answer = _reply([*history, ask])
        threads.write(SubAgentState, f"agent:{key}", {"messages": _numbered([ask, AIMessage(answer)], len(history)),
                                                      "last_step": step, "last_reply": answer})
        return answer

    def list_agents() -> str:
        agents = _Threads().read(DirectoryState, "agents").get("agents", {})
        if not agents:
            return "There are no agents; start one with start_agent."
        return "List of agents:\n" + "\n".join(f"{k}: {a['task']}" for k, a in sorted(agents.items(), key=lambda kv: int(kv[0])))

    def delete_agent(key: str | int) -> str:
        key = _key(key)
        threads, step = _Threads(), current_runtime().step_key
        directory = threads.read(DirectoryState, "agents")
        if step and directory.get("last_step") == step:
            return directory["last_result"]
        if key not in directory.get("agents", {}):
            return f"Agent {key} does not exist."
        threads.delete(f"agent:{key}")
        result = f"Agent {key} deleted."
        threads.write(DirectoryState, "agents", {"agents": {key: None}, "last_step": step, "last_result": result})
        return result

    def tool(func, description: str, schema: type[BaseModel]) -> BaseTool:
        return StructuredTool.from_function(func, name=func.__name__, description=description, args_schema=schema)

    return [
        tool(start_agent, "Start GPT Agent", StartArgs),
        tool(message_agent, "Message GPT Agent", MessageArgs),
        tool(list_agents, "List GPT Agents", NoArgs),
        tool(delete_agent, "Delete GPT Agent", KeyArgs),
    ]


def agent_threads(saver: Any, run_thread: str) -> dict:
    """The sub-agents of a run as stored in `saver` (for notebooks and tests): key -> its thread's values."""
    def read(schema, suffix):
        graph = _builder(schema).compile(checkpointer=saver)
        return graph.get_state({"configurable": {"thread_id": f"{run_thread}:{suffix}"}}).values

    keys = read(DirectoryState, "agents").get("agents", {})
    return {k: read(SubAgentState, f"agent:{k}") for k in keys}
