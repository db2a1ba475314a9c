"""analyze_code, improve_code and write_tests: model calls with AutoGPT v0.3.0's prompts.

Each asks the smart model to act as a Python function (AutoGPT's call_ai_function) through the run's
runtime, which holds the prompt texts (graph/prompting/autogpt.yaml). The reply is the command's result.
"""

from __future__ import annotations

import json

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from autogpt_graph.tools.runtime import current_runtime


class AnalyzeArgs(BaseModel):
    code: str = Field(description="the full code to analyse")


class ImproveArgs(BaseModel):
    suggestions: list[str] | str = Field(description="the list of suggestions to apply")
    code: str = Field(description="the full code to improve")


class WriteTestsArgs(BaseModel):
    code: str = Field(description="the full code to write tests for")
    focus: list[str] | str | None = Field(None, description="the list of areas to focus the tests on")


def _as_list(value: list[str] | str | None) -> list[str] | None:
    if value is None or isinstance(value, list):
        return value
    return [value]


def build_code_tools() -> list[BaseTool]:
    def analyze_code(code: str) -> str:
        return current_runtime().ask_function("analyze_code", [code])

    def improve_code(suggestions: list[str] | str, code: str) -> str:
        return current_runtime().ask_function("improve_code", [json.dumps(_as_list(suggestions)), code])

    def write_tests(code: str, focus: list[str] | str | None = None) -> str:
        return current_runtime().ask_function("write_tests", [code, json.dumps(_as_list(focus))])

    return [
        StructuredTool.from_function(analyze_code, name="analyze_code", description="Analyze Code", args_schema=AnalyzeArgs),
        StructuredTool.from_function(improve_code, name="improve_code", description="Get Improved Code", args_schema=ImproveArgs),
        StructuredTool.from_function(write_tests, name="write_tests", description="Write Tests", args_schema=WriteTestsArgs),
    ]
