"""The embedded local model in the agent loop: seconds per cycle, prompt and generated tokens per cycle,
generation speed, and the share of each cycle spent outside the model call (target: under 2%).

Each run is a fresh workspace on AutoGPT's haiku task, in continuous mode with a cycle limit.
Compare decoding modes with --json-mode off|schema (the default is chosen by task completion).

    python benchmarks/local_model.py [--runs 3] [--json-mode off] [--limit 8] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt_graph.graph.llm.local_chat import LocalChatModel  # noqa: E402
from autogpt_graph.graph.runs.runner import AgentRunner  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402

HAIKU = {
    "ai_name": "HaikuGPT",
    "ai_role": "an AI that writes short poems to files",
    "ai_goals": ["Write a three-line haiku about autumn to haiku.txt", "Shut down once the haiku is saved"],
    "api_budget": 0.0,
}


class ModelTimer:
    """Wraps LocalChatModel._generate to time every call and keep its token counts."""

    def __init__(self):
        self.calls: list[tuple[float, float, int, int]] = []  # start, seconds, prompt, completion
        self._real = LocalChatModel._generate

    def __enter__(self):
        timer = self

        def timed(model, messages, stop=None, run_manager=None, **kwargs):
            start = time.perf_counter()
            result = timer._real(model, messages, stop, run_manager, **kwargs)
            usage = result.generations[0].message.usage_metadata
            timer.calls.append((start, time.perf_counter() - start, usage["input_tokens"], usage["output_tokens"]))
            return result

        LocalChatModel._generate = timed
        return self

    def __exit__(self, *exc):
        LocalChatModel._generate = self._real


def one_run(settings: Settings, limit: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, ModelTimer() as timer, AgentRunner(Path(tmp) / "ws", settings=settings) as runner:
        marks: list[float] = []
        started = time.perf_counter()
        for step in runner.start(ai_config=HAIKU, llm="local", continuous=True, continuous_limit=limit):
            if step.node == "build_prompt" and "cycle" in step.update:
                marks.append(time.perf_counter())
        marks.append(time.perf_counter())
        status = runner.status(runner.thread_id)
        haiku = (runner.workspace / "haiku.txt")
        wrote = haiku.is_file() and len([x for x in haiku.read_text().splitlines() if x.strip()]) >= 3
    cycles = []
    for begin, end in zip(marks, marks[1:]):
        inside = [c for c in timer.calls if begin <= c[0] < end]
        model_s = sum(c[1] for c in inside)
        cycles.append({
            "seconds": end - begin,
            "model_seconds": model_s,
            "prompt_tokens": sum(c[2] for c in inside),
            "completion_tokens": sum(c[3] for c in inside),
        })
    return {
        "completed": bool(status.stop_reason and status.stop_reason.startswith("Task complete")),
        "haiku": wrote,
        "stop_reason": status.stop_reason,
        "cycles": cycles,
        "wall": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--json-mode", choices=["off", "schema"], default="off")
    parser.add_argument("--seed", type=int, default=1, help="first run's seed; run k uses seed+k")
    args = parser.parse_args()

    from autogpt_graph.graph.llm.local_chat import load_llama
    from autogpt_graph.graph.llm.local_model import default_model_path

    base = Settings(_env_file=None, local_json_mode=args.json_mode)
    path = str(default_model_path(progress=False))
    t = time.perf_counter()
    load_llama(path, base.local_context, base.local_threads, args.seed)
    print(f"local model: {Path(path).name}, {base.local_threads} threads, context {base.local_context}, "
          f"json mode {args.json_mode}; first load {time.perf_counter() - t:.1f} s")
    results = []
    for k in range(args.runs):
        settings = base.model_copy(update={"local_seed": args.seed + k})
        result = one_run(settings, args.limit)
        results.append(result)
        c = result["cycles"]
        print(f"run {k + 1}: {'task_complete' if result['completed'] else result['stop_reason']}, haiku written: "
              f"{result['haiku']}, {len(c)} cycles, {result['wall']:.0f} s")
    cycles = [c for r in results for c in r["cycles"] if c["model_seconds"] > 0]
    seconds = [c["seconds"] for c in cycles]
    print(f"\n{sum(r['completed'] for r in results)} of {len(results)} runs reached task_complete "
          f"({sum(r['haiku'] for r in results)} wrote a three-line haiku.txt)")
    print(f"seconds per cycle: median {statistics.median(seconds):.1f}, mean {statistics.mean(seconds):.1f}, "
          f"first cycle {statistics.mean(r['cycles'][0]['seconds'] for r in results):.1f}")
    print(f"prompt tokens per cycle: median {statistics.median(c['prompt_tokens'] for c in cycles):.0f}")
    print(f"generated tokens per cycle: median {statistics.median(c['completion_tokens'] for c in cycles):.0f}")
    gen_rate = sum(c["completion_tokens"] for c in cycles) / sum(c["model_seconds"] for c in cycles)
    print(f"tokens/s over model time: generated {gen_rate:.1f} (prompt evaluation included in the time)")
    outside = sum(c["seconds"] - c["model_seconds"] for c in cycles) / sum(seconds)
    print(f"share of a cycle outside the model call: {outside * 100:.2f}% (target < 2%)")


if __name__ == "__main__":
    main()
