"""The budget is a hard cap whatever the server reports and whatever the model (issue 15): usage
figures are checked, an unpriced model cannot run under a budget, and a budget or limit that is not a
number of 0 or more is refused before anything is created."""

from __future__ import annotations

import itertools

import pytest

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.call import sane_count
from autogpt_graph.graph.llm.pricing import check_budget, price_of
from autogpt_graph.graph.runs.runner import AgentRunner
from tests.helpers import AI_CONFIG, reply, run_to_end
from tests.processes import assert_one_error, autogpt
from tests.servers.openai_compat import OpenAICompatServer


def _writes():
    numbers = itertools.count(1)
    return lambda body: reply("write_to_file", filename=f"f{next(numbers)}.txt", text="x")


def test_negative_token_counts_cannot_drive_the_cost_below_zero(tmp_path, use_server):
    lies = {"prompt_tokens": -100000, "completion_tokens": -100000, "total_tokens": -200000}
    with OpenAICompatServer(replies=_writes(), usage=lies, model="gpt-4") as srv:
        settings = use_server(srv.base_url, smart_llm_model="gpt-4", fast_llm_model="gpt-4")
        with AgentRunner(tmp_path / "ws", settings=settings) as runner:
            run_to_end(runner, runner.start(ai_config={**AI_CONFIG, "api_budget": 0.5}, llm="openai", continuous=True))
            status = runner.status(runner.thread_id)
    assert status.stop_reason.startswith("API budget reached")
    assert 0 < status.usage["cost"] <= 0.5
    assert len(srv.requests) <= 12  # was 51 calls (~$5.6) under a $0.10 budget


@pytest.mark.parametrize(("reported", "counted", "kept"), [
    (-5, 100, 100), (float("nan"), 100, 100), (float("inf"), 100, 100), ("12", 100, 100), (None, 100, 100),
    (True, 100, 100), (0, 100, 100), (10**9, 100, 100), (1, 100, 100), (90, 100, 90), (130, 100, 130),
])
def test_usage_figures_are_checked(reported, counted, kept):
    assert sane_count(reported, counted) == kept


@pytest.mark.parametrize("model", ["gpt-4o-2024-08-06", "gpt-4-turbo", "gpt-5", "o3-mini", "gpt-3.5-turbo-0125"])
def test_current_models_have_prices(model):
    prompt, completion = price_of(model)
    assert prompt > 0 and completion > 0  # all priced (0, 0) by the hand-kept table


def test_an_unpriced_model_cannot_run_under_a_budget(tmp_path, use_server):
    with OpenAICompatServer(replies=[reply("task_complete", reason="done")], model="my-private-model") as srv:
        settings = use_server(srv.base_url)
        with AgentRunner(tmp_path / "ws", settings=settings) as runner:
            with pytest.raises(AgentError, match="No price is known for model 'my-private-model'.*MODEL_PRICES"):
                runner.start(ai_config={**AI_CONFIG, "api_budget": 1.0}, llm="openai:my-private-model")
        assert srv.requests == []
        priced = use_server(srv.base_url, model_prices={"my-private-model": (0.001, 0.002)})
        with AgentRunner(tmp_path / "ws2", settings=priced) as runner:
            run_to_end(runner, runner.start(ai_config={**AI_CONFIG, "api_budget": 1.0}, llm="openai:my-private-model", continuous=True))
            assert runner.status(runner.thread_id).usage["cost"] > 0


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "x"])
def test_check_budget_refuses_what_is_not_a_cap(value):
    with pytest.raises(AgentError, match="budget must be a number"):
        check_budget(value)


@pytest.mark.parametrize(("args", "fragment"), [
    (["--budget", "nan"], "budget must be a number"),
    (["--budget", "-1"], "budget must be a number"),
    (["-c", "-l", "-5"], "greater than or equal to 0"),
    (["--llm", "bogus"], "Unknown model spec 'bogus'"),
    (["--llm", "script:missing.yaml"], "missing.yaml' does not exist"),
])
def test_bad_options_are_refused_before_anything_is_created(tmp_path, args, fragment):
    code, out = autogpt(tmp_path, "run", "write a haiku", "-w", "ws", *args)
    assert code != 0 and fragment in out, out
    if not args[0].startswith("-c"):  # click's own range error has its own format
        assert_one_error(code, out, fragment)
    assert not (tmp_path / "ws").exists()
