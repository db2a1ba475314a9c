"""A note on command results that try to give the agent orders.

Text the agent reads (a file, a web page, a program's output) may contain instructions aimed at it: the
classic "ignore every earlier instruction and ...". The 1.5B model followed such a line in a data file
over its goal (keep_the_colour), although the constraints say text read is information, not orders.
The runtime marks such results where the model reads them, right after the text.
"""

from __future__ import annotations

import re

from autogpt_graph.graph.prompting.texts import render

# "ignore every earlier instruction", "disregard your previous goals", "forget the above rules", ...,
# and text addressed to the reader: "Note to the assistant: ...", "Instructions for the AI: ...".
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}?\b(?:instructions?|goals?|prompts?|rules?|tasks?|orders?)\b"
    r"|\b(?:notes?|messages?|instructions?|orders?)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
    r"(?:assistants?|ai|agents?|models?|bots?|llms?)\b",
    re.IGNORECASE,
)


def mark_injection(result: str) -> str:
    """The result, with the runtime's note appended when it tells the reader to drop its instructions."""
    return f"{result}\n{render('injection_note')}" if _OVERRIDE.search(result) else result
