"""`autogpt serve` throughput and the latency it adds, with the scripted model (no model time: what is
measured is the server, the graph and the checkpointer).

1. Requests per second for task creation (POST /tasks) and for a step (POST /tasks/ID/steps, one cycle:
   approve, execute, think, validate, wait at the gate), CLIENTS client threads at once, each stepping
   its own task: one server process on SQLite (the default), one on Postgres, then two processes on one
   Postgres with the clients split between them (the scale-out recipe, both on this machine).
2. The latency a step gets from the server: the median of a step over HTTP (one client, one after the
   other) against the same cycle run in this process with AgentRunner.resume(thread, "y") on the same
   kind of checkpointer, as a ratio.

Servers run as `autogpt serve` processes, so the clients here do not share their interpreter.

    python benchmarks/serve.py [--creates 200] [--steps 120] [--clients 4] [--latency 30]
                               [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from autogpt_graph.graph.runs.runner import AgentRunner  # noqa: E402
from autogpt_graph.graph.settings import Settings  # noqa: E402
from tests.helpers import AI_CONFIG, reply, write_script  # noqa: E402
from tests.processes import Server  # noqa: E402
from tests.services import fresh_schema, postgres_unreachable  # noqa: E402

# Cycles that never end (two different appends in turn, not a loop), and a summary when the history
# leaves the window. Vector memory off: the embedder is not what this measures.
SCRIPT = {"repeat": True, "summarise": ["I appended ticks and tocks."],
          "think": [reply("append_to_file", filename="tick.txt", text="tick\n"),
                    reply("append_to_file", filename="tock.txt", text="tock\n")]}
TASK = {"input": "Append ticks and tocks", "additional_input": {**AI_CONFIG, "memory": "none"}}


def per_second(count: int, clients: int, work) -> float:
    """Requests per second with `clients` threads, each calling work(i) count // clients times."""
    per_client = count // clients
    errors: list[str] = []

    def client(i: int) -> None:
        try:
            for _ in range(per_client):
                work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"a request failed: {errors[0]}")
    return per_client * clients / elapsed


def ok(response: httpx.Response) -> dict:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json()


def throughput(urls: list[str], creates: int, steps: int, clients: int) -> tuple[float, float]:
    """(task creations a second, steps a second) with the clients spread over the servers."""
    apis = [httpx.Client(base_url=f"{urls[i % len(urls)]}/ap/v1/agent", timeout=120) for i in range(clients)]
    created = per_second(creates, clients, lambda i: ok(apis[i].post("/tasks", json=TASK)))
    tasks = [ok(api.post("/tasks", json=TASK))["task_id"] for api in apis]
    for api, task in zip(apis, tasks):
        ok(api.post(f"/tasks/{task}/steps"))  # the first proposal, so each measured step is a full cycle
    stepped = per_second(steps, clients, lambda i: ok(apis[i].post(f"/tasks/{tasks[i]}/steps")))
    for api in apis:
        api.close()
    return created, stepped


def http_step_latency(url: str, count: int) -> float:
    with httpx.Client(base_url=f"{url}/ap/v1/agent", timeout=120) as api:
        task = ok(api.post("/tasks", json=TASK))["task_id"]
        ok(api.post(f"/tasks/{task}/steps"))
        times = []
        for _ in range(count):
            start = time.perf_counter()
            ok(api.post(f"/tasks/{task}/steps"))
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process_cycle_latency(work: Path, script: Path, count: int, spec: str | None) -> float:
    """The same cycle without the server: resume with "y" and stream to the next wait at the gate."""
    with AgentRunner(work / "inproc", checkpointer=spec, settings=Settings(_env_file=None)) as runner:
        thread = f"inproc-{uuid.uuid4().hex[:8]}"
        list(runner.start(ai_config=AI_CONFIG, llm=f"script:{script}", thread_id=thread, memory="none"))
        times = []
        for _ in range(count):
            start = time.perf_counter()
            for _step in runner.resume(thread, "y"):
                pass
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--latency", type=int, default=30, help="steps timed one after the other for the ratio")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.clients} clients; {args.creates} task creations, {args.steps} steps each case")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        script = write_script(work, SCRIPT, "S.yaml")
        serve = ("--llm", f"script:{script}", "--workspaces", str(work / "ws"))

        sqlite = stack.enter_context(Server(work, *serve))
        one_server(sqlite, "SQLite", args, work, script, None)
        sqlite.stop()

        why = postgres_unreachable(args.postgres)
        if why:
            print(f"Postgres skipped: {why}")
            return
        url = stack.enter_context(fresh_schema(args.postgres, "bench"))  # dropped after the servers stop
        pg = ["--checkpointer", url, "--workspaces", str(work / "ws-pg")]
        first = stack.enter_context(Server(work, "--llm", f"script:{script}", *pg))
        one_server(first, "Postgres", args, work, script, url)
        second = stack.enter_context(Server(work, "--llm", f"script:{script}", *pg))
        created, stepped = throughput([first.url, second.url], args.creates, args.steps, args.clients)
        print(f"two processes, one Postgres:  {created:7.1f} task creations/s  {stepped:6.1f} steps/s")


def one_server(server: Server, label: str, args: argparse.Namespace, work: Path, script: Path, spec: str | None) -> None:
    """Throughput of one server process, and its step latency against the same step in process."""
    created, stepped = throughput([server.url], args.creates, args.steps, args.clients)
    print(f"one process, {label + ':':17} {created:7.1f} task creations/s  {stepped:6.1f} steps/s")
    http = http_step_latency(server.url, args.latency)
    local = in_process_cycle_latency(work, script, args.latency, spec)
    print(f"step latency, {label}: {http * 1000:.1f} ms over HTTP vs {local * 1000:.1f} ms in process "
          f"(x{http / local:.2f}; the server adds {(http - local) * 1000:.1f} ms)")

if __name__ == "__main__":
    main()
