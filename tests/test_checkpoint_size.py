"""Checkpoint storage per cycle must not grow with run length (sizes, not timings: see benchmarks/)."""

from __future__ import annotations

import sqlite3

from autogpt_graph.graph.runs.checkpointers import default_checkpoint_path
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from tests.helpers import AI_CONFIG, reply, run_to_end, write_script


def stored_bytes(workspace) -> int:
    db = sqlite3.connect(default_checkpoint_path(workspace))
    checkpoints = db.execute("SELECT sum(length(checkpoint) + length(metadata)) FROM checkpoints").fetchone()[0]
    writes = db.execute("SELECT sum(length(value)) FROM writes").fetchone()[0]
    db.close()
    return checkpoints + writes


def test_bytes_per_cycle_stay_flat(tmp_path):
    # Two versions of the notes in turn: rewriting the same text would be pushed back (autogpt_graph.graph.steering.nudges).
    think = [
        reply("write_to_file", "Saving my notes.", filename="notes.txt", text=f"{version} notes " * 30)
        for version in ("first", "second")
    ]
    think = [step for write in think for step in (
        write,
        reply("read_file", "Checking the notes.", filename="notes.txt"),
        reply("append_to_file", "Logging progress.", filename="log.txt", text="another line\n"),
    )]
    script = write_script(tmp_path, {"repeat": True, "think": think, "summarise": ["I wrote and read notes.txt and logged progress."]})
    settings = Settings(_env_file=None, smart_token_limit=4000, fast_token_limit=4000)
    with AgentRunner(tmp_path / "ws", settings=settings) as runner:
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True,
                                        continuous_limit=20, thread_id="flat"))
        sizes = {20: stored_bytes(runner.workspace)}
        for limit in (40, 100, 120):
            run_to_end(runner, runner.resume("flat", continuous_limit=limit))
            sizes[limit] = stored_bytes(runner.workspace)
        values = runner.graph.get_state(runner._config("flat")).values
    early = (sizes[40] - sizes[20]) / 20
    late = (sizes[120] - sizes[100]) / 20
    assert values["cycle"] == 120
    assert late <= 1.5 * early, (early, late)
    # Bytes per cycle, all checkpoints and writes included: ~29.8 KB for the core graph, plus ~1.3 KB for
    # vector memory's cursor and recalled ids, ~0.9 KB for loop detection's counter and ~1 KB for the id
    # of the workspace's file record (graph/file_history), carried by each checkpoint (constants).
    assert late < 36_000
    assert len(values["history"]) < 40  # the window, not the whole run
