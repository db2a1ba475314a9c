"""The machine's speed with the embedded local model: prompt tokens/s evaluated cold, and generated
tokens/s, by llama.cpp's own token counts. Seconds per cycle in benchmarks/RESULTS.md only compare
between runs on machines of the same speed, so each eval entry states these two figures.

    python benchmarks/decode_speed.py [--prompt-words 300] [--generate 128] [--repeats 3]

Run it on a quiet machine: llama.cpp's threads wait on each other when anything else uses the CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt_graph.graph.eval.machine import machine  # noqa: E402
from autogpt_graph.graph.llm.local_chat import load_llama  # noqa: E402
from autogpt_graph.graph.llm.local_model import default_model_path  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompt-words", type=int, default=300)
    parser.add_argument("--generate", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    llama, _ = load_llama(str(default_model_path()), settings.local_context, settings.local_threads, 1)
    words = " ".join(f"word{i % 50}" for i in range(args.prompt_words))
    prompt = f"Here are some words: {words}\nWrite a long story about a lighthouse keeper:"
    prompt_rates, generated_rates = [], []
    for _ in range(args.repeats):
        llama.reset()  # cold: no cached prefix
        tokens = llama.tokenize(prompt.encode())
        stamps = [time.perf_counter()]
        for _token in llama.generate(tokens, temp=0.0):
            stamps.append(time.perf_counter())  # the first after the prompt is evaluated
            if len(stamps) > args.generate + 1:
                break
        prompt_rates.append(len(tokens) / (stamps[1] - stamps[0]))
        generated_rates.append((len(stamps) - 2) / (stamps[-1] - stamps[1]))
    cpu = machine()
    print(f"{cpu['cpu'] or cpu['processor']}, {cpu['cores']} cores, {' '.join(cpu['vector']) or 'no vector instructions'}")
    print(f"{settings.local_threads} threads; prompt of {len(tokens)} tokens, {args.generate} generated, median of {args.repeats}:")
    print(f"prompt evaluation: {statistics.median(prompt_rates):6.1f} tokens/s (cold)")
    print(f"generation:        {statistics.median(generated_rates):6.1f} tokens/s")


if __name__ == "__main__":
    main()
