"""analyze_code, improve_code, write_tests: AutoGPT's call_ai_function prompts, answered by the scripted model."""

from __future__ import annotations

from autogpt_graph.graph.context import make_context
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import model_runtime, reply, start_scripted, write_script
from autogpt_graph.graph.prompting.events import event_text

CODE = "def add(a, b):\n    return a - b\n"


def test_prompts_are_autogpts(tmp_path):
    path = write_script(tmp_path, {"code": ["['Use + instead of -']", "def add(a, b):\n    return a + b\n", "def test_add(): ..."]})
    ctx = make_context({"llm": f"script:{path}", "workspace": str(tmp_path / "ws")}, Settings(_env_file=None))
    with model_runtime(ctx) as model:
        assert ctx.tools.get("analyze_code").invoke({"code": CODE}) == "['Use + instead of -']"
        improved = ctx.tools.get("improve_code").invoke({"suggestions": ["Use + instead of -"], "code": CODE})
        tests = ctx.tools.get("write_tests").invoke({"code": improved, "focus": "edge cases"})
    assert improved.endswith("a + b\n") and tests == "def test_add(): ..."
    calls = [m for purpose, m in ctx.models.smart.chat.seen if purpose == "code"]
    assert calls[0][0].content == (
        "You are now the following python function: ```# Analyzes the given code and returns a list of suggestions "
        "for improvements.\ndef analyze_code(code: str) -> list[str]:```\n\nOnly respond with your `return` value."
    )
    assert calls[0][1].content == CODE
    assert "def generate_improved_code(suggestions: list[str], code: str) -> str:" in calls[1][0].content
    assert calls[1][1].content == '["Use + instead of -"], ' + CODE
    assert "def create_test_cases(code: str, focus: Optional[str] = None) -> str:" in calls[2][0].content
    assert calls[2][1].content.endswith(', ["edge cases"]')
    assert model.usage["calls"] == {"code": 3}


def test_code_calls_count_in_the_runs_usage(tmp_path):
    think = [reply("analyze_code", code=CODE), reply("task_complete", reason="analysed")]
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=Settings(_env_file=None)) as runner:
        steps, _ = start_scripted(runner, tmp_path, {"think": think, "code": ["['Use + instead of -']"]}, continuous=True)
        status = runner.status(runner.thread_id)
    assert status.usage["calls"] == {"think": 2, "code": 1}
    results = [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]
    assert results[0] == "Command analyze_code returned: ['Use + instead of -']"
