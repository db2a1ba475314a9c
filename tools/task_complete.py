"""task_complete: the model's way to end the run (AutoGPT's "Task Complete (Shutdown)")."""

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field


class TaskCompleteArgs(BaseModel):
    reason: str = Field(description="why the task is complete")


def _task_complete(reason: str) -> str:
    # The graph ends the run when this command runs; the result is what the history records.
    return f"Shutting down: {reason}"


def build_task_complete() -> BaseTool:
    return StructuredTool.from_function(
        _task_complete, name="task_complete", description="Task Complete (Shutdown)", args_schema=TaskCompleteArgs
    )
