"""The cheap check that sets a code run aside for another candidate (graph/steering/candidates.py)."""

from __future__ import annotations

from autogpt_graph.graph.prompting.events import set_aside_text
from autogpt_graph.graph.steering.base import CommandOutput, Steering
from autogpt_graph.graph.steering.candidates import MAX_CANDIDATES, doubt, set_aside
from autogpt_graph.graph.steering.guarded import GuardedSteering
from autogpt_graph.graph.steering.small import SmallModelSteering


def code(text: str) -> dict:
    return {"name": "execute_python_code", "args": {"code": text}}


def ran(stdout: str = "", exit_code: int = 0, shown: str | None = None) -> CommandOutput:
    """A code run's output; `shown`: its text as the model would read it."""
    text = shown if shown is not None else f"Exit code: {exit_code}.\nSTDOUT:\n{stdout}"
    return CommandOutput(text, exit_code == 0, {"exit_code": exit_code, "stdout": stdout, "stderr": ""})


def test_a_failed_run_and_a_test_that_matched_nothing_are_doubted():
    assert doubt(code("print(x)"), ran(exit_code=1)) == "it failed"
    # count_open_checklist's `line.strip()[0] == '[ ]'` printed 0 (RESULTS.md #21)
    assert doubt(code("print(sum(1 for l in open('a.md') if l.strip()[0] == '[ ]'))"), ran("0\n")) == "it printed '0'"
    assert doubt(code("print([])"), ran("[]\n")) == "it printed '[]'"
    assert doubt(code("x = 1"), ran("")) == "it printed nothing"


def test_an_answer_a_file_write_or_another_command_is_not_doubted():
    assert doubt(code("print(3)"), ran("3\n")) is None
    assert doubt(code("open('out.txt', 'w').write('a')"), ran("")) is None  # it wrote a file, printing nothing
    assert doubt({"name": "execute_python_file", "args": {"filename": "a.py"}}, ran(exit_code=1)) is None
    assert doubt({"name": "read_file", "args": {"filename": "a.txt"}}, CommandOutput("Error: no", False)) is None


def test_a_doubted_run_is_set_aside_until_the_cycles_last_candidate():
    tried = []
    for n in range(1, MAX_CANDIDATES):
        aside = set_aside(code(f"print(y{n})"), ran(exit_code=1, shown="Traceback ...\nNameError"), tried)
        assert aside == {"command": code(f"print(y{n})"), "result": "Traceback ...\nNameError", "ok": False,
                         "why": "it failed"}
        tried.append(aside)
    assert set_aside(code("print(z)"), ran(exit_code=1), tried) is None  # the last one stands


def test_a_candidate_that_repeats_one_set_aside_stands():
    tried = [set_aside(code("print(0)"), ran("0"), [])]
    assert set_aside(code("print(0)"), ran("0"), tried) is None


def test_only_the_small_model_steering_sets_results_aside():
    assert Steering().set_aside(code("print(x)"), ran(exit_code=1), []) is None
    assert Steering().candidate_temperature is None
    guarded = GuardedSteering(SmallModelSteering())
    assert guarded.set_aside(code("print(x)"), ran(exit_code=1), [])["why"] == "it failed"
    assert guarded.candidate_temperature == SmallModelSteering.candidate_temperature > 0.2


def test_a_set_aside_result_is_told_by_its_exception_line():
    shown = "Exit code: 1.\nSTDERR:\nTraceback ...\nNameError: name 'x' is not defined\nA hint."
    aside = set_aside(code("print(x)"), ran(exit_code=1, shown=shown), [])
    assert set_aside_text([aside]) == ("Set aside execute_python_code (it failed: NameError: name 'x' is not defined); "
                                        "asking the model for candidate 2.")
