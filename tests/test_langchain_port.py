"""benchmarks/langchain_port.py: LangChain's AutoGPT port runs our challenges in the same workspaces, with
our tools, and is graded and counted like `autogpt eval` (a fake chat model; no local model)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("langchain_experimental", reason="the `compare` extra is not installed (pip install -e '.[compare]')")

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402

from autogpt_graph.graph.errors import AgentError  # noqa: E402
from autogpt_graph.graph.eval.challenge import load_suite  # noqa: E402
from autogpt_graph.graph.cli.eval import DEFAULT_SUITE  # noqa: E402
from autogpt_graph.graph.llm.models import ModelHandle  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402
from tests.helpers import reply  # noqa: E402

SETTINGS = Settings(_env_file=None)
_spec = importlib.util.spec_from_file_location(
    "langchain_port", Path(__file__).resolve().parents[1] / "benchmarks" / "langchain_port.py"
)
langchain_port = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(langchain_port)


def fake(responses: list[str]):
    """A model factory: a fresh FakeListChatModel per run, replying `responses` in order (then again)."""
    return lambda challenge, site_url: ModelHandle(FakeListChatModel(responses=responses), "fake", 4096, "fake")


def run(name: str, responses: list[str], **options):
    (challenge,) = load_suite(DEFAULT_SUITE, [name])
    return langchain_port.run_port_challenge(
        challenge, models=fake(responses), embeddings=langchain_port.fake_embeddings(), settings=SETTINGS, **options
    )


def test_the_port_passes_two_challenges_and_is_counted_like_our_eval():
    greeting = run("write_greeting", [
        reply("write_to_file", filename="greeting.txt", text="Good morning, Ada!\n"),
        reply("finish", response="greeting.txt is written"),
    ])
    assert greeting.passed, greeting
    assert greeting.cycles == 2 and greeting.commands == ["write_to_file", "finish"]
    assert greeting.stop_reason == "Task complete: greeting.txt is written"

    motto = run("copy_motto", [
        reply("read_file", filename="motto.txt"),
        reply("write_to_file", filename="backup.txt", text="Measure twice, cut once.\n"),
        reply("finish", response="done"),
    ])
    assert motto.passed and motto.reason == "backup.txt is right", motto
    assert motto.cycles == 3 and motto.commands == ["read_file", "write_to_file", "finish"]
    for r in (greeting, motto):
        assert r.command_errors == 0 and r.invalid_replies == 0
        # The fake reports no usage: tiktoken counts, and the port's prompt is hundreds of tokens.
        assert r.prompt_tokens_per_cycle > 300 and r.completion_tokens > 0 and r.seconds > 0


def test_the_port_stops_at_the_cycle_limit_and_counts_bad_replies_and_failed_commands():
    result = run("copy_motto", [
        "I will copy the motto now.",  # not JSON
        reply("read_file", filename="motto_copy.txt"),  # no such file: the command returns an error
        reply("read_file", path="motto.txt"),  # the wrong argument: fails the command's schema
        reply("no_such_command"),
    ], cycles=5)
    assert not result.passed and result.reason == "no file backup.txt"
    assert result.stop_reason == "Continuous limit of 5 cycles reached."
    assert result.cycles == 5 and result.commands == ["read_file"]
    assert result.command_errors == 1 and result.invalid_replies == 4


def test_a_reply_after_the_cutoff_is_not_acted_on():
    (challenge,) = load_suite(DEFAULT_SUITE, ["write_greeting"])
    slow = FakeListChatModel(responses=[reply("write_to_file", filename="greeting.txt", text="Good morning, Ada!")], sleep=0.3)
    result = langchain_port.run_port_challenge(
        replace(challenge, cutoff=0.1), models=lambda c, url: ModelHandle(slow, "fake", 4096, "fake"),
        embeddings=langchain_port.fake_embeddings(), settings=SETTINGS,
    )
    assert result.stop_reason == "Cutoff: the challenge's time ran out."
    assert result.cycles == 1 and result.commands == [] and not result.passed


def test_without_the_port_installed_the_error_is_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_experimental.autonomous_agents", None)
    with pytest.raises(AgentError, match=r"^langchain-experimental is not installed: pip install -e '\.\[compare\]'$"):
        langchain_port.port()


def test_the_tools_stay_inside_the_workspace():
    result = run("write_greeting", [reply("write_to_file", filename="../../greeting.txt", text="Good morning, Ada!")],
                 cycles=1)
    assert not result.passed and result.command_errors == 1


def test_every_challenge_passes_with_its_scripted_solution_through_the_port():
    """The wiring for every kind of challenge: served pages (browse_website asks the model), Python tests."""
    port = langchain_port
    results = [
        port.run_port_challenge(c, models=port.scripted_models(SETTINGS), embeddings=port.fake_embeddings(),
                                settings=SETTINGS)
        for c in load_suite(DEFAULT_SUITE)
    ]
    assert [(r.challenge, r.reason, r.stop_reason) for r in results if not r.passed] == []
    assert all(r.commands[-1] == "finish" and r.command_errors == 0 and r.invalid_replies == 0 for r in results)


def test_main_prints_the_eval_table_and_closing_line(capsys):
    assert langchain_port.main(["--llm", "scripted", "--only", "write_greeting,copy_motto", "--cycles", "4"]) == 0
    out = capsys.readouterr().out
    assert "write_greeting" in out and "copy_motto" in out
    assert out.strip().splitlines()[-1] == "2 passed, 0 failed"
