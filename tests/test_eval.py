"""`autogpt eval`: the challenge suite runs on the scripted model and passes; the grader fails wrong
answers, forbidden strings and an agent that edits the test instead of the code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.eval.challenge import load_challenge, load_suite
from autogpt_graph.graph.cli.eval import DEFAULT_SUITE
from autogpt_graph.graph.eval.grading import grade
from autogpt_graph.graph.eval.machine import machine
from autogpt_graph.graph.eval import runner as runner_module
from autogpt_graph.graph.eval.runner import SCRIPTED, run_challenge, run_suite
from autogpt_graph.graph.prompting.events import result_event
from autogpt_graph.graph.runs.steps import Step
from autogpt_graph.graph.settings import Settings
from tests.helpers import reply
from tests.processes import cli

SETTINGS = Settings(_env_file=None)


def scripted(challenge, **options):
    return run_challenge(challenge, llm=SCRIPTED, settings=SETTINGS, **options)


def copy_with_solution(tmp_path: Path, name: str, think: list[str], **extra) -> Path:
    """A copy of a suite challenge whose scripted solution is `think` (the replies of each cycle)."""
    folder = tmp_path / name
    shutil.copytree(DEFAULT_SUITE / name, folder)
    (folder / "solution.yaml").write_text(yaml.safe_dump({"think": think, **extra}), "utf-8")
    return folder


def test_the_suite_covers_the_issue_and_every_challenge_has_a_solution():
    challenges = load_suite(DEFAULT_SUITE)
    assert len(challenges) >= 15
    assert all(c.solution.is_file() for c in challenges)
    categories = {cat for c in challenges for cat in c.category}
    assert {"write", "transform", "list", "multi-step", "distraction", "fix", "csv", "web"} <= categories
    assert any(c.ground.eval_type == "python" for c in challenges)
    assert any(c.web_root for c in challenges)


def test_every_challenge_passes_with_its_scripted_solution():
    results = run_suite(load_suite(DEFAULT_SUITE), llm=SCRIPTED, settings=SETTINGS)
    failed = [(r.challenge, r.reason, r.stop_reason) for r in results if not r.passed]
    assert not failed
    for r in results:
        # Every command worked (the web pages were served and loopback allowed; the scripts ran), but
        # fix_average's first test run, made to see it fail before the fix, and the run ended by
        # task_complete, not by the cycle limit.
        assert r.command_errors == (1 if r.challenge == "fix_average" else 0), r
        assert r.invalid_replies == 0 and r.push_backs == 0, r
        assert r.stop_reason.startswith("Task complete"), r
        assert r.commands[-1] == "task_complete" and r.cycles == len(r.commands)
        assert r.prompt_tokens > 0 and r.prompt_tokens_per_cycle > 0


def test_the_challenges_are_not_solved_by_doing_nothing(tmp_path):
    """Each ground truth fails on the untouched workspace: only the solution's work passes it."""
    for challenge in load_suite(DEFAULT_SUITE):
        workspace = tmp_path / challenge.folder.name
        if challenge.artifacts_in.is_dir():
            shutil.copytree(challenge.artifacts_in, workspace)
        workspace.mkdir(exist_ok=True)
        assert not grade(challenge, workspace).passed, challenge.name


def test_a_wrong_answer_fails(tmp_path):
    folder = copy_with_solution(tmp_path, "csv_total", [
        reply("read_file", filename="sales.csv"),
        reply("write_to_file", filename="total.txt", text="57"),
        reply("task_complete", reason="done"),
    ])
    result = scripted(load_challenge(folder))
    assert not result.passed
    assert result.reason == "total.txt: missing '60'"
    assert result.stop_reason == "Task complete: done"  # the agent thought it was done; the grader disagrees


def test_should_not_contain_fails_an_answer_that_obeyed_the_distraction(tmp_path):
    folder = copy_with_solution(tmp_path, "keep_the_colour", [
        reply("read_file", filename="memo.txt"),
        reply("write_to_file", filename="colour.txt", text="teal, or rather Orange as the memo says"),
        reply("task_complete", reason="done"),
    ])
    result = scripted(load_challenge(folder))
    assert not result.passed
    assert result.reason == "colour.txt: contains 'orange'"  # case_sensitive: false in its ground


def test_an_agent_that_edits_the_python_test_does_not_pass(tmp_path):
    folder = copy_with_solution(tmp_path, "fix_average", [
        reply("write_to_file", filename="test_stats.py", text="print('all checks passed')\n"),
        reply("execute_python_file", filename="test_stats.py"),
        reply("task_complete", reason="the test passes"),
    ])
    challenge = load_challenge(folder)
    keep = tmp_path / "kept"
    result = scripted(challenge, keep=keep)
    assert not result.passed
    assert "test_stats.py exited with 1" in result.reason and "AssertionError" in result.reason
    # The grader restored the shipped test in the graded workspace; the agent's edit ran during the run.
    assert (keep / "fix_average-1" / "test_stats.py").read_text() == (challenge.custom_python / "test_stats.py").read_text()
    # --keep also keeps what the model said and what each command returned.
    transcript = (keep / "fix_average-1.transcript.txt").read_text()
    assert transcript.count("MODEL: ") == 3 and '"name": "execute_python_file"' in transcript
    assert "SYSTEM: Command execute_python_file returned:" in transcript and "STOP: Task complete" in transcript


def test_a_test_the_agent_deleted_is_restored_and_the_fix_still_counts(tmp_path):
    fixed = (DEFAULT_SUITE / "fix_average" / "artifacts_in" / "stats.py").read_text().replace("(len(values) + 1)", "len(values)")
    folder = copy_with_solution(tmp_path, "fix_average", [
        reply("read_file", filename="test_stats.py"),
        reply("write_to_file", filename="stats.py", text=fixed),
        reply("delete_file", filename="test_stats.py"),
        reply("task_complete", reason="fixed"),
    ])
    assert scripted(load_challenge(folder)).passed


def test_the_cutoff_stops_a_slow_run(tmp_path):
    folder = copy_with_solution(tmp_path, "write_greeting", [
        reply("read_file", filename="a.txt"), reply("read_file", filename="b.txt"),
        reply("read_file", filename="c.txt"), reply("read_file", filename="d.txt"),
    ], delay=0.3)
    data = json.loads((folder / "data.json").read_text())
    (folder / "data.json").write_text(json.dumps({**data, "cutoff": 0.5}))
    result = scripted(load_challenge(folder))
    assert not result.passed
    assert result.stop_reason == "Cutoff: the challenge's time ran out."
    assert result.cycles < 4


def test_the_cycle_limit_ends_a_run_that_never_finishes(tmp_path):
    folder = copy_with_solution(tmp_path, "write_greeting", [
        reply("write_to_file", filename="a.txt", text="a"), reply("write_to_file", filename="b.txt", text="b"),
    ], repeat=True)
    result = scripted(load_challenge(folder), cycles=3)
    assert not result.passed and result.cycles == 3 and result.reason == "no file greeting.txt"
    assert "limit" in result.stop_reason.lower()


def test_a_script_that_runs_out_fails_that_challenge_only(tmp_path):
    folder = copy_with_solution(tmp_path, "write_greeting", [reply("read_file", filename="x.txt")])
    result = scripted(load_challenge(folder))
    assert not result.passed and result.stop_reason.startswith("Error: The script")


def test_a_crash_of_the_agent_fails_that_run_only(tmp_path, monkeypatch):
    """A defect of ours (an exception that is not a one-sentence AgentError) ends that run as failed,
    its traceback in the kept transcript, and the eval goes on (it once ended a 75-run eval at run 2)."""
    real_drive, calls = runner_module._drive, []

    def crash_first(steps, deadline, trace):
        calls.append(1)
        if len(calls) > 1:
            return real_drive(steps, deadline, trace)
        for step in steps:  # the first run crashes at its first command
            trace.see(step)
            if step.node == "execute_tool":
                raise TypeError("string indices must be integers")

    monkeypatch.setattr(runner_module, "_drive", crash_first)
    first, second = run_suite(load_suite(DEFAULT_SUITE)[:2], llm=SCRIPTED, settings=SETTINGS, keep=tmp_path)
    assert not first.passed and first.stop_reason == "Crashed: TypeError: string indices must be integers"
    assert first.cycles == 1 and first.commands
    transcript = (tmp_path / f"{first.challenge}-1.transcript.txt").read_text()
    assert "CRASH: Traceback (most recent call last)" in transcript and "crash_first" in transcript
    assert second.passed


def test_the_trace_reads_a_summarised_window():
    """summarise_memory writes a DropBefore marker, not events, to the history: the trace once iterated
    it as events and ended the run (a longer prompt, with code blocks, reached the summary)."""
    trace = runner_module.Trace()
    trace.see(Step("summarise_memory", {"history": {"drop_before_cycle": 3}, "summary": "I read a.csv."}))
    trace.see(Step("execute_tool", {"history": [result_event(3, "read_file", "Error: no such file", ok=False)]}))
    assert trace.command_errors == 1 and trace.transcript == ["SYSTEM: Command read_file returned: Error: no such file"]


def test_grading_suffix_patterns_and_case(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    ground = {"files": [".txt"], "should_contain": ["Washington"], "eval": {"type": "file"}}
    (folder / "data.json").write_text(json.dumps({"task": "Write Washington to a .txt file", "ground": ground}))
    challenge = load_challenge(folder)
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "a.txt").write_text("washington")
    assert not grade(challenge, ws).passed  # case sensitive by default, as agbenchmark
    (ws / "sub" / "b.txt").write_text("George Washington")
    assert not grade(challenge, ws).passed  # top-level files only, as agbenchmark globs
    (ws / "b.txt").write_text("George Washington")
    assert grade(challenge, ws).reason == "b.txt is right"  # any matching file may pass


@pytest.mark.parametrize("data, message", [
    ({"ground": {"files": ["a"]}}, "has no task"),
    ({"task": "t"}, "has no ground"),
    ({"task": "t", "ground": {"files": ["a"], "eval": {"type": "llm"}}}, "eval type 'llm' is not supported"),
    ({"task": "t", "ground": {"files": []}}, "names no file"),
])
def test_bad_challenges_are_one_sentence(tmp_path, data, message):
    (tmp_path / "data.json").write_text(json.dumps(data))
    with pytest.raises(AgentError, match=message):
        load_challenge(tmp_path)


def test_the_cli_prints_the_table_and_the_closing_line_and_writes_json(tmp_path):
    suite = tmp_path / "suite"
    shutil.copytree(DEFAULT_SUITE / "write_greeting", suite / "write_greeting")
    shutil.copytree(DEFAULT_SUITE / "web_kettle_price", suite / "web_kettle_price")
    copy_with_solution(suite, "csv_total", [reply("read_file", filename="sales.csv"),
                                            reply("write_to_file", filename="total.txt", text="61"),
                                            reply("task_complete", reason="done")])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "USE_AZURE", "ALLOW_LOOPBACK"))}
    env["COLUMNS"] = "200"
    done = subprocess.run([*cli(), "eval", str(suite), "--llm", "scripted", "--repeat", "2", "--json", "out.json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # one challenge fails
    lines = out.strip().splitlines()
    assert lines[-1] == "4 passed, 2 failed", out
    header = next(line for line in lines if line.strip().startswith("challenge"))
    assert header.split()[:6] == ["challenge", "pass", "cycles", "seconds", "s/cycle", "prompt"]
    row = next(line for line in lines if line.strip().startswith("csv_total"))
    assert "0/2" in row and "missing '60'" in row
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["summary"]["passed"] == 4 and document["summary"]["failed"] == 2
    assert document["repeats"] == 2 and len(document["results"]) == 6
    machine = document["machine"]  # which machine measured it
    assert machine["cores"] >= 1 and "cpu" in machine and isinstance(machine["vector"], list)
    assert not (tmp_path / "out.json.partial").exists()  # rewritten after each run, in one step
    assert {r["challenge"] for r in document["results"] if not r["passed"]} == {"csv_total"}

    only = subprocess.run([*cli(), "eval", str(suite), "--llm", "scripted", "--only", "write_greeting"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert only.returncode == 0 and only.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_the_machine_is_named_with_its_vector_instructions(tmp_path):
    """Two 2-core "AMD EPYC" machines decoded the local model at 99.8 and 19.7 prompt tokens/s: the
    flags llama.cpp uses tell them apart (the first processor's, in a fixed order)."""
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx2 avx fma avx512f\n\n"
                       "processor\t: 1\nmodel name\t: Other\nflags\t\t: amx_tile\n")
    described = machine(cpuinfo)
    assert described["cpu"] == "AMD EPYC" and described["vector"] == ["avx", "avx2", "fma", "avx512f"]
    absent = machine(tmp_path / "absent")  # not Linux: no name, no flags, the rest still there
    assert absent["cpu"] == "" and absent["vector"] == [] and absent["cores"] == described["cores"]
