"""A thread written by the release before history events had structure (events as rendered text only)
still resumes, and its old events reach the prompt, the steering and time travel as they were.

tests/fixtures/thread_v0_1 was made with that release (commit d10c365): a scripted run that wrote
hello.txt, read it, had an append rejected with feedback, and waits at the human gate."""

from __future__ import annotations

import shutil
from pathlib import Path

from autogpt_graph.graph.context import make_context
from autogpt_graph.graph.prompting.events import command_of, ok, result_of, structure
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import run_to_end

FIXTURE = Path(__file__).parent / "fixtures" / "thread_v0_1"
THREAD = "old-thread"


def test_a_thread_from_the_previous_release_resumes_to_the_end(tmp_path, monkeypatch):
    folder = tmp_path / "old"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.chdir(folder)  # the run's options name script.yaml relative to it
    settings = Settings(_env_file=None)
    with AgentRunner("ws", settings=settings, create=False) as runner:
        values = runner.graph.get_state(runner._config(THREAD)).values
        old = values["history"]
        assert all("text" in e for e in old)  # written before structure
        assert [command_of(e)["name"] for e in old if e["kind"] == "assistant"] == [
            "write_to_file", "read_file", "append_to_file"]
        assert result_of(old[1]) == "File written to successfully." and ok(old[1])
        assert structure(old[-1])["feedback"] == "Spell it 'world'"
        # The run's options name the workspace where it was made; this copy is elsewhere.
        ctx = make_context({**values["run"], "workspace": str(folder / "ws")}, settings)
        run_to_end(runner, runner.resume(THREAD, "y", context=ctx), answers=["y"])
        status = runner.status(THREAD)
        lines = runner.history(THREAD)
    assert status.stop_reason == "Task complete: hello.txt holds the greeting"
    assert (folder / "ws" / "hello.txt").read_text() == "hello world"
    last_prompt = [m.content for m in ctx.models.smart.chat.seen[-1][1]]
    assert "Command write_to_file returned: File written to successfully." in last_prompt
    assert "Human feedback: Spell it 'world'" in last_prompt
    assert "Command append_to_file returned: Text appended successfully." in last_prompt
    assert any(line.node == "execute_tool" and line.command.startswith("append_to_file") for line in lines)
