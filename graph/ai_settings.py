"""AutoGPT's ai_settings.yaml: ai_name, ai_role, ai_goals (at most 5), api_budget (USD, 0 = unlimited)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.state import AIConfig


class _AISettings(BaseModel):
    ai_name: str = Field(min_length=1)
    ai_role: str = Field(min_length=1)
    ai_goals: list[str] = Field(min_length=1, max_length=5)
    api_budget: float = Field(0.0, ge=0)


def load_ai_settings(path: str | Path) -> AIConfig:
    path = Path(path)
    if not path.is_file():
        raise AgentError(f"The AI settings file '{path}' does not exist.")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        return AIConfig(**_AISettings.model_validate(data).model_dump())
    except yaml.YAMLError as exc:
        raise AgentError(f"The AI settings file '{path}' is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"])) or "the file"
        raise AgentError(f"The AI settings file '{path}' is invalid: {field}: {first['msg']}.") from exc


def save_ai_settings(config: AIConfig, path: str | Path) -> None:
    Path(path).write_text(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True), "utf-8")
