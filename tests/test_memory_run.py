"""Vector memory in whole runs, with the real local embedder (all-MiniLM-L6-v2): a long run in a small
window recalls an early fact after a restart, ingested files are recalled by later runs, forks do
not see what an abandoned branch remembered, oversized outputs go to a file and to memory."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from autogpt_graph.graph.cli.app import app
from autogpt_graph.graph.context import make_context
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.memory import agent_memory
from autogpt_graph.graph.memory.agent_memory import AgentMemory
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.tokens import count_message_tokens
from autogpt_graph.graph.prompting.events import event_text
from tests.helpers import AI_CONFIG, reply, run_to_end, start_scripted, write_script

pytest.importorskip("faiss", reason="the memory extra is not installed")


def settings(**kw) -> Settings:
    return Settings(_env_file=None, memory_backend="faiss", memory_embeddings="local", **kw)


def think_prompts(ctx) -> list:
    return [messages for purpose, messages in ctx.models.smart.chat.seen if purpose == "think"]


def recalled(prompt) -> str:
    return next((m.content for m in prompt if m.content.startswith("These memories from your past")), "")


def test_long_small_window_run_recalls_cycle_2_at_cycle_40_after_a_restart(tmp_path):
    limit, reply_tokens = 2000, 300
    cfg = settings(smart_token_limit=limit, fast_token_limit=limit, max_reply_tokens=reply_tokens)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "vault.txt").write_text("The combination of the blue vault is 4711-2023.")
    think = [reply("write_to_file", "Starting the inventory.", filename="part0.txt", text="inventory " * 20),
             reply("read_file", "I read the vault note.", filename="vault.txt")]
    think += [reply("write_to_file", f"Step {i}: saving part {i}.", filename=f"part{i}.txt", text=f"shelf {i} holds boxes " * 8)
              for i in range(3, 40)]
    think += [reply("list_files", "Now I must open the blue vault: what was its combination?", directory="."),
              reply("task_complete", reason="inventory done")]
    script = write_script(tmp_path, {"think": think, "summarise": [f"I wrote inventory parts up to {i}." for i in range(60)]})
    path = tmp_path / "ws"
    with AgentRunner(path, settings=cfg) as runner:
        ctx = make_context({"llm": f"script:{script}", "workspace": str(path)}, cfg)
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True,
                                        continuous_limit=20, thread_id="long", context=ctx))
        first = think_prompts(ctx)
    # A restart: new process state (no cached store, no model), the same workspace.
    agent_memory._stores.clear()
    with AgentRunner(path, settings=cfg, create=False) as runner:
        ctx = make_context({"llm": f"script:{script}", "workspace": str(path)}, cfg, {"continuous_limit": 100})
        run_to_end(runner, runner.resume("long", context=ctx, continuous_limit=100))
        status = runner.status("long")
        second = think_prompts(ctx)
    prompts = first + second
    assert status.stop_reason == "Task complete: inventory done" and status.cycle == 41
    assert len(prompts) == 41
    assert max(count_message_tokens([m.content for m in p]) for p in prompts) <= limit - reply_tokens
    # Cycle 2's result left the window long ago and the summaries never mention it: only recall brings it.
    assert not any("4711" in m.content for m in prompts[40] if not m.content.startswith("These memories"))
    assert "4711-2023" in recalled(prompts[40])
    assert all(p[1].content.startswith("This reminds you of these events from your past") for p in prompts)


def test_ingested_files_are_recalled_by_a_later_run(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "zephyr.md").write_text("# Project Zephyr\n\nProject Zephyr launches on 12 March from pad 39A.\n" + "filler text. " * 300)
    (docs / "cooking.txt").write_text("To make tea, boil water and steep the leaves for three minutes.")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["ingest", str(docs), "-w", str(ws), "--chunk-size", "500", "--overlap", "50"],
                                env={"MEMORY_EMBEDDINGS": "local", "MEMORY_BACKEND": "faiss"})
    assert result.exit_code == 0, result.output
    assert "Skipping" in result.output and "logo.png" in result.output and "is binary" in result.output
    assert "from 2 files" in result.output
    cfg = {**AI_CONFIG, "ai_goals": ["Tell the team when Project Zephyr launches"]}
    script = [reply("task_complete", reason="done")]
    with AgentRunner(ws, settings=settings()) as runner:
        _, prompts = start_scripted(runner, tmp_path, script, ai_config=cfg, continuous=True)
    assert "Project Zephyr launches on 12 March" in recalled(prompts[0])
    assert "From zephyr.md (part 1 of" in recalled(prompts[0])

    # Ingesting again after an edit replaces the file's chunks instead of adding copies.
    import sqlite3

    from autogpt_graph.graph.memory.faiss_store import default_faiss_path

    def stored_texts():
        with sqlite3.connect(default_faiss_path(ws)) as db:
            return [row[0] for row in db.execute("SELECT text FROM memories WHERE source = 'document'")]

    before = stored_texts()
    (docs / "cooking.txt").write_text("To make tea, boil water and steep the leaves for five minutes.")
    again = CliRunner().invoke(app, ["ingest", str(docs), "-w", str(ws), "--chunk-size", "500", "--overlap", "50"],
                               env={"MEMORY_EMBEDDINGS": "local", "MEMORY_BACKEND": "faiss"})
    assert again.exit_code == 0, again.output
    after = stored_texts()
    assert len(after) == len(before)
    assert any("five minutes" in t for t in after) and not any("three minutes" in t for t in after)


def test_ingest_refuses_bad_chunking_and_missing_paths(tmp_path):
    (tmp_path / "a.txt").write_text("text")
    bad = CliRunner().invoke(app, ["ingest", str(tmp_path / "a.txt"), "-w", str(tmp_path / "ws"), "--chunk-size", "100", "--overlap", "100"])
    assert bad.exit_code == 1 and "--overlap must be at least 0 and less than --chunk-size (100)" in bad.output
    missing = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope"), "-w", str(tmp_path / "ws")])
    assert missing.exit_code == 1 and "There is no file or folder" in missing.output


def test_unknown_memory_backend_lists_the_choices(tmp_path):
    result = CliRunner().invoke(app, ["run", "x", "--use-memory", "pinecone", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 1 and "Unknown memory backend 'pinecone'; choose one of: faiss, redis, none." in result.output
    with AgentRunner(tmp_path / "ws", checkpointer="memory") as runner, pytest.raises(AgentError, match="faiss, redis, none"):
        runner.start(ai_config=AI_CONFIG, llm="script:x.yaml", memory="milvus")


def test_a_fork_does_not_recall_what_the_abandoned_branch_remembered(tmp_path):
    memory = AgentMemory("faiss", tmp_path / "ws", settings())
    state = {"ai_config": AI_CONFIG}
    state["memory_cursor"] = memory.write(state, [(1, "The shared past: the bridge is closed.")], source="event", thread="t")
    fork_point = dict(state)  # a checkpoint the user will fork from
    state["memory_cursor"] = memory.write(state, [(2, "Abandoned branch: the password is swordfish.")], source="event", thread="t")
    assert "swordfish" in memory.recall(state, "what is the password", before_cycle=9)[0].memory.text

    # The fork starts from the earlier checkpoint: it sees the shared past, not the abandoned future...
    texts = [r.memory.text for r in memory.recall(fork_point, "what is the password", before_cycle=9)]
    assert texts == ["The shared past: the bridge is closed."]
    # ...and its own writes go to a new branch that keeps the shared past.
    cursor = memory.write(fork_point, [(2, "Fork: the password is marlin.")], source="event", thread="t")
    assert cursor["branch"] != state["memory_cursor"]["branch"]
    texts = [r.memory.text for r in memory.recall({**fork_point, "memory_cursor": cursor}, "password", before_cycle=9, k=5)]
    assert sorted(texts) == ["Fork: the password is marlin.", "The shared past: the bridge is closed."]


def test_memory_add_and_oversized_outputs_are_recalled(tmp_path):
    cfg = settings(smart_token_limit=2000, fast_token_limit=2000, max_reply_tokens=300)
    big = "\n".join(f"row {i}: sensor reading nominal" for i in range(600)) + "\nrow 600: the reactor coolant valve is stuck open"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "log.txt").write_text(big)
    script = {
        "think": [reply("memory_add", "I will remember the owner.", string="The reactor belongs to Dr. Okafor."),
                  reply("read_file", "Reading the sensor log.", filename="log.txt")]
                 + [reply("list_files", f"Check {i}: who owns the reactor?", directory=".") for i in range(8)]
                 + [reply("task_complete", reason="done")],
        "summarise": ["The log lists nominal sensor readings."] + [f"I checked files {i} times." for i in range(20)],
    }
    with AgentRunner(tmp_path / "ws", settings=cfg) as runner:
        steps, prompts = start_scripted(runner, tmp_path, script, continuous=True)
        values = runner.graph.get_state(runner._config(runner.thread_id)).values
    results = [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"] if e["kind"] == "system"]
    assert results[0] == 'Command memory_add returned: Committing memory with string "The reactor belongs to Dr. Okafor."'
    assert "outputs/read_file-cycle2.txt and its parts added to your memory" in results[1]
    assert "Summary of the output: The log lists nominal sensor readings." in results[1]
    assert count_message_tokens([results[1]]) < 400
    store = AgentMemory("faiss", tmp_path / "ws", cfg).store
    texts = [r.memory.text for r in store.recall("is the coolant valve stuck", AgentMemory("faiss", tmp_path / "ws", cfg).scope(values, None), k=3)]
    assert any("coolant valve is stuck open" in t for t in texts)
    assert any("Dr. Okafor" in recalled(p) for p in prompts)


def test_a_fork_through_the_graph_does_not_recall_the_abandoned_branch(tmp_path):
    import json

    cfg = settings()
    script = write_script(tmp_path, [
        reply("memory_add", "Noting the bridge.", string="The bridge is closed for repairs."),
        reply("memory_add", "Noting the password.", string="The password is swordfish."),
        reply("task_complete", reason="noted"),
    ])
    with AgentRunner(tmp_path / "ws", settings=cfg) as runner:
        run_to_end(runner, runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", continuous=True, thread_id="T"))
        # The step before cycle 2's command ran: fork there with another memory instead.
        step = next(line.step for line in runner.history("T") if line.node == "execute_tool" and line.cycle == 2)
        command = {"name": "memory_add", "args": {"string": "The password is marlin."}}
        new = runner.fork("T", step, command=json.dumps(command))
        values = runner.graph.get_state({"configurable": {"thread_id": new}}).values
        ctx = make_context(values["run"], cfg)
        run_to_end(runner, runner.resume(new, context=ctx))
        assert runner.status(new).stop_reason == "Task complete: noted"
        # Recall leaves out what the history window still shows, so ask the store directly, as of each
        # thread's last checkpoint: its memory cursor, written by the graph's nodes, decides what is seen.
        def recall(thread_id: str) -> str:
            final = runner.graph.get_state({"configurable": {"thread_id": thread_id}}).values
            return " | ".join(r.memory.text for r in ctx.memory.recall(final, "what is the password", before_cycle=99, k=5))

        forked, original = recall(new), recall("T")
    assert "marlin" in forked and "bridge is closed" in forked
    assert "swordfish" not in forked  # written by the branch the fork abandoned
    assert "swordfish" in original and "marlin" not in original
