"""autogpt_graph.graph.prompting.reply_parsing against a corpus of malformed replies real models produce."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autogpt_graph.graph.prompting.reply_parsing import (
    THOUGHT_KEYS,
    ReplyError,
    find_placeholder,
    is_placeholder_command,
    parse_reply,
)

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "malformed_replies.yaml").read_text(encoding="utf-8"))


def test_corpus_is_well_formed():
    names = [case["name"] for case in CORPUS]
    assert len(names) >= 28
    assert len(set(names)) == len(names), "corpus names must be unique"
    for case in CORPUS:
        assert isinstance(case["reply"], str), case["name"]
        expect = case["expect"]
        assert expect == {"error": True} or {"command", "args"} <= expect.keys(), case["name"]


@pytest.mark.parametrize("case", CORPUS, ids=[case["name"] for case in CORPUS])
def test_corpus(case):
    expect = case["expect"]
    if expect.get("error"):
        with pytest.raises(ReplyError) as info:
            parse_reply(case["reply"])
        _assert_one_sentence(str(info.value))
        return
    # Any exception here, ReplyError included, fails the test: the reply must be repairable.
    parsed = parse_reply(case["reply"])
    assert parsed["command"] == {"name": expect["command"], "args": expect["args"]}
    assert set(parsed["thoughts"]) == set(THOUGHT_KEYS)
    assert all(isinstance(value, str) for value in parsed["thoughts"].values())
    for key, value in (expect.get("thoughts") or {}).items():
        assert parsed["thoughts"][key] == value, key


def _assert_one_sentence(message: str) -> None:
    assert message and message[0].isupper() and message.endswith(".")
    assert "\n" not in message
    assert len(message) < 200


# --- shape normalisation details ----------------------------------------------------------------


def test_valid_reply_round_trips():
    reply = (
        '{"thoughts": {"text": "t", "reasoning": "r", "plan": "- a\\n- b", "criticism": "c", "speak": "s"},'
        ' "command": {"name": "google", "args": {"input": "x"}}}'
    )
    assert parse_reply(reply) == {
        "thoughts": {"text": "t", "reasoning": "r", "plan": "- a\n- b", "criticism": "c", "speak": "s"},
        "command": {"name": "google", "args": {"input": "x"}},
    }


def test_command_name_is_stripped():
    assert parse_reply('{"command": {"name": "  google \\n", "args": {}}}')["command"]["name"] == "google"


def test_blank_args_string_means_no_args():
    assert parse_reply('{"command": {"name": "task_complete", "args": ""}}')["command"]["args"] == {}


def test_args_beside_a_command_object_without_args():
    parsed = parse_reply('{"command": {"name": "google"}, "args": {"input": "x"}}')
    assert parsed["command"] == {"name": "google", "args": {"input": "x"}}


def test_thought_fields_at_top_level_are_used_when_thoughts_missing():
    parsed = parse_reply('{"text": "t", "plan": ["a", "b"], "command": {"name": "google", "args": {}}}')
    assert parsed["thoughts"]["text"] == "t"
    assert parsed["thoughts"]["plan"] == "- a\n- b"


def test_non_string_thoughts_become_text():
    parsed = parse_reply('{"thoughts": {"text": 42, "speak": {"a": 1}}, "command": "google"}')
    assert parsed["thoughts"]["text"] == "42"
    assert parsed["thoughts"]["speak"] == '{"a": 1}'


def test_first_object_with_a_command_wins_over_later_ones():
    reply = '{"command": {"name": "a", "args": {}}} and then {"command": {"name": "b", "args": {}}}'
    assert parse_reply(reply)["command"]["name"] == "a"


def test_non_string_input_is_a_reply_error():
    with pytest.raises(ReplyError):
        parse_reply(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("reply", [
    "{" * 5000,
    "[" * 5000 + "{",
    '{"command": ' * 3000,
    "```",
    "json ",
    "}{",
    '{"command": {"name": "x", "args": {"a": ' + "[" * 3000 + "}}}",
])
def test_pathological_input_only_raises_reply_error(reply):
    try:
        parse_reply(reply)
    except ReplyError:
        pass


# --- error messages -----------------------------------------------------------------------------


LONG_PROSE = (
    "I have carefully considered the situation and I believe that the most sensible course of action "
    "is to first search the internet for the relevant information, then to summarise it, and finally to "
    "write the summary to a file so that I do not forget it later on in the task."
)


@pytest.mark.parametrize("reply", [
    LONG_PROSE,
    '{"thoughts": {"text": "' + LONG_PROSE + '"}}',
    '{"thoughts": {"text": "' + LONG_PROSE + '"}, "command": {"name": 7, "args": {}}}',
    '{"thoughts": {"text": "' + LONG_PROSE + '"}, "command": {"name": "google", "args": ["' + LONG_PROSE + '"]}}',
    '{"thoughts": {"text": "x"}, "command": {"name": "google", "args": "' + LONG_PROSE + '"}}',
])
def test_error_message_does_not_quote_the_reply(reply):
    with pytest.raises(ReplyError) as info:
        parse_reply(reply)
    message = str(info.value)
    _assert_one_sentence(message)
    assert LONG_PROSE[:40] not in message
    assert "carefully considered" not in message


def test_error_messages_say_what_was_wrong():
    cases = {
        "": "empty",
        "no json here at all": "no JSON object",
        '{"thoughts": {"text": "x"}}': "no command",
        '{"command": {"name": 3}}': "a number",
        '{"command": {"name": "google", "args": [1]}}': "a list",
        '{"command": {"google": {"input": "x"}}}': 'no "name"',
        '{"command": {"name": "google", "args": "cats"}}': "a string",
    }
    for reply, fragment in cases.items():
        with pytest.raises(ReplyError, match=fragment):
            parse_reply(reply)


# --- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize("args, key", [
    ({"filename": "<filename>"}, "filename"),
    ({"filename": "notes.txt", "text": "<text>"}, "text"),
    ({"code": " <full_code_string> "}, "code"),
    ({"reason": "<reason>", "other": "<x>"}, "reason"),
    ({"arg name": "value"}, "arg name"),
    ({"code": "below"}, "code"),  # no ```python block after the reply (distractor_review_note, #24's trial)
])
def test_find_placeholder_names_the_argument(args, key):
    message = find_placeholder(args)
    assert message is not None
    assert f'"{key}"' in message
    _assert_one_sentence(message)


@pytest.mark.parametrize("args", [
    {},
    {"filename": "notes.txt"},
    {"text": "<html><body>hi</body></html>"},  # real markup, not a placeholder
    {"text": "use <filename> here"},
    {"text": "<>"},
    {"text": "<!-- generated -->"},
    {"text": "<?php echo 1; ?>"},
    {"count": 3, "flag": True, "items": ["<x>"]},
    {"arg name": "something real"},
    {"value": "arg name"},
    {"text": "below"},  # only code that points below is a program left out
])
def test_find_placeholder_accepts_real_values(args):
    assert find_placeholder(args) is None


@pytest.mark.parametrize("name", ["command name", "command_name", "<command>", "name", "Command Name", " <command_name> "])
def test_is_placeholder_command(name):
    assert is_placeholder_command(name)


@pytest.mark.parametrize("name", ["google", "write_to_file", "task_complete", "", None, 3])
def test_is_not_placeholder_command(name):
    assert not is_placeholder_command(name)


def test_echoed_format_example_parses_then_is_flagged():
    case = next(c for c in CORPUS if c["name"] == "placeholder_echoed_from_format")
    command = parse_reply(case["reply"])["command"]
    assert is_placeholder_command(command["name"])
    assert find_placeholder(command["args"]) is not None


def test_code_pointing_below_is_taken_from_the_block_and_flagged_without_one():
    head = '{"command": {"name": "execute_python_code", "args": {"code": "below"}}}'
    assert parse_reply(head + "\n```python\nprint(3)\n```")["command"]["args"] == {"code": "print(3)"}
    assert "no ```python block follows" in find_placeholder(parse_reply(head)["command"]["args"])
