"""LOCAL_SEED=-1 means a random seed per process: llama-cpp-python's own -1 replayed the same samples
in every process (two evals of one suite wrote identical transcripts, RESULTS.md #23)."""

from __future__ import annotations

from autogpt_graph.graph.llm.local_chat import process_seed


def test_a_fixed_seed_is_kept_and_minus_one_draws_a_new_one_each_time():
    assert process_seed(1) == 1 and process_seed(0) == 0
    drawn = {process_seed(-1) for _ in range(5)}
    assert len(drawn) > 1 and all(0 <= s < 2**31 for s in drawn)
