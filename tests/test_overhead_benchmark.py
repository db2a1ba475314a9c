"""benchmarks/graph_overhead.py measures the right things: cycles, node-steps and bytes for our graph and
for LangGraph's prebuilt ReAct agent, the embedder stand-in and the commands left out, everything it
patches restored. Counts and structure only; the timings themselves are the benchmark's, never asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

import autogpt_graph.graph.memory.embeddings as embeddings_module
import autogpt_graph.nodes.execute_tool as execute_tool_module

_spec = importlib.util.spec_from_file_location(
    "graph_overhead", Path(__file__).resolve().parents[1] / "benchmarks" / "graph_overhead.py"
)
graph_overhead = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = graph_overhead  # its dataclasses look their module up
_spec.loader.exec_module(graph_overhead)


def test_the_prebuilt_agent_runs_one_model_and_one_tool_step_a_cycle(tmp_path):
    run = graph_overhead.run_prebuilt(4, tmp_path)
    assert sorted(run.overhead) == [1, 2, 3, 4]
    assert [run.steps[c] for c in range(1, 5)] == [2, 2, 2, 2]
    assert all(run.sizes[c] > 0 for c in range(1, 5))


def test_our_run_is_measured_past_its_warm_up_with_commands_and_embeddings_left_out(tmp_path):
    real_run_command, real_embed = execute_tool_module.run_command, embeddings_module.Embedder.embed
    real_make_embedder = embeddings_module.make_embedder
    cycles = 14
    run = graph_overhead.run_ours(cycles, tmp_path, "instant", "faiss")
    # The 4,000-token window overflows within the first cycles (about ten with v0.3.0's prompt); from
    # then on every cycle summarises and stores events in memory, the steady state the benchmark's early
    # window starts in.
    assert 1 < run.warm_up < cycles
    assert sorted(run.overhead) == list(range(1, cycles + 1))
    assert all(run.steps[c] >= 6 for c in range(1, cycles + 1))  # build_prompt .. summarise_memory, retries on top
    assert all(run.sizes[c] > 0 for c in range(1, cycles + 1))
    assert set(run.excluded) == {"commands", "embeddings (instant)"}
    assert (execute_tool_module.run_command, embeddings_module.Embedder.embed) == (real_run_command, real_embed)
    assert embeddings_module.make_embedder is real_make_embedder
    rows = list((tmp_path / "ws" / ".autogpt").glob("memory.sqlite"))
    assert rows, "the events that left the window were stored in vector memory"


def test_the_embedder_stand_in_is_deterministic_and_normalised():
    embedder = graph_overhead.instant_embedder()
    a, b = embedder.embed(["one text", "another"]), embedder.embed(["one text"])
    assert a.shape == (2, embeddings_module.LOCAL_DIMENSION)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], a[1])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
