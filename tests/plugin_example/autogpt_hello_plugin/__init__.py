"""An example plugin: one command, say_hello(name), that writes a greeting file into the workspace."""

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field


class HelloArgs(BaseModel):
    name: str = Field(description="who to greet")


def build_tools(workspace, settings):
    """The entry point: called with the agent's workspace (its `resolve` guards paths) and settings."""

    def say_hello(name: str) -> str:
        path = workspace.resolve("hello_from_plugin.txt")
        path.write_text(f"Hello, {name}!\n")
        return f"Greeted {name} in hello_from_plugin.txt"

    return [StructuredTool.from_function(say_hello, name="say_hello", description="Say Hello", args_schema=HelloArgs)]
