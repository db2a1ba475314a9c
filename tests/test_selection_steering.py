"""The question on a write that keeps lines its goals did not select (graph/steering/selection.py),
on the histories of the tuned suite's transcripts (csv_filter_city and list_log_files, 2026-12-05)."""

from __future__ import annotations

import json

from autogpt_graph.graph.steering.run_facts import goal_words
from autogpt_graph.graph.steering.selection import selecting_words, unselected
from autogpt_graph.graph.steering.small import SmallModelSteering
from autogpt_graph.graph.steering.write_questions import outside_selection

from tests.test_steering_rules import LIST, facts, put, read, state_of, write  # noqa: F401 - facts is a fixture

OSLO_GOAL = "people.csv lists names and cities. Write the names of the people who live in Oslo to oslo.txt, one per line."
OSLO_WORDS = goal_words(OSLO_GOAL)  # without the file names, as outside_selection reads the goals
PEOPLE = "name,city\nIngrid,Oslo\nPaulo,Lisbon\nMarit,Oslo\nKenji,Osaka\n"
LOG_GOAL = ("Write the names of all files ending in .log that are directly in the workspace folder "
            "(not in sub-folders) to logs.txt, one name per line.")
LOG_WORDS = goal_words(LOG_GOAL)
LISTING = "data/backup.log\nreadme.txt\nserver.log\nworker.log"


def test_every_name_of_the_csv_keeps_the_rows_without_the_goals_city():
    picked = unselected(OSLO_WORDS, "Ingrid\nPaulo\nMarit\nKenji", PEOPLE)
    assert picked.kept == ["Ingrid", "Marit"] and picked.dropped == ["Paulo", "Kenji"]
    assert picked.words == ["Oslo"]


def test_every_file_listed_keeps_the_files_without_the_goals_extension():
    picked = unselected(LOG_WORDS, "backup.log\nreadme.txt\nserver.log\nworker.log", LISTING)
    assert picked.dropped == ["readme.txt"] and picked.words == [".log"]
    # bullets and numbers before the lines are not part of them
    assert unselected(LOG_WORDS, "- readme.txt\n- server.log", LISTING).dropped == ["readme.txt"]


def test_no_question_when_the_write_is_right_or_not_a_selection():
    assert unselected(OSLO_WORDS, "Ingrid\nMarit", PEOPLE) is None  # every line selected
    assert unselected(OSLO_WORDS, "Paulo\nKenji", "name,city\n" + PEOPLE) is None  # none: maybe "not in Oslo"
    assert unselected(OSLO_WORDS, "Ingrid\nOla", PEOPLE) is None  # Ola is no line of people.csv: made up
    assert unselected(OSLO_WORDS, "Ingrid", PEOPLE) is None  # one line says nothing
    assert unselected("Write the names to names.txt", "Ingrid\nPaulo", PEOPLE) is None  # nothing selects


def test_selecting_words_are_the_goals_words_some_rows_hold():
    rows = PEOPLE.split()
    assert selecting_words(OSLO_WORDS, rows) == ["Oslo"]
    # several selecting words: a line is selected when its row holds any of them
    assert unselected("the people in Oslo, Lisbon or Osaka", "Ingrid\nPaulo\nKenji", PEOPLE) is None
    assert selecting_words("the names of all", rows) == []  # stop words
    assert selecting_words("Oslo or oslo", rows) == ["Oslo"]
    assert "oslo" not in OSLO_WORDS  # oslo.txt is the output's name, not a selecting word


def test_outside_selection_gives_the_write_of_the_selected_lines_to_copy():
    state = state_of([OSLO_GOAL], (read("people.csv"), PEOPLE, True))
    question = outside_selection(state, write("oslo.txt", "Ingrid\nPaulo\nMarit\nKenji"))
    assert question.startswith('oslo.txt is not written yet: your goals pick by "Oslo", and the lines for Paulo, Kenji')
    assert "read_file people.csv" in question
    suggested = {"name": "write_to_file", "args": {"filename": "oslo.txt", "text": "Ingrid\nMarit"}}
    assert json.dumps(suggested) in question


def test_outside_selection_reads_the_listing_and_skips_failed_or_other_results():
    state = state_of([LOG_GOAL], (LIST, LISTING, True))
    assert '"text": "server.log\\nworker.log"' in outside_selection(state, write("logs.txt", "readme.txt\nserver.log\nworker.log"))
    failed = state_of([OSLO_GOAL], (read("people.csv"), PEOPLE, False))
    assert outside_selection(failed, write("oslo.txt", "Ingrid\nPaulo")) is None
    assert outside_selection(state, read("logs.txt")) is None


def test_review_asks_once_then_the_model_gets_its_write(facts):
    put(facts, "people.csv", PEOPLE)
    state = state_of([OSLO_GOAL], (read("people.csv"), PEOPLE, True), start=["people.csv"])
    everyone = write("oslo.txt", "Ingrid\nPaulo\nMarit\nKenji")
    review = SmallModelSteering().review(state, everyone, facts)
    assert review.action == "push_back" and 'your goals pick by "Oslo"' in review.message
    told = state_of([OSLO_GOAL], (read("people.csv"), PEOPLE, True), start=["people.csv"],
                    retries=[f"Your last reply could not be used: {review.message}"])
    assert SmallModelSteering().review(told, everyone, facts).action == "accept"
    assert SmallModelSteering().review(state, write("oslo.txt", "Ingrid\nMarit"), facts).action == "accept"
