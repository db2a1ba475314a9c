"""A challenge in agbenchmark's format, one folder each:

    <name>/data.json        {"name", "task", "cutoff", "ground": {"answer", "files", "should_contain",
                             "should_not_contain", "eval": {"type": "file" | "python"}}, ...}
    <name>/artifacts_in/    copied into the fresh workspace before the run (optional)
    <name>/custom_python/   for eval type python: the test scripts, copied over the workspace before
                            grading, so an agent cannot pass by editing them (optional)
    <name>/web/             pages served on 127.0.0.1 for the run; `{site}` in the task (and in the
                            scripted solution) becomes the server's base URL (optional; our addition)
    <name>/solution.yaml    a scripted model's replies that solve it (graph/llm/scripted_model.py)

Instead of "task", a challenge may give AutoGPT's usual shape, several goals (our addition):
`"ai_settings": {"ai_goals": ["...", "..."]}` (1 to 5 goals, as ai_settings.yaml allows). `goals` holds
them; `task` is the same goals as one text, numbered as the prompt numbers goals ("first\n2. second"),
for a runner that takes one goal: the prompt's goal list then reads as with separate goals.

`ground.files`: names in the workspace, or a suffix such as ".txt" for any file ending so. The agent
passes when one of those files (for python: one script's output) contains every should_contain string
and none of the should_not_contain ones, as agbenchmark scores it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autogpt_graph.graph.errors import AgentError

EVAL_TYPES = ("file", "python")
DEFAULT_CUTOFF = 180  # seconds
SITE_PLACEHOLDER = "{site}"


@dataclass(frozen=True)
class Ground:
    files: list[str]
    should_contain: list[str] = field(default_factory=list)
    should_not_contain: list[str] = field(default_factory=list)
    eval_type: str = "file"
    answer: str = ""
    case_sensitive: bool = True


@dataclass(frozen=True)
class Challenge:
    name: str
    folder: Path
    task: str
    ground: Ground
    cutoff: float = DEFAULT_CUTOFF  # seconds
    category: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)  # from ai_settings.ai_goals; empty: the task is the goal

    @property
    def artifacts_in(self) -> Path:
        return self.folder / "artifacts_in"

    @property
    def custom_python(self) -> Path:
        return self.folder / "custom_python"

    @property
    def web_root(self) -> Path | None:
        web = self.folder / "web"
        return web if web.is_dir() else None

    @property
    def solution(self) -> Path:
        return self.folder / "solution.yaml"

    def task_for(self, site_url: str | None) -> str:
        return self.task.replace(SITE_PLACEHOLDER, site_url) if site_url else self.task

    def goals_for(self, site_url: str | None) -> list[str]:
        """The agent's goals (ai_config's ai_goals): the ai_settings goals, else the task as one goal."""
        goals = self.goals or [self.task]
        return [g.replace(SITE_PLACEHOLDER, site_url) for g in goals] if site_url else list(goals)


def _strings(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AgentError(f"{where} must be a list of strings.")
    return value


MAX_GOALS = 5  # as ai_settings.yaml allows (graph/ai_settings.py)


def goals_as_task(goals: list[str]) -> str:
    """Several goals as one goal whose text the prompt's "1. " prefix numbers like separate goals."""
    return "\n".join([goals[0], *(f"{i}. {g}" for i, g in enumerate(goals[1:], 2))])


def _goals(data: dict, path: Path) -> list[str]:
    settings = data.get("ai_settings")
    if settings is None:
        return []
    if "task" in data:
        raise AgentError(f"{path} has both a task and ai_settings; give one of them.")
    if not isinstance(settings, dict) or set(settings) != {"ai_goals"}:
        raise AgentError(f"{path}: ai_settings must hold ai_goals only (the eval names the AI itself).")
    goals = _strings(settings["ai_goals"], f"{path}: ai_settings.ai_goals")
    if not 1 <= len(goals) <= MAX_GOALS or not all(g.strip() for g in goals):
        raise AgentError(f"{path}: ai_settings.ai_goals must be 1 to {MAX_GOALS} non-empty goals.")
    return [g.strip() for g in goals]


def load_challenge(folder: str | Path) -> Challenge:
    folder = Path(folder)
    path = folder / "data.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise AgentError(f"{folder} is not a challenge: it has no data.json.") from None
    except json.JSONDecodeError as exc:
        raise AgentError(f"{path} is not valid JSON: {exc}.") from None
    name = data.get("name") or folder.name
    goals = _goals(data, path)
    task = goals_as_task(goals) if goals else data.get("task")
    ground = data.get("ground")
    if not isinstance(task, str) or not task.strip():
        raise AgentError(f"{path} has no task (nor ai_settings with ai_goals).")
    if not isinstance(ground, dict):
        raise AgentError(f"{path} has no ground (files, should_contain, eval).")
    eval_type = (ground.get("eval") or {}).get("type", "file")
    if eval_type not in EVAL_TYPES:
        raise AgentError(f"{path}: eval type '{eval_type}' is not supported; use {' or '.join(EVAL_TYPES)}.")
    files = _strings(ground.get("files"), f"{path}: ground.files")
    if not files:
        raise AgentError(f"{path}: ground.files names no file to grade.")
    return Challenge(
        name=name,
        folder=folder,
        task=task.strip(),
        cutoff=float(data.get("cutoff") or DEFAULT_CUTOFF),
        category=_strings(data.get("category"), f"{path}: category"),
        goals=goals,
        ground=Ground(
            files=files,
            should_contain=_strings(ground.get("should_contain"), f"{path}: ground.should_contain"),
            should_not_contain=_strings(ground.get("should_not_contain"), f"{path}: ground.should_not_contain"),
            eval_type=eval_type,
            answer=str(ground.get("answer") or ""),
            case_sensitive=bool(ground.get("case_sensitive", True)),
        ),
    )


def load_suite(suite_dir: str | Path, only: list[str] | None = None) -> list[Challenge]:
    """Every challenge under `suite_dir` (folders holding a data.json), sorted by name; `only` picks
    some by name (challenge name or folder name)."""
    root = Path(suite_dir)
    if not root.is_dir():
        raise AgentError(f"The challenge folder '{root}' does not exist.")
    if (root / "data.json").is_file():  # a single challenge
        challenges = [load_challenge(root)]
    else:
        challenges = [load_challenge(p.parent) for p in sorted(root.glob("*/data.json"))]
    if not challenges:
        raise AgentError(f"No challenges in '{root}': expected folders with a data.json.")
    if only:
        wanted = set(only)
        unknown = wanted - {c.name for c in challenges} - {c.folder.name for c in challenges}
        if unknown:
            raise AgentError(f"No challenge named {', '.join(sorted(unknown))} in '{root}'.")
        challenges = [c for c in challenges if c.name in wanted or c.folder.name in wanted]
    return sorted(challenges, key=lambda c: c.name)
