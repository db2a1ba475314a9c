"""The runtime context: the live objects nodes need (models, tools, workspace, settings).

It is passed to the graph at invoke time (`context=`), never stored in checkpoints, so secrets
and clients stay out of state. Resuming a run rebuilds it from the run options saved in state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autogpt_graph.graph.file_history.recorder import FileHistory
from autogpt_graph.graph.memory.agent_memory import AgentMemory
from autogpt_graph.graph.llm.models import ModelSet, make_models
from autogpt_graph.graph.prompting.texts import check_prompts
from autogpt_graph.graph.studio.options import ServerContext
from autogpt_graph.graph.settings import Settings, get_settings
from autogpt_graph.graph.state import AgentState, RunOptions
from autogpt_graph.graph.steering.base import Facts, Steering
from autogpt_graph.graph.steering.choice import choose_steering
from autogpt_graph.tools.memory_add import build_memory_add
from autogpt_graph.tools.registry import ToolRegistry, build_registry
from autogpt_graph.tools.workspace import DEFAULT_WORKSPACE, Workspace



@dataclass
class AgentContext:
    models: ModelSet
    tools: ToolRegistry
    workspace: Workspace
    settings: Settings = field(default_factory=get_settings)
    now: Callable[[], datetime] = datetime.now
    # Options given when resuming (e.g. --continuous) take precedence over those saved in state.
    run_overrides: dict = field(default_factory=dict)
    memory: AgentMemory | None = None  # vector memory; None or backend "none" = off
    # What steers the model beyond AutoGPT v0.3.0 (graph/steering/); the base class steers nothing.
    steering: Steering = field(default_factory=Steering)
    files: FileHistory | None = None  # records the workspace after each step; None = FILE_HISTORY off
    # Told of what a node does while it waits (a model call's retries: graph/llm/retries.py), as data.
    on_notice: Callable[[dict], None] | None = None

    def record_files(self, state: AgentState) -> dict:
        """The state update that keys the workspace's files now to the checkpoint that follows."""
        if self.files is None:
            return {}
        record = self.files.record(self.workspace.root, state.get("files"))
        return {"files": record} if record != state.get("files") else {}

    @property
    def facts(self) -> Facts:
        """What steering rules may look at besides the state."""
        return Facts(self.workspace, self.tools)


def run_options(ctx: AgentContext, state: AgentState) -> RunOptions:
    return RunOptions(**{**state.get("run", {}), **ctx.run_overrides})


def run_tools(workspace: Workspace, settings: Settings, memory: AgentMemory, *, small: bool = False) -> ToolRegistry:
    """The commands a run has: the registry, memory_add when vector memory is on, less the disabled ones
    (and, for a small local model, LOCAL_DISABLED_COMMANDS)."""
    tools = build_registry(workspace, settings)
    if memory.enabled:
        tools = ToolRegistry([*tools, build_memory_add()])
    # DISABLED_COMMANDS again: memory_add joins after the registry applied it.
    return tools.without(f"{settings.disabled_commands},{settings.local_disabled_commands if small else ''}")


def make_context(run: RunOptions, settings: Settings | None = None, overrides: dict | None = None) -> AgentContext:
    settings = settings or get_settings()
    run = RunOptions(**{**run, **(overrides or {})})
    workspace = Workspace(Path(run.get("workspace") or DEFAULT_WORKSPACE))
    models = make_models(
        run.get("llm", "auto"), settings, gpt3only=run.get("gpt3only", False), gpt4only=run.get("gpt4only", False)
    )
    home = run_home(run, workspace)
    memory = AgentMemory(run.get("memory"), home, settings)
    check_prompts()  # a broken prompt file fails here, before the run starts
    steering = choose_steering(settings, models)
    tools = run_tools(workspace, settings, memory, small=models.small).with_aliases(dict(steering.aliases))
    return AgentContext(
        models=models, tools=tools, workspace=workspace, settings=settings,
        run_overrides=dict(overrides or {}), memory=memory, steering=steering,
        files=file_history(home, settings),
    )


def run_home(run: RunOptions, workspace: Workspace) -> Path:
    return Path(run.get("home") or workspace.root)


def file_history(home: Path, settings: Settings) -> FileHistory | None:
    return FileHistory(home, settings.file_history_max_bytes) if settings.file_history else None


_built: dict[tuple, AgentContext] = {}


def context_of(runtime, state: AgentState) -> AgentContext:
    """The invoke-time context, or one built from the run options when the caller gave none
    (plain `graph.invoke` calls) or gave only plain choices (a ServerContext from LangGraph Studio)."""
    given = getattr(runtime, "context", None)
    if isinstance(given, AgentContext):
        return given
    run = state.get("run", {})
    overrides = given.run_overrides() if isinstance(given, ServerContext) else {}
    key = (tuple(sorted(run.items())), tuple(sorted(overrides.items())))
    if key not in _built:
        _built[key] = make_context(run, overrides=overrides)
    return _built[key]
