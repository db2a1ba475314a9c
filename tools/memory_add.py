"""memory_add: the model commits a piece of information to its long-term (vector) memory; it is
recalled into later prompts when relevant (AutoGPT's "Memory Add" command)."""

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.runtime import current_runtime


class MemoryAddArgs(BaseModel):
    string: str = Field(description="the information to remember")


def _memory_add(string: str) -> str:
    remember = current_runtime().remember
    if remember is None:
        raise RuntimeError("memory is not available in this step")
    if not string.strip():
        raise ValueError("there is nothing to remember: give the information as 'string'")
    remember(string.strip())
    return f"Committing memory with string \"{string.strip()}\""


def build_memory_add() -> BaseTool:
    return StructuredTool.from_function(
        _memory_add, name="memory_add", description="Memory Add", args_schema=MemoryAddArgs
    )
