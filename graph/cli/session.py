"""Running and resuming a run at the terminal: the step driver, the human gate, the console's view of
each step, and the bodies of `autogpt run`, `resume` and `serve-local`. Imported when one of those
commands runs (graph/cli/app.py stays light, so `autogpt --help` starts fast)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

from autogpt_graph.graph.ai_settings import load_ai_settings, save_ai_settings
from autogpt_graph.graph.cli import console as ui
from autogpt_graph.graph.cli.run_log import run_log
from autogpt_graph.graph.cli.speech import start_speaker
from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.llm.local_model import NOT_INSTALLED, default_model_path
from autogpt_graph.graph.llm.models import check_model_spec
from autogpt_graph.graph.llm.pricing import check_budget
from autogpt_graph.graph.memory.agent_memory import check_backend
from autogpt_graph.graph.prompting.events import RESULT, event_text, set_aside_text
from autogpt_graph.graph.llm.retries import RETRYING, notice
from autogpt_graph.graph.runs.runner import FILES_RESTORED, INTERRUPT, AgentRunner, Step
from autogpt_graph.graph.settings import get_settings
from autogpt_graph.nodes.validate_json import stopped_on_unusable_replies
from autogpt_graph.tools.sandbox import describe_isolation


def _settings(allow_downloads: bool):
    """The settings from the environment, with the command line's switches applied."""
    settings = get_settings()
    return settings.model_copy(update={"allow_downloads": True}) if allow_downloads else settings


DEFAULT_SETTINGS_FILE = Path("ai_settings.yaml")


def _render(step: Step, ai_name: list[str], speaker=None) -> None:
    update = step.update
    if step.node == "decompose_goals" and update.get("ai_config"):
        ai_name[0] = update["ai_config"]["ai_name"]
        ui.show_ai_config(update["ai_config"])
        # As AutoGPT: the devised name, role and goals are saved, and the next start offers them back.
        save_ai_settings(update["ai_config"], DEFAULT_SETTINGS_FILE)
        ui.show_note(f"Saved to {DEFAULT_SETTINGS_FILE.resolve()}; the next `autogpt run` offers it back.")
    elif step.node == "validate_json" and update.get("command"):
        ui.show_thoughts(ai_name[0], update.get("thoughts", {}), update["command"])
        if speaker:
            speaker.say(update.get("thoughts", {}).get("speak", ""))
    elif step.node == "validate_json" and (update.get("invalid_replies") or update.get("push_backs")):
        # The problem as the model is told it (an unusable reply, or a push-back), shortened.
        told = ((update.get("prompt") or {}).get("retries") or [""])[-1]
        count = update.get("invalid_replies") or update.get("push_backs")
        ui.show_note(f"Asking the model again ({count}): {_shortened(told, 240)}", "red")
    elif step.node == "human_gate" and update.get("critique"):
        ui.show_note(f"SELF FEEDBACK: {update['critique']}")
    elif step.node == FILES_RESTORED:
        ui.show_note(update["note"], "cyan")
    elif step.node == "execute_tool":
        for event in update.get("history", []):
            if event["kind"] == RESULT:
                ui.show_system(event_text(event))
        if update.get("set_aside"):
            ui.show_note(set_aside_text(update["set_aside"]), "yellow")


def _show_notice(event: dict) -> None:
    """What a node tells while it waits (printed from its worker thread, over the spinner)."""
    if event.get("kind") == RETRYING:
        ui.show_note(notice(event), "yellow")


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis (never mid-word)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def drive(runner: AgentRunner, steps: Iterator[Step], ai_name: str, speak: bool = False) -> int:
    """Stream steps; at the human gate ask the user and resume with the answer."""
    speaker = start_speaker(runner.settings, ui.show_note) if speak else None
    runner.on_notice = _show_notice
    try:
        with run_log(runner.workspace):
            ui.activity.info(f"Run {runner.thread_id} in {runner.workspace}")
            try:
                return _drive_steps(runner, steps, ai_name, speaker)
            except Exception as exc:  # shown by the CLI's error handler; logged here with its traceback
                ui.activity.error(f"Run {runner.thread_id} failed: {exc}", exc_info=True)
                raise
    finally:
        if speaker:
            speaker.close()


def _drive_steps(runner: AgentRunner, steps: Iterator[Step], ai_name: str, speaker) -> int:
    name = [ai_name]
    thread = runner.thread_id
    try:
        while True:
            waiting = None
            for step in ui.while_waiting(steps):
                if step.node == INTERRUPT:
                    waiting = step.update
                else:
                    _render(step, name, speaker)
            if waiting is None:
                break
            if waiting.get("error"):
                ui.show_error(waiting["error"])
            ui.show_note(ui.AUTHORISE_HELP.format(name=name[0]))
            answer = ui.ask("Input:")
            if answer is None:
                ui.show_note(f"No input available. The run is paused; continue it with: autogpt resume --thread {thread} -w {runner.workspace}")
                return 0
            steps = runner.resume(thread, answer)
    except KeyboardInterrupt:
        ui.show_note(f"\nInterrupted. Continue the run with: autogpt resume --thread {thread} -w {runner.workspace}")
        return 130
    status = runner.status(thread)
    cost = status.usage.get("cost", 0.0)
    tokens = status.usage.get("prompt_tokens", 0) + status.usage.get("completion_tokens", 0)
    failed = stopped_on_unusable_replies(status.stop_reason)
    if not failed:
        ui.show_note(f"Run {thread} ended after {status.cycle} cycles: {status.stop_reason}")
    ui.show_note(f"Tokens used: {tokens}, cost ${cost:.4f}.", "cyan")
    if failed:  # the model's fault, not the task's end: say so, exit non-zero, and how to go on
        ui.show_error(f"{status.stop_reason} (run {thread} stopped after {status.cycle} cycles; ask the model "
                      f"again with: autogpt resume --thread {thread} -w {runner.workspace})")
        return 1
    return 0


def ai_config_for(ai_settings: Path | None, task: str | None, skip_reprompt: bool):
    """AutoGPT's start-up: an explicit settings file, the last settings (confirmed unless -y), or a task."""
    if ai_settings:
        return load_ai_settings(ai_settings), None
    if task:
        return None, task
    if DEFAULT_SETTINGS_FILE.is_file():
        cfg = load_ai_settings(DEFAULT_SETTINGS_FILE)
        if skip_reprompt:
            return cfg, None
        ui.show_note(f"Welcome back! Would you like me to return to being {cfg['ai_name']}?")
        ui.show_ai_config(cfg)
        if (ui.ask("Continue with the last settings? (y/n):") or "").strip().lower().startswith("y"):
            return cfg, None
    task = ui.ask("I want Auto-GPT to:")
    if not task or not task.strip():
        raise AgentError("No task given: pass one as an argument, e.g. autogpt run \"Write a haiku to haiku.txt\".")
    return None, task.strip()


def run(*, task, continuous, continuous_limit, ai_settings, skip_reprompt, gpt3only, gpt4only, workspace, thread,
        llm, budget, checkpointer, allow_downloads, speak, use_memory, memory_namespace) -> int:
    """`autogpt run`: start a new run and drive it."""
    if continuous_limit and not continuous:
        raise AgentError("--continuous-limit can only be used with --continuous.")
    if gpt3only and gpt4only:
        raise AgentError("Choose either --gpt3only or --gpt4only, not both.")
    if use_memory is not None:
        check_backend(use_memory)
    # Checked before the runner creates the workspace and its checkpoint database.
    check_budget(budget)
    settings = _settings(allow_downloads)
    check_model_spec(llm, settings)
    cfg, the_task = ai_config_for(ai_settings, task, skip_reprompt)
    with AgentRunner(workspace, checkpointer=checkpointer, settings=settings) as runner:
        steps = runner.start(
            task=the_task, ai_config=cfg, thread_id=thread, llm=llm, continuous=continuous,
            continuous_limit=continuous_limit, gpt3only=gpt3only, gpt4only=gpt4only, api_budget=budget,
            memory=use_memory, memory_namespace=memory_namespace,
        )
        ui.show_note(f"Run {runner.thread_id} in {runner.workspace}")
        ui.show_note(describe_isolation(runner.settings), "cyan")
        if continuous:
            ui.show_note("Continuous mode: commands run without authorisation. Use at your own risk.", "red")
        if cfg:
            ui.show_ai_config(cfg)
        return drive(runner, steps, cfg["ai_name"] if cfg else "AutoGPT", speak)


def resume(*, thread, workspace, continuous, continuous_limit, checkpointer, allow_downloads, speak) -> int:
    """`autogpt resume`: continue a run from its last checkpoint and drive it."""
    with AgentRunner(workspace, checkpointer=checkpointer, create=False, settings=_settings(allow_downloads)) as runner:
        status = runner.status(thread)
        name = (status.ai_config or {}).get("ai_name", "AutoGPT")
        runner.thread_id = thread
        ui.show_note(f"Resuming {thread} at cycle {status.cycle}.")
        if status.waiting is not None:
            steps: Iterator[Step] = iter([Step(INTERRUPT, status.waiting)])
            ui.show_thoughts(name, status.waiting.get("thoughts", {}), status.waiting.get("command"))
            if continuous:
                steps = runner.resume(thread, "y", continuous=True, continuous_limit=continuous_limit)
        else:
            steps = runner.resume(thread, continuous=continuous, continuous_limit=continuous_limit)
        return drive(runner, steps, name, speak)


def serve_local(*, port, host, model) -> int:
    """`autogpt serve-local`: become llama-cpp-python's OpenAI-compatible server for the local model."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        raise AgentError(NOT_INSTALLED) from exc
    path = model or default_model_path()
    if not Path(path).is_file():
        raise AgentError(f"The model file '{path}' does not exist.")
    settings = get_settings()
    url = f"http://{host}:{port}/v1"
    ui.show_note(f"Serving {Path(path).name} as model 'local' at {url}. Use it with:")
    ui.show_note(f"  OPENAI_BASE_URL={url} SMART_LLM_MODEL=local FAST_LLM_MODEL=local SMALL_MODELS=local "
                 f"SMART_TOKEN_LIMIT={settings.local_context} DISABLED_COMMANDS={settings.local_disabled_commands} "
                 "autogpt run --llm openai ...", "cyan")
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", "local",
        "--host", host, "--port", str(port), "--n_ctx", str(settings.local_context),
        # The server defaults to half the cores; all of them is ~40% faster here (LOCAL_MODEL.md).
        "--n_threads", str(settings.local_threads),
    ]
    # The server replaces this process (same pid): SIGTERM from systemd, docker or a test's
    # terminate() reaches it directly, and no child is left holding the port and the model's memory.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)
