"""Replies no model should give (issue 15): megabytes, a flood of brackets, null content. None may
hang the run, re-send megabytes, or end it as if it had finished: such a run fails with a non-zero
exit and one sentence, and `autogpt resume` asks the model again."""

from __future__ import annotations

import json
import time

import yaml

from autogpt_graph.graph.llm.call import MAX_REPLY_CHARS
from autogpt_graph.graph.runs.runner import AgentRunner
from tests.helpers import AI_CONFIG, WRITE_AND_FINISH, run_to_end
from tests.processes import AI_SETTINGS, assert_one_error, autogpt
from tests.servers.openai_compat import OpenAICompatServer

HUGE_THOUGHTS = json.dumps({"thoughts": {"text": "a" * 5_000_000}, "command": {"name": "list_files", "args": {"directory": "."}}})


def _run(tmp_path, settings, script_replies, **server):
    with OpenAICompatServer(replies=script_replies, **server) as srv:
        with AgentRunner(tmp_path / "ws", settings=settings(srv.base_url)) as runner:
            start = time.perf_counter()
            run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm="openai", continuous=True))
            return srv, runner.status(runner.thread_id), time.perf_counter() - start


def test_megabyte_replies_are_capped_and_never_resent(tmp_path, use_server):
    replies = ["x" * 20_000_000, "{" * 5_000_000, HUGE_THOUGHTS, *WRITE_AND_FINISH]  # 3 in a row: not yet the end
    srv, status, seconds = _run(tmp_path, use_server, replies)
    assert status.stop_reason.startswith("Task complete")
    assert seconds < 60  # 5 MB of "{" alone kept the repair busy for 10+ minutes
    assert max(len(json.dumps(body)) for body in srv.requests) < 2 * MAX_REPLY_CHARS  # no fix call with megabytes
    # Counted on the capped text (the server claimed 7.5 million tokens; ~$1,280 was recorded for 20 MB).
    assert status.usage["completion_tokens"] < 100_000, status.usage


def test_null_content_fails_the_run_and_resume_asks_again(tmp_path, use_server):
    usage = {"prompt_tokens": 10, "completion_tokens": 0, "total_tokens": 10}
    with OpenAICompatServer(replies=[None] * 4 + list(WRITE_AND_FINISH), usage=usage) as srv:
        settings = use_server(srv.base_url)
        with AgentRunner(tmp_path / "ws", settings=settings) as runner:
            run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm="openai", continuous=True))
            status = runner.status(runner.thread_id)
            assert status.stop_reason.startswith("The model gave 4 unusable replies in a row")
            run_to_end(runner, runner.resume(runner.thread_id))
            status = runner.status(runner.thread_id)
    assert status.stop_reason.startswith("Task complete")
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hello world"


def test_the_cli_exits_non_zero_on_unusable_replies_and_resume_goes_on(tmp_path):
    (tmp_path / "ai.yaml").write_text(yaml.safe_dump(AI_SETTINGS))
    script = {"think": ["no json here"] * 4 + list(WRITE_AND_FINISH), "fix_json": ["still none"] * 4}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(script))
    code, out = autogpt(tmp_path, "run", "-C", "ai.yaml", "-c", "--llm", "script:s.yaml", "--thread", "T", "-w", "ws")
    assert_one_error(code, out, "unusable replies in a row", "autogpt resume --thread T")
    code, out = autogpt(tmp_path, "resume", "--thread", "T", "-w", "ws")
    assert code == 0, out
    assert "Task complete" in out and (tmp_path / "ws" / "hello.txt").read_text() == "hello world"
