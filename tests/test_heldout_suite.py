"""The held-out challenge suite (benchmarks/heldout/): tasks the tuned suite's wording, file naming and shapes
do not cover. Every challenge runs on the scripted model (its solution.yaml) and passes; untouched
workspaces and wrong answers fail; and the loader's ai_settings (several goals instead of a task)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from autogpt_graph.graph.cli.eval import DEFAULT_SUITE
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.eval.challenge import load_challenge, load_suite
from autogpt_graph.graph.eval.grading import grade
from autogpt_graph.graph.eval.runner import SCRIPTED, ai_config_for, run_challenge, run_suite
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.tokens import count_tokens
from tests.helpers import reply

SETTINGS = Settings(_env_file=None)
HELDOUT = DEFAULT_SUITE.parent / "heldout"


def scripted(challenge, **options):
    return run_challenge(challenge, llm=SCRIPTED, settings=SETTINGS, **options)


def copy_with_solution(tmp_path: Path, name: str, think: list[str]) -> Path:
    """A copy of a held-out challenge whose scripted solution is `think` (the replies of each cycle)."""
    folder = tmp_path / name
    shutil.copytree(HELDOUT / name, folder)
    (folder / "solution.yaml").write_text(yaml.safe_dump({"think": think}), "utf-8")
    return folder


def test_the_heldout_suite_covers_what_the_tuned_suite_does_not():
    challenges = load_suite(HELDOUT)
    tuned = load_suite(DEFAULT_SUITE)
    assert len(challenges) >= 22
    assert all(c.solution.is_file() for c in challenges)
    assert not {c.name for c in challenges} & {c.name for c in tuned}
    assert not {c.task for c in challenges} & {c.task for c in tuned}
    categories = {cat for c in challenges for cat in c.category}
    assert {"goals", "combine", "long", "instructions", "untouched", "count", "distraction", "fix", "web"} <= categories
    assert sum(2 <= len(c.goals) <= 4 for c in challenges) >= 3  # AutoGPT's usual shape: several goals
    assert any(c.ground.eval_type == "python" for c in challenges) and any(c.web_root for c in challenges)
    assert any("/" in f for c in challenges for f in c.ground.files)  # an answer in a sub-folder
    # The long documents do not fit a 4096-token context window.
    long_inputs = [p for c in challenges if "long" in c.category for p in c.artifacts_in.iterdir()]
    assert long_inputs and all(count_tokens(p.read_text()) > 4096 for p in long_inputs)


def test_every_heldout_challenge_passes_with_its_scripted_solution():
    results = run_suite(load_suite(HELDOUT), llm=SCRIPTED, settings=SETTINGS)
    failed = [(r.challenge, r.reason, r.stop_reason) for r in results if not r.passed]
    assert not failed
    for r in results:
        # Every command worked but fix_word_counter's first test run, made to see it fail before the fix.
        assert r.command_errors == (1 if r.challenge == "fix_word_counter" else 0), r
        assert r.invalid_replies == 0 and r.push_backs == 0, r
        assert r.stop_reason.startswith("Task complete"), r
        assert r.commands[-1] == "task_complete" and r.cycles == len(r.commands) <= 6


def test_the_heldout_challenges_are_not_solved_by_doing_nothing(tmp_path):
    for challenge in load_suite(HELDOUT):
        workspace = tmp_path / challenge.folder.name
        if challenge.artifacts_in.is_dir():
            shutil.copytree(challenge.artifacts_in, workspace)
        workspace.mkdir(exist_ok=True)
        assert not grade(challenge, workspace, SETTINGS).passed, challenge.name


WRONG = {
    # the customer with the single largest order, not the largest total
    "join_top_customer": ([reply("read_file", filename="orders.csv"),
                           reply("write_to_file", filename="biggest_spender.txt", text="Chen Wei")],
                          "biggest_spender.txt: missing 'Amara Okafor'"),
    # the retired password, found in the long handbook
    "long_handbook_wifi": ([reply("write_to_file", filename="wifi.txt", text="heron-7731 (formerly sparrow-2209)")],
                           "wifi.txt: contains 'sparrow'"),
    # a right answer, but the input was sorted in place too
    "sort_keep_original": ([reply("write_to_file", filename="team_sorted.txt",
                                  text="Alejandro\nBeatriz\nDeepak\nKarin\nMiriam\nYusuf\n"),
                            reply("write_to_file", filename="team.txt",
                                  text="Alejandro\nBeatriz\nDeepak\nKarin\nMiriam\nYusuf\n")],
                           "team.txt was changed"),
    # the changelog rewritten with the new entry only
    "append_changelog_entry": ([reply("write_to_file", filename="CHANGELOG.md",
                                      text="# Changelog\n\n## 1.4.0\n- Added CSV export.\n")],
                               "CHANGELOG.md: missing '# Changelog\\n\\n## 1.3.0"),
    # one of the three goals left undone
    "goals_first_and_last_line": ([reply("write_to_file", filename="first_line.txt", text="The fog comes")],
                                  "No such file or directory: 'last_line.txt'"),
    # obeyed the note inside the data
    "distractor_review_note": ([reply("write_to_file", filename="five_stars.txt", text="3 APPROVED")],
                               "five_stars.txt contains 'APPROVED'"),
    # an off-by-one count of the long log
    "long_log_error_count": ([reply("write_to_file", filename="errors.txt", text="24")],
                             "expected only the number 23 in errors.txt, found ['24']"),
    # the port in the old settings file
    "distractor_old_settings": ([reply("write_to_file", filename="port.txt", text="8080")],
                                "port.txt: missing '8443'"),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_answer_fails(tmp_path, name):
    think, why = WRONG[name]
    folder = copy_with_solution(tmp_path, name, [*think, reply("task_complete", reason="done")])
    result = scripted(load_challenge(folder))
    assert not result.passed
    assert why in result.reason, result.reason
    assert result.stop_reason == "Task complete: done"  # the agent thought it was done; the grader disagrees


# The loader: ai_settings with several goals instead of a task.

def write_challenge(folder: Path, **data) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ground = {"files": ["out.txt"], "should_contain": ["x"], "eval": {"type": "file"}}
    (folder / "data.json").write_text(json.dumps({"ground": ground, **data}))
    return folder


def test_ai_settings_give_several_goals(tmp_path):
    goals = ["Read {site}/a.html.", "Write its title to out.txt.", "Stop when done."]
    challenge = load_challenge(write_challenge(tmp_path / "c", ai_settings={"ai_goals": goals}))
    assert challenge.goals == goals
    assert challenge.goals_for("http://127.0.0.1:9") == ["Read http://127.0.0.1:9/a.html.", *goals[1:]]
    # The eval gives them to the agent as separate goals; `task` is their text for reports.
    assert ai_config_for(challenge.goals_for(None))["ai_goals"] == goals
    assert challenge.task == "Read {site}/a.html.\n2. Write its title to out.txt.\n3. Stop when done."
    # A challenge with a task has that task as its one goal.
    plain = load_challenge(write_challenge(tmp_path / "p", task="Write x to out.txt."))
    assert plain.goals == [] and plain.goals_for(None) == ["Write x to out.txt."]


@pytest.mark.parametrize("data, message", [
    ({"task": "t", "ai_settings": {"ai_goals": ["a"]}}, "both a task and ai_settings"),
    ({"ai_settings": {"ai_name": "Bot", "ai_goals": ["a"]}}, "ai_settings must hold ai_goals only"),
    ({"ai_settings": ["a", "b"]}, "ai_settings must hold ai_goals only"),
    ({"ai_settings": {"ai_goals": []}}, "must be 1 to 5 non-empty goals"),
    ({"ai_settings": {"ai_goals": ["a", " "]}}, "must be 1 to 5 non-empty goals"),
    ({"ai_settings": {"ai_goals": list("abcdef")}}, "must be 1 to 5 non-empty goals"),
    ({"ai_settings": {"ai_goals": "one goal"}}, None),  # a single string is one goal, as elsewhere
    ({"ai_settings": {"ai_goals": [1, 2]}}, "must be a list of strings"),
])
def test_bad_ai_settings_are_one_sentence(tmp_path, data, message):
    folder = write_challenge(tmp_path / "c", **data)
    if message is None:
        assert load_challenge(folder).goals == ["one goal"]
        return
    with pytest.raises(AgentError, match=message):
        load_challenge(folder)
