"""Which steering a run gets (the STEERING setting).

- `auto` (the default): SmallModelSteering for the embedded local model and for the models named in
  SMALL_MODELS (a small model behind an OpenAI-compatible server), no steering for everything else:
  with OpenAI or Azure the loop is AutoGPT v0.3.0's;
- `off`, `small`: that one, whatever the model;
- `package.module:Class` (or `package.module.Class`): a user's own subclass of Steering.
"""

from __future__ import annotations

import importlib

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.models import ModelSet
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.steering.base import Steering
from autogpt_graph.graph.steering.guarded import GuardedSteering
from autogpt_graph.graph.steering.small import SmallModelSteering

BUILT_IN: dict[str, type[Steering]] = {"off": Steering, "small": SmallModelSteering}


def is_small(models: ModelSet, settings: Settings) -> bool:
    """The embedded model, or a model whose name contains an entry of SMALL_MODELS (case-insensitive)."""
    marked = [m.strip().lower() for m in settings.small_models.split(",") if m.strip()]
    names = {models.smart.name.lower(), models.fast.name.lower()}
    return models.small or any(m in name for m in marked for name in names)


def choose_steering(settings: Settings, models: ModelSet) -> Steering:
    """The steering STEERING names, behind the guard that keeps bad input from ending the run."""
    return GuardedSteering(_chosen(settings, models))


def _chosen(settings: Settings, models: ModelSet) -> Steering:
    choice = (settings.steering or "auto").strip()
    if choice == "auto":
        return SmallModelSteering() if is_small(models, settings) else Steering()
    if choice in BUILT_IN:
        return BUILT_IN[choice]()
    return _load(choice)()


def _load(path: str) -> type[Steering]:
    module_name, sep, class_name = path.partition(":") if ":" in path else path.rpartition(".")
    if not (sep and module_name and class_name):
        raise AgentError(f"Unknown STEERING '{path}': use auto, off, small, or a class as package.module:Class.")
    try:
        found = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise AgentError(f"STEERING '{path}' could not be loaded ({exc}); check the module and class name.") from exc
    if not (isinstance(found, type) and issubclass(found, Steering)):
        raise AgentError(f"STEERING '{path}' is not a subclass of autogpt_graph.graph.steering.base.Steering.")
    return found
