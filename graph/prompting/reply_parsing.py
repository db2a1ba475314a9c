"""Text-level parsing of the model's reply into AutoGPT's {"thoughts": ..., "command": ...} shape.

Real models, small ones especially, wrap the JSON in code fences or prose, leave trailing commas,
use single quotes or Python literals, stop mid-object, or bend the shape ("command": "google" with
args at the top level). We repair what can be repaired without guessing, and otherwise raise
ReplyError with one sentence the model can act on. The message never quotes the bad reply back:
small models copy whatever they are shown.

Checking the command name and arguments against the tools happens in nodes/validate_json.py; this
module only spots placeholders echoed from the prompt, which need no tool schema to recognise.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import json_repair

THOUGHT_KEYS = ("text", "reasoning", "plan", "criticism", "speak")

_FORMAT_HINT = 'with "thoughts" and "command": {"name": ..., "args": {...}}'
# json_repair takes ~70 microseconds a character on unbalanced brackets (10,000 "{": 0.7 s), so only
# replies up to this size are repaired; a longer one must be valid JSON. A reply the model was asked
# to keep within MAX_REPLY_TOKENS (1,000 tokens, ~4,000 characters) is far below it.
MAX_REPAIR_CHARS = 30_000
_TOO_LONG = ("Your reply was {size:,} characters and not valid JSON, too long to repair; reply with one short "
             "JSON object, and write long text in parts with append_to_file.")
_NO_COMMAND = 'Your JSON had no command; include "command": {"name": ..., "args": {...}} in it.'

# "<filename>", "<full_code_string>", "<what you want to find>": a name in angle brackets, which is
# how the command list shows arguments; markup such as "<!-- x -->" or "a < b > c" does not match.
_PLACEHOLDER_VALUE = re.compile(r"<[A-Za-z_][\w\- ]*>")
_PLACEHOLDER_COMMANDS = {"command name", "command_name", "commandname", "name", "command"}


class ReplyError(ValueError):
    """The reply cannot be used; str(error) is one sentence telling the model what to fix."""


# --- public API -------------------------------------------------------------------------------


def parse_reply(text: str) -> dict:
    """The reply as {"thoughts": {text, reasoning, plan, criticism, speak}, "command": {name, args}}.

    Raises ReplyError (and nothing else) when no usable command can be recovered."""
    if not isinstance(text, str) or not text.strip():
        raise ReplyError(f"Your reply was empty; reply with one JSON object {_FORMAT_HINT}.")
    head, code = split_code_block(text)
    if code is not None:
        return _with_code(_parse_object(head), code)
    return _parse_object(text)


def _parse_object(text: str) -> dict:
    data = _find_command_object(_python_strings(_strip_wrapping(text)))
    return {"thoughts": _normalise_thoughts(data), "command": _normalise_command(data)}


# The command whose program the lean formats take in a fenced block after the reply's object.
CODE_COMMAND = "execute_python_code"
# A fenced block that names Python, up to its closing fence (or the reply's end, if it was cut off).
_PYTHON_BLOCK = re.compile(r"```[ \t]*(?:python3?|py)[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
# What an argument says when its value is the block after the object ("code": "below").
_BELOW = {"below", "see below", "(below)", "<below>", "the code below", "code below"}


def split_code_block(text: str) -> tuple[str, str | None]:
    """(the text before a ```python block that follows a JSON object, the block's code), or (text,
    None). The lean reply format asks a small model for its program there, as real lines: inside a
    JSON string the 1.5B model wrote multi-statement Python on one line, which no repair recovers."""
    match = _PYTHON_BLOCK.search(text)
    if match is None:
        return text, None
    head = text[:match.start()]
    objects, open_string_at = _object_chunks(head)
    if not objects or open_string_at >= 0:  # no object before it, or the fence is inside a string
        return text, None
    return head, textwrap.dedent(match.group(1)).strip("\n")


def _with_code(reply: dict, code: str) -> dict:
    """The reply with `code` as the argument that points below; else as the code of a code command
    that has none. Any other reply is returned as it was (the block was an illustration)."""
    args = reply["command"]["args"]
    below = [key for key, value in args.items() if isinstance(value, str) and value.strip().lower() in _BELOW]
    if below:
        args[below[0]] = code
    elif reply["command"]["name"] == CODE_COMMAND and not str(args.get("code") or "").strip():
        args["code"] = code
    return reply


def find_placeholder(args: dict) -> str | None:
    """A sentence naming the first argument the model copied from the prompt instead of filling in,
    or None. The command list shows arguments as "<filename>" and the format example as
    "arg name": "value"; a model that echoes either has not really chosen a value."""
    for key, value in args.items():
        # Code that points below with no block after the reply (it was left out, or cut off before its
        # fence): run as it is, it is the NameError "name 'below' is not defined" (seen with the 1.5B model).
        if key == "code" and isinstance(value, str) and value.strip().lower() in _BELOW:
            return (f'The argument "code" says {value.strip()}, but no ```python block follows your reply\'s '
                    "JSON object: give the program in a ```python block right after the object.")
        if key == "arg name" and value == "value":
            return ('The args {"arg name": "value"} are the example from the response format; '
                    "give the real argument names and values of the command you chose.")
        if isinstance(value, str) and _PLACEHOLDER_VALUE.fullmatch(value.strip()):
            return (f'The argument "{key}" is still the placeholder {value.strip()} from the command '
                    "list; replace it with the actual value.")
    return None


def is_placeholder_command(name: Any) -> bool:
    """True for command names copied from the response format rather than the command list."""
    if not isinstance(name, str):
        return False
    cleaned = name.strip().lower()
    return cleaned in _PLACEHOLDER_COMMANDS or bool(_PLACEHOLDER_VALUE.fullmatch(cleaned))


# --- finding the JSON object ------------------------------------------------------------------


def _strip_wrapping(text: str) -> str:
    """Remove a surrounding ``` fence (with or without a language) and a leading "json ", as
    AutoGPT's fix_json did. Fences in the middle of prose are left to the object scanner."""
    text = text.strip()
    if text.startswith("```"):
        first_newline = text.find("\n")
        text = text[first_newline + 1:] if first_newline != -1 else text[3:]
    if text.endswith("```"):
        text = text[:-3]
    text = text.strip()
    if text[:5].lower() == "json ":
        text = text[5:].lstrip()
    return text


_TRIPLE_QUOTED = re.compile(r'"""(.*?)"""', re.DOTALL)


def _python_strings(text: str) -> str:
    """A Python triple-quoted string as a JSON one, dedented. The 1.5B coder model writes a code
    argument as indented lines between triple quotes, which json_repair reads as an empty string
    (the code then ran as nothing and printed nothing). Valid JSON is left alone."""
    if '"""' not in text or _strict_loads(text) is not None:
        return text
    return _TRIPLE_QUOTED.sub(lambda m: json.dumps(textwrap.dedent(m.group(1)).strip("\n")), text)


def _find_command_object(text: str) -> dict:
    """The first JSON object in the text that has a command (after repair if need be)."""
    whole = _strict_loads(text)
    if isinstance(whole, dict):
        # Valid JSON is one object: no searching needed, even if it turns out to lack a command.
        return _lift_nested_command(whole)
    found_object = False
    chunks, cut_in_string_at = _object_chunks(text)
    for chunk in chunks:
        for data in _candidate_objects(chunk, repair=len(text) <= MAX_REPAIR_CHARS):
            found_object = True
            if _has_command(data):
                if _cut_inside_args(data, text, cut_in_string_at):
                    raise ReplyError(_CUT_ARGUMENT)
                return data
    if len(text) > MAX_REPAIR_CHARS and not found_object:
        raise ReplyError(_TOO_LONG.format(size=len(text)))
    if not found_object:
        raise ReplyError(f"Your reply contained no JSON object; reply with only one JSON object {_FORMAT_HINT}.")
    raise ReplyError(_NO_COMMAND)


def _strict_loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _object_chunks(text: str) -> tuple[list[str], int]:
    """Split the text into top-level {...} spans, tracking double-quoted strings so braces inside
    them do not count. The last span runs to the end of the text if it never closes (truncated
    output). Splitting first matters: json_repair merges back-to-back objects with the same keys
    into the last one, and we want the first. Also returns where a string left open by truncation
    starts (-1 if none)."""
    chunks, depth, start, in_string, escaped, string_at = [], 0, -1, False, False, -1
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"' and depth:
            in_string, string_at = True, i
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                chunks.append(text[start:i + 1])
    if depth:
        chunks.append(text[start:])
    return chunks, (string_at if in_string and depth else -1)


_CUT_ARGUMENT = (
    "Your reply was cut off inside the command's arguments, so they are incomplete; reply again with "
    "shorter argument values (write long text in parts with append_to_file)."
)


def _cut_inside_args(data: dict, text: str, cut_in_string_at: int) -> bool:
    """True when output stopped inside a string value of the command's args: repairing it would
    run the command with a value cut short (half a file written) without anyone noticing. The
    string left open must be one of the args' values, not a thought (or a quote count confused by
    an unescaped quote)."""
    if cut_in_string_at < 0:
        return False
    tail = text[cut_in_string_at + 1:]
    decoded = _strict_loads('"' + tail.rstrip("\\") + '"')
    tail = (decoded if isinstance(decoded, str) else tail).strip()
    try:
        args = _normalise_command(data)["args"]
    except ReplyError:
        return False
    return bool(tail) and any(isinstance(v, str) and v.strip() == tail for v in args.values())


def _candidate_objects(chunk: str, repair: bool = True) -> Iterator[dict]:
    """The objects one span yields, best reading first: itself if valid JSON, else json_repair's
    readings of it (which may hold several objects if our scanner was fooled, e.g. by an
    unbalanced single-quoted string). Lazy, so the slower second reading runs only when needed."""
    data = _strict_loads(chunk)
    if data is not None:
        yield from _objects_in(data)
        return
    if not repair:
        return
    chunk = _join_split_plan(chunk)
    # stream_stable=True keeps content intact (by default json_repair rstrips every repaired string
    # ending in a newline, so a file from write_to_file would lose its final "\n"); the default mode
    # recovers better from a stray unescaped quote, so it is the fallback.
    for stream_stable in (True, False):
        yield from _objects_in(_repair(chunk, stream_stable))


def _objects_in(data: Any) -> list[dict]:
    items = data if isinstance(data, list) else [data]
    return [_lift_nested_command(item) for item in items if isinstance(item, dict)]


def _lift_nested_command(data: dict) -> dict:
    """{"thoughts": {..., "command": {...}}}: one misplaced closing brace puts the command inside the
    thoughts (json_repair also reads a stray quote in a thought that way); move it back up."""
    thoughts = data.get("thoughts")
    if "command" in data or not isinstance(thoughts, dict) or "command" not in thoughts:
        return data
    thoughts = dict(thoughts)
    return {**data, "thoughts": thoughts, "command": thoughts.pop("command")}


def _repair(chunk: str, stream_stable: bool) -> Any:
    # json_repair is a heuristic parser over arbitrary model output; any failure in it just means
    # "nothing usable here", never a crash of the agent.
    try:
        return json_repair.loads(chunk, stream_stable=stream_stable)
    except Exception:  # noqa: BLE001
        return None


# `"plan": "- a", "- b", "- c",`: small models (Qwen 1.5B) write each plan line as its own string.
# json_repair would glue the extra strings into a nonsense key and swallow the next real key, so we
# first turn the run of bare strings into a list, which _normalise_thoughts turns back into lines.
_STRING = r'"(?:[^"\\\n]|\\.)*"'
_SPLIT_PLAN = re.compile(rf'("plan"\s*:\s*)({_STRING}(?:\s*,\s*{_STRING}(?!\s*:))+)')


def _join_split_plan(chunk: str) -> str:
    return _SPLIT_PLAN.sub(lambda m: f"{m.group(1)}[{m.group(2)}]", chunk, count=1)


def _has_command(data: dict) -> bool:
    return data.get("command") not in (None, "", {}) or data.get("name") not in (None, "")


# --- normalising the shape --------------------------------------------------------------------


def _normalise_command(data: dict) -> dict:
    """{"name": str, "args": dict}, accepting the shape variants models commonly produce."""
    command = data.get("command")
    if isinstance(command, dict):
        name = command.get("name")
        args = _first_present(command, "args", "arguments")
        if args is None:  # {"command": {"name": ...}, "args": {...}}
            args = _first_present(data, "args", "arguments")
    elif command not in (None, "", {}):  # "command": "google", "args": {...} at the top level
        name, args = command, _first_present(data, "args", "arguments")
    elif data.get("name") not in (None, ""):  # {"name": "google", "args": {...}}
        name, args = data.get("name"), _first_present(data, "args", "arguments")
    else:
        raise ReplyError(_NO_COMMAND)
    return {"name": _check_name(name), "args": _check_args(args)}


def _first_present(data: dict, *keys: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def _check_name(name: Any) -> str:
    if name is None:
        raise ReplyError('Your command had no "name"; give it as "command": {"name": ..., "args": {...}}.')
    if not isinstance(name, str) or not name.strip():
        raise ReplyError(
            f'The command "name" was {_json_type(name)}, but it must be a non-empty string: '
            "the name of one of the listed commands."
        )
    return name.strip()


def _check_args(args: Any) -> dict:
    if args is None:
        return {}  # commands without arguments are often written with "args" left out
    if isinstance(args, str):
        args = _args_from_string(args)
    if not isinstance(args, dict):
        raise ReplyError(
            f'The command "args" was {_json_type(args)}, but it must be a JSON object '
            'mapping argument names to values, like {"arg name": "value"}.'
        )
    return args


def _args_from_string(args: str) -> Any:
    """Some models put the args object in a string ("args": "{\\"input\\": \\"x\\"}")."""
    if not args.strip():
        return {}
    parsed = _strict_loads(args)
    if parsed is None and args.strip().startswith("{"):
        parsed = _repair(args, stream_stable=True)
    return parsed if isinstance(parsed, dict) else args


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "not a valid value"


def _normalise_thoughts(data: dict) -> dict[str, str]:
    """All five thought fields as strings. Thoughts given as a plain string become the text; a
    missing "thoughts" falls back to thought fields written at the top level, if any."""
    thoughts = data.get("thoughts")
    if thoughts is None:
        thoughts = {key: data[key] for key in THOUGHT_KEYS if key in data}
    if not isinstance(thoughts, dict):
        thoughts = {"text": thoughts}
    out = {key: _as_text(thoughts.get(key)) for key in THOUGHT_KEYS}
    if isinstance(thoughts.get("plan"), list):
        out["plan"] = _plan_lines(thoughts["plan"])
    return out


def _plan_lines(items: list) -> str:
    """["a", "- b"] -> "- a\\n- b": AutoGPT's plan is a string of "- " lines."""
    lines = (_as_text(item).strip() for item in items)
    return "\n".join(f"- {line.removeprefix('- ').removeprefix('-').strip()}" for line in lines if line)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
