"""Text from a model, a file or a command reaches the terminal without its control sequences (issue
15): an escape sequence in a reply could retitle the terminal, write the clipboard (OSC 52) or clear
the screen."""

from __future__ import annotations

import yaml

from autogpt_graph.graph.cli.console import SHOWN_CHARS, shown
from tests.helpers import reply
from tests.processes import autogpt

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
TITLE = "\x1b]0;owned\x1b\\"
CLEAR = "\x1b[2J\x1b[H"


def test_shown_strips_control_sequences_and_caps():
    assert shown(f"a{OSC52}b{TITLE}c{CLEAR}d\x9b2Je\x07\x00\x7ff") == "abcdef"
    assert shown("tab\there\nnext line é 日本") == "tab\there\nnext line é 日本"
    assert shown("[bold]x[/]") == "\\[bold]x\\[/]"  # rich markup shown as typed
    assert shown("x" * (SHOWN_CHARS + 5)).endswith("… (5 more characters)")


def test_no_escape_sequence_from_a_run_reaches_the_terminal(tmp_path):
    settings = {"ai_name": f"Evil{TITLE}", "ai_role": f"a role{CLEAR}", "ai_goals": [f"goal {OSC52}"], "api_budget": 0}
    (tmp_path / "ai.yaml").write_text(yaml.safe_dump(settings))
    think = [reply("write_to_file", thought=f"thinking {OSC52}", filename="a.txt", text=f"text {CLEAR}"),
             reply("read_file", filename="a.txt"),
             reply("task_complete", reason=f"done {TITLE}")]
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"think": think}))
    code, out = autogpt(tmp_path, "run", "-C", "ai.yaml", "-c", "--llm", "script:s.yaml", "--thread", "T", "-w", "ws")
    assert code == 0, out
    assert "text " in out and "thinking" in out
    code, history = autogpt(tmp_path, "history", "--thread", "T", "-w", "ws")
    code2, threads = autogpt(tmp_path, "threads", "-w", "ws")
    for printed in (out, history, threads):
        assert "\x1b]" not in printed and "\x1b[2J" not in printed and "\x07" not in printed
