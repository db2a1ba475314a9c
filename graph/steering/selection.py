"""Whether a write keeps only the lines its goals select. The 1.5B model read people.csv and wrote every
name to oslo.txt ("Ingrid\\nPaulo\\nMarit\\nKenji"), and listed the workspace and wrote every file to
logs.txt, .log or not (csv_filter_city and list_log_files, tuned suite: 0 of 13 and 1 of 13), the
copied_result question asked or not.

The check is plain text: a goal's selecting word ("Oslo", ".log") is a word of the goals that some
lines of what a command returned hold and others do not; a write whose every line comes from one such
result (a name from its row, a file from the listing), mixing lines whose rows hold the word with lines
whose rows do not, keeps lines the goals did not select.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Words of the goals that say how, not what ("write the names ... one per line").
STOP_WORDS = frozenset("""
    about above after again all also and any are because been before being below between both but can
    could did does doing down each every few for from further had has have having her here hers his
    how into its itself just more most not now off once only other our out over own same she should
    some such than that the their them then there these they this those through too under until very
    was were what when where which while who whom why will with would you your yours
    add append answer called content contents entry file files first folder give last line lines list
    lists make name named names new number numbers one per put read save show text word words workspace
    write written
""".split())
_WORD = re.compile(r"\.?[^\W_][\w\-]*")
_ITEM_MARK = re.compile(r"^(?:[-*\u2022]\s+|\d+[.)]\s+)")
MIN_ROWS = 3  # fewer lines than this say nothing about a selection


class Selection(NamedTuple):
    """The written lines split by whether the goals' selecting words are on their rows."""

    kept: list[str]
    dropped: list[str]
    words: list[str]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _holds(row: str, word: str) -> bool:
    """`.log` anywhere ("server.log"); a word as a whole word, any case ("Oslo" in "Marit,Oslo")."""
    if word.startswith("."):
        return word.lower() in row.lower()
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", row, re.IGNORECASE) is not None


def selecting_words(goal_words: str, rows: list[str]) -> list[str]:
    """Words of the goals (stop words and words under three characters left out) that some rows hold
    and others do not."""
    found: list[str] = []
    for word in _WORD.findall(goal_words):
        if len(word.lstrip(".")) < 3 or word.lower() in STOP_WORDS or word.lower() in map(str.lower, found):
            continue
        holding = sum(_holds(row, word) for row in rows)
        if 0 < holding < len(rows):
            found.append(word)
    return found


def unselected(goal_words: str, written: str, source: str) -> Selection | None:
    """The written lines split by whether their rows in `source` hold a selecting word, when the write
    is made of source rows and mixes both kinds; None otherwise (a line the source does not hold, a
    write all of one kind, or no selecting word)."""
    rows = _lines(source)
    items = [_ITEM_MARK.sub("", line) for line in _lines(written)]
    if len(rows) < MIN_ROWS or len(items) < 2:
        return None
    words = selecting_words(goal_words, rows)
    kept, dropped, used = [], [], set()
    for item in items:
        matching = [row for row in rows if len(item) > 1 and item.lower() in row.lower()]
        if not matching:
            return None  # not a line of this source: the model made or computed it
        held = {word for word in words for row in matching if _holds(row, word)}
        used |= held
        (kept if held else dropped).append(item)
    if not kept or not dropped:
        return None  # all selected, or none (the goals may select by leaving a word out)
    return Selection(kept, dropped, [word for word in words if word in used])
