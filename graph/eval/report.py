"""The eval's output: one table row per challenge (over its repeats), a closing `N passed, M failed`
line, and the raw results as JSON."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from statistics import median

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autogpt_graph.graph.eval.machine import machine
from autogpt_graph.graph.eval.runner import RunResult


def _median(values) -> float:
    values = list(values)
    return median(values) if values else 0.0


def by_challenge(results: list[RunResult]) -> dict[str, list[RunResult]]:
    grouped: dict[str, list[RunResult]] = {}
    for r in results:
        grouped.setdefault(r.challenge, []).append(r)
    return grouped


def summary(results: list[RunResult]) -> dict:
    passed = sum(r.passed for r in results)
    ran = [r for r in results if r.cycles]
    return {
        "runs": len(results),
        "passed": passed,
        "failed": len(results) - passed,
        "pass_rate": round(passed / len(results), 3) if results else 0.0,
        "median_seconds_per_cycle": round(_median(r.seconds_per_cycle for r in ran), 3),
        "median_prompt_tokens_per_cycle": round(_median(r.prompt_tokens_per_cycle for r in ran), 1),
    }


def progress_line(r: RunResult) -> str:
    """One finished run, printed as it ends: "pass NAME #K: C cycles, S s" (and why it failed)."""
    mark = "[green]pass[/]" if r.passed else "[red]fail[/]"
    why = "" if r.passed else f" ({escape(r.reason)})"  # the grader's words may quote model text: no markup
    return f"{mark} {escape(r.challenge)} #{r.repeat}: {r.cycles} cycles, {r.seconds:.1f} s{why}"


def eta_note(done: int, total: int, elapsed: float) -> str:
    """ "k of N, about M:SS left", from the mean time of the runs so far."""
    left = (total - done) * elapsed / done if done else 0.0
    return f"{done} of {total}, about {int(left // 60)}:{int(left % 60):02d} left" if done < total else f"{done} of {total}"


def results_table(results: list[RunResult]) -> Table:
    table = Table("challenge", "pass", "cycles", "seconds", "s/cycle", "prompt tok/cycle", "why", box=None)
    for name, runs in by_challenge(results).items():
        passes = sum(r.passed for r in runs)
        mark = ("yes" if passes else "no") if len(runs) == 1 else f"{passes}/{len(runs)}"
        why = "" if passes == len(runs) else next(r for r in runs if not r.passed).reason
        stop = next((r.stop_reason for r in runs if not r.passed), None)
        if why and stop and not stop.startswith("Task complete"):
            why = f"{why} ({stop})"
        table.add_row(
            name, f"[{'green' if passes == len(runs) else 'red'}]{mark}[/]",
            f"{_median(r.cycles for r in runs):g}", f"{_median(r.seconds for r in runs):.1f}",
            f"{_median(r.seconds_per_cycle for r in runs):.1f}", f"{_median(r.prompt_tokens_per_cycle for r in runs):.0f}",
            why[:120],
        )
    return table


def print_report(results: list[RunResult], console: Console, repeats: int = 1) -> None:
    console.print(results_table(results))
    s = summary(results)
    console.print(
        f"pass rate {s['pass_rate']:.0%} over {repeats} repeat{'s' if repeats != 1 else ''}; "
        f"median {s['median_seconds_per_cycle']:.1f} s and {s['median_prompt_tokens_per_cycle']:.0f} prompt tokens per cycle"
    )
    console.print(f"{s['passed']} passed, {s['failed']} failed")


def write_json(results: list[RunResult], path: Path, *, llm: str, suite: str, repeats: int, cycles: int) -> None:
    document = {
        "suite": suite,
        "llm": llm,
        "repeats": repeats,
        "cycles": cycles,
        "finished": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "summary": summary(results),
        "results": [r.as_dict() for r in results],
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # replaced in one step: a kill never leaves half a file
    partial.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    os.replace(partial, path)
