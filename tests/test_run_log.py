"""The workspace's run log (graph/cli/run_log.py): AutoGPT's activity.log and error.log, plain text."""

from __future__ import annotations

from logging.handlers import RotatingFileHandler

from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.cli.run_log import log_folder, run_log
from tests.helpers import write_script
from tests.processes import autogpt


def test_a_run_writes_what_it_shows_to_activity_log(folder):
    code, out = autogpt(folder, "run", "-C", "good.yaml", "--llm", "script:S.yaml", "-w", "ws", "-c", "--thread", "T")
    assert code == 0, out
    activity = (log_folder(folder / "ws") / "activity.log").read_text()
    assert "INFO Run T in " in activity
    assert "THOUGHTS:" in activity and "NEXT ACTION:  COMMAND = write_to_file" in activity
    assert "SYSTEM:  Command write_to_file returned: File written to successfully." in activity
    assert "Run T ended after 2 cycles: Task complete: hello.txt is written" in activity
    assert "[yellow]" not in activity and "\x1b[" not in activity  # plain text, no markup or colours
    assert (log_folder(folder / "ws") / "error.log").read_text() == ""


def test_errors_go_to_error_log_too(folder):
    write_script(folder, ["not json at all"] * 20, "bad.yaml")
    code, out = autogpt(folder, "run", "-C", "good.yaml", "--llm", "script:bad.yaml", "-w", "ws", "-c", "--thread", "B")
    assert code == 1, out
    errors = (log_folder(folder / "ws") / "error.log").read_text()
    assert "ERROR Error: " in errors and "autogpt resume --thread B" in errors
    write_script(folder, [], "empty.yaml")
    code, out = autogpt(folder, "run", "-C", "good.yaml", "--llm", "script:empty.yaml", "-w", "ws", "-c", "--thread", "E")
    assert code == 1, out
    errors = (log_folder(folder / "ws") / "error.log").read_text()
    assert "ERROR Run E failed: The script" in errors and "Traceback (most recent call last)" in errors


def test_the_log_rotates_and_closes(tmp_path, monkeypatch):
    monkeypatch.setattr("autogpt_graph.graph.cli.run_log.MAX_BYTES", 2000)
    with run_log(tmp_path) as logs:
        for i in range(100):
            ui.activity.info("line %d %s", i, "x" * 50)
    assert {p.name for p in logs.iterdir()} >= {"activity.log", "activity.log.1", "activity.log.3"}
    assert not [h for h in ui.activity.handlers if isinstance(h, RotatingFileHandler)]
