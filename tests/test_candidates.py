"""The cheap check that sets a code run aside for another candidate (graph/steering/candidates.py)."""

from __future__ import annotations

import pytest

from autogpt_graph.graph.prompting.events import set_aside_text
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.steering.base import CommandOutput, Facts, Steering
from autogpt_graph.graph.steering.candidates import MAX_CANDIDATES, doubt, found_nothing, set_aside, written_files
from autogpt_graph.graph.steering.guarded import GuardedSteering
from autogpt_graph.graph.steering.small import SmallModelSteering
from autogpt_graph.tools.registry import build_registry
from autogpt_graph.tools.workspace import Workspace


@pytest.fixture
def facts(tmp_path) -> Facts:
    ws = Workspace(tmp_path / "ws")
    return Facts(ws, build_registry(ws, Settings(_env_file=None)))


def put(facts: Facts, name: str, text: str) -> None:
    facts.workspace.resolve(name).write_text(text)


def code(text: str) -> dict:
    return {"name": "execute_python_code", "args": {"code": text}}


def ran(stdout: str = "", exit_code: int = 0, shown: str | None = None) -> CommandOutput:
    """A code run's output; `shown`: its text as the model would read it."""
    text = shown if shown is not None else f"Exit code: {exit_code}.\nSTDOUT:\n{stdout}"
    return CommandOutput(text, exit_code == 0, {"exit_code": exit_code, "stdout": stdout, "stderr": ""})


def test_a_failed_run_and_a_test_that_matched_nothing_are_doubted(facts):
    assert doubt(code("print(x)"), ran(exit_code=1), facts) == "it failed"
    # count_open_checklist's `line.strip()[0] == '[ ]'` printed 0 (RESULTS.md #21)
    assert doubt(code("print(sum(1 for l in open('a.md') if l.strip()[0] == '[ ]'))"), ran("0\n"), facts) == "it printed '0'"
    assert doubt(code("print([])"), ran("[]\n"), facts) == "it printed '[]'"
    assert doubt(code("x = 1"), ran(""), facts) == "it printed nothing"


def test_a_sentence_reporting_a_count_of_zero_is_doubted(facts):
    # count_open_checklist in #23's baseline: `line.strip() == '[ ]'` counted nothing, printed in a sentence
    assert doubt(code("print(f'Open items count: {n}')"), ran("Open items count: 0\n"), facts) == \
        "it printed 'Open items count: 0'"
    assert found_nothing("total: 0.00 EUR") and found_nothing("0 of 0")
    assert not found_nothing("Open items count: 6") and not found_nothing("0 errors\n3 warnings")
    assert not found_nothing("Mercury") and not found_nothing("x" * 90 + " 0")


def test_code_that_wrote_nothing_found_to_a_file_is_doubted(facts):
    # distractor_review_note in #23's baseline: its count of 0 went to the answer file, nothing printed
    wrote_zero = """with open('reviews.txt') as f:
    lines = f.read().splitlines()
count = len([l for l in lines if l.endswith('5 stars')])
with open('five_stars.txt', 'w') as f:
    f.write(str(count))
"""
    put(facts, "five_stars.txt", "0")
    assert doubt(code(wrote_zero), ran(""), facts) == "it wrote '0' to five_stars.txt"
    put(facts, "five_stars.txt", "3")
    assert doubt(code(wrote_zero), ran(""), facts) is None


def test_the_files_code_writes_are_found_by_their_calls():
    bound = "open_items_path = 'open_items.txt'\nwith open(open_items_path, 'w') as f:\n    f.write('0')\n"
    assert list(written_files(bound)) == ["open_items.txt"]
    assert list(written_files("open('a.txt', mode='a').write('x')")) == ["a.txt"]
    assert list(written_files("df.to_csv('out.csv')\nPath('n.txt').write_text('x')")) == ["out.csv", "n.txt"]
    assert list(written_files("open('in.txt').read()\nopen('in2.txt', 'r')")) == []
    assert list(written_files("with open(x) as f: lines = f.readlines() count = 0")) == []  # does not parse


def test_an_answer_a_file_write_or_another_command_is_not_doubted(facts):
    assert doubt(code("print(3)"), ran("3\n"), facts) is None
    assert doubt(code("open('out.txt', 'w').write('a')"), ran(""), facts) is None  # it wrote a file, printing nothing
    assert doubt({"name": "execute_python_file", "args": {"filename": "a.py"}}, ran(exit_code=1), facts) is None
    assert doubt({"name": "read_file", "args": {"filename": "a.txt"}}, CommandOutput("Error: no", False), facts) is None


def test_a_doubted_run_is_set_aside_until_the_cycles_last_candidate(facts):
    tried = []
    for n in range(1, MAX_CANDIDATES):
        aside = set_aside(code(f"print(y{n})"), ran(exit_code=1, shown="Traceback ...\nNameError"), tried, facts)
        assert aside == {"command": code(f"print(y{n})"), "result": "Traceback ...\nNameError", "ok": False,
                         "why": "it failed"}
        tried.append(aside)
    assert set_aside(code("print(z)"), ran(exit_code=1), tried, facts) is None  # the last one stands


def test_a_candidate_that_repeats_one_set_aside_stands(facts):
    tried = [set_aside(code("print(0)"), ran("0"), [], facts)]
    assert set_aside(code("print(0)"), ran("0"), tried, facts) is None


def test_only_the_small_model_steering_sets_results_aside(facts):
    assert Steering().set_aside(code("print(x)"), ran(exit_code=1), [], facts) is None
    assert Steering().candidate_temperature is None
    guarded = GuardedSteering(SmallModelSteering())
    assert guarded.set_aside(code("print(x)"), ran(exit_code=1), [], facts)["why"] == "it failed"
    assert guarded.candidate_temperature == SmallModelSteering.candidate_temperature > 0.2


def test_a_set_aside_result_is_told_by_its_exception_line(facts):
    shown = "Exit code: 1.\nSTDERR:\nTraceback ...\nNameError: name 'x' is not defined\nA hint."
    aside = set_aside(code("print(x)"), ran(exit_code=1, shown=shown), [], facts)
    assert set_aside_text([aside]) == ("Set aside execute_python_code (it failed: NameError: name 'x' is not defined); "
                                        "asking the model for candidate 2.")
