"""The web UI's live view and weight, measured in Debian's chromium (Playwright) against `autogpt ui`.

1. Step latency: from a step finishing in the graph (the server stamps each step as the graph's
   stream yields it, in graph/webui/live.py) to its card being in the page (the page records
   Date.now() minus that stamp as it renders the card; both clocks are this machine's). A continuous
   scripted run of CYCLES cycles (6 steps each) is started from the page's form; median and p95.
2. Page weight: bytes transferred (Chrome's encodedDataLength: bodies and headers) on a first load
   of the runs page, and of a run's page (which adds the graph's SVG and the stream's first events).

    python benchmarks/webui.py [--cycles 20]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import FILLER, write_script  # noqa: E402
from tests.processes import cli, env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([*cli(), "ui", "-w", str(folder / "ws"), "--port", str(port)], cwd=folder, env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}/"
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("autogpt ui did not start within 60 s.")


def weigh(page, url: str) -> int:
    """Bytes transferred while `url` loads in a fresh cache, until the network is idle."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    total = [0]
    session.on("Network.loadingFinished", lambda event: total.__setitem__(0, total[0] + event["encodedDataLength"]))
    page.goto(url, wait_until="networkidle") if "#/thread/" not in url else (page.goto(url), page.wait_for_timeout(1500))
    session.detach()
    return int(total[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        script = write_script(folder, FILLER)
        proc, url = serve(folder)
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            runs_bytes = weigh(page, url)
            page.select_option("#run-mode", "settings")
            page.fill("#ai-name", "BenchGPT")
            page.fill("#ai-role", "an AI that appends ticks")
            page.fill("#ai-goals", "Append ticks")
            page.fill("#llm", f"script:{script}")
            page.check("#continuous")
            page.fill("#limit", str(args.cycles))
            page.click("#start")
            expect(page.locator("#stop-reason")).to_be_visible(timeout=600_000)
            latencies = page.evaluate("() => window.autogptLatencies")
            run_url = page.url
            fresh = browser.new_page(viewport={"width": 1360, "height": 900})
            run_bytes = weigh(fresh, run_url)
            browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"steps seen in the page: {len(latencies)} ({args.cycles} cycles, continuous, scripted model)")
    print(f"step finished in the graph -> card in the page: median {statistics.median(latencies):.1f} ms, "
          f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"first load, runs page: {runs_bytes:,} bytes transferred")
    print(f"first load, a run's page (with the graph SVG and its steps): {run_bytes:,} bytes transferred")


if __name__ == "__main__":
    main()
