"""The prompt texts, loaded from `autogpt.yaml` (prompts are data, not scattered f-strings)."""

from __future__ import annotations

import functools
from importlib import resources
from string import Template
from typing import Any

import yaml


@functools.cache
def prompts() -> dict[str, Any]:
    return yaml.safe_load((resources.files(__package__) / "autogpt.yaml").read_text("utf-8"))


def render(key: str, **values: Any) -> str:
    """The prompt text `key` with its $placeholders filled."""
    return Template(prompts()[key]).substitute(**values)
