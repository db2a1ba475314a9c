"""The `autogpt` command: one Typer app whose subcommands each import what they need when they run
(their bodies live in graph/cli/session.py, threads.py, eval.py, ingest.py), so that `autogpt --help`
and `autogpt CMD --help` never load LangChain, LangGraph or numpy (benchmarks/startup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from autogpt_graph.graph.cli import threads as cli_threads
from autogpt_graph.graph.cli.errors import friendly
from autogpt_graph.graph.cli.eval import eval_command
from autogpt_graph.graph.cli.ingest import ingest_command
from autogpt_graph.tools.workspace import DEFAULT_WORKSPACE

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="AutoGPT v0.3.0's agent loop as a checkpointed LangGraph graph.",
)

Workspace = Annotated[Path, typer.Option("-w", "--workspace-directory", help="Folder the agent works in.")]
Continuous = Annotated[bool, typer.Option("-c", "--continuous", help="Run commands without asking for authorisation.")]
Limit = Annotated[int, typer.Option("-l", "--continuous-limit", min=0, help="Stop after N cycles (with --continuous).")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
AllowDownloads = Annotated[bool, typer.Option("--allow-downloads", help="Let the agent download files (download_file).")]
Speak = Annotated[bool, typer.Option("--speak", help="Say the agent's thoughts aloud (ElevenLabs or the system's TTS).")]


def _session():
    """The run-driving code, imported when a command that runs the agent starts."""
    from autogpt_graph.graph.cli import session

    return session


@app.command()
def run(
    task: Annotated[Optional[str], typer.Argument(help="What the agent should do.")] = None,
    continuous: Continuous = False,
    continuous_limit: Limit = 0,
    ai_settings: Annotated[Optional[Path], typer.Option("-C", "--ai-settings", help="ai_settings.yaml to use (implies -y).")] = None,
    skip_reprompt: Annotated[bool, typer.Option("-y", "--skip-reprompt", help="Use the last AI settings without asking.")] = False,
    gpt3only: Annotated[bool, typer.Option("--gpt3only", help="Use the fast model for everything.")] = False,
    gpt4only: Annotated[bool, typer.Option("--gpt4only", help="Use the smart model for everything.")] = False,
    workspace: Workspace = Path(DEFAULT_WORKSPACE),
    thread: Annotated[Optional[str], typer.Option("--thread", help="Name of this run (for resume).")] = None,
    llm: Annotated[str, typer.Option("--llm", help="auto, openai[:MODEL], azure or script:FILE.")] = "auto",
    budget: Annotated[float, typer.Option("--budget", help="API budget in USD for a task run (0 = unlimited).")] = 0.0,
    checkpointer: Annotated[Optional[str], typer.Option("--checkpointer", help="sqlite (default), sqlite:PATH, postgres://... or memory.")] = None,
    allow_downloads: AllowDownloads = False,
    speak: Speak = False,
    use_memory: Annotated[Optional[str], typer.Option("-m", "--use-memory", help="Vector memory: faiss (default), redis or none.")] = None,
    memory_namespace: Annotated[Optional[str], typer.Option("--memory-namespace", help="Whose memory (default: the agent's name).")] = None,
    debug: Debug = False,
) -> None:
    """Start a new run."""

    def work() -> int:
        return _session().run(
            task=task, continuous=continuous, continuous_limit=continuous_limit, ai_settings=ai_settings,
            skip_reprompt=skip_reprompt, gpt3only=gpt3only, gpt4only=gpt4only, workspace=workspace, thread=thread,
            llm=llm, budget=budget, checkpointer=checkpointer, allow_downloads=allow_downloads, speak=speak,
            use_memory=use_memory, memory_namespace=memory_namespace,
        )

    friendly(debug, work)


@app.command()
def resume(
    thread: Annotated[str, typer.Option("--thread", help="The run to continue.")],
    workspace: Workspace = Path(DEFAULT_WORKSPACE),
    continuous: Annotated[Optional[bool], typer.Option("--continuous/--no-continuous", "-c", help="Override the run's mode for this session.")] = None,
    continuous_limit: Annotated[Optional[int], typer.Option("-l", "--continuous-limit", min=0, help="Override the cycle limit.")] = None,
    checkpointer: Annotated[Optional[str], typer.Option("--checkpointer")] = None,
    allow_downloads: AllowDownloads = False,
    speak: Speak = False,
    debug: Debug = False,
) -> None:
    """Continue a run from its last checkpoint (after Ctrl-C, a crash or a kill)."""

    def work() -> int:
        return _session().resume(thread=thread, workspace=workspace, continuous=continuous,
                                 continuous_limit=continuous_limit, checkpointer=checkpointer,
                                 allow_downloads=allow_downloads, speak=speak)

    friendly(debug, work)


app.command("ingest")(ingest_command)
app.command("eval")(eval_command)


@app.command("serve-local")
def serve_local(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (or --host).")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    model: Annotated[Optional[Path], typer.Option("--model", help="A GGUF file (default: the embedded model).")] = None,
    debug: Debug = False,
) -> None:
    """Serve the local model as an OpenAI-compatible API (llama-cpp-python's server), for --llm openai,
    LangGraph Studio and notebooks."""

    def work() -> int:
        return _session().serve_local(port=port, host=host, model=model)

    friendly(debug, work)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workspaces: Annotated[Path, typer.Option("--workspaces", help="Folder of the tasks' workspaces (a shared folder when scaled out).")] = Path("agent_workspaces"),
    checkpointer: Annotated[Optional[str], typer.Option("--checkpointer", help="sqlite (default, in --workspaces), sqlite:PATH, postgres://... (to scale out) or memory.")] = None,
    llm: Annotated[str, typer.Option("--llm", help="auto, local[:PATH.gguf], openai[:MODEL], azure or script:FILE.")] = "auto",
    allow_downloads: AllowDownloads = False,
    debug: Debug = False,
) -> None:
    """Serve the agent over HTTP as the Agent Protocol v1 (tasks, steps, artifacts), as agbenchmark drives it."""

    def work() -> int:
        from autogpt_graph.graph.cli.serve import serve as serve_body

        return serve_body(host, port, workspaces, checkpointer, llm, allow_downloads)

    friendly(debug, work)


@app.command("ui")
def ui(
    workspace: Workspace = Path(DEFAULT_WORKSPACE),
    checkpointer: Annotated[Optional[str], typer.Option("--checkpointer", help="sqlite (default), sqlite:PATH or postgres://...")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    token: Annotated[Optional[str], typer.Option("--token", envvar="AUTOGPT_UI_TOKEN", help="Access token the page asks for.")] = None,
    debug: Debug = False,
) -> None:
    """A local web page for the workspace's runs: watch them live, answer the human gate, read the
    history, replay and fork from a step, browse the files. Offline; nothing leaves the machine."""

    def work() -> int:
        from autogpt_graph.graph.webui.serve import serve

        return serve(workspace=workspace, checkpointer=checkpointer, host=host, port=port, token=token)

    friendly(debug, work)


# threads, history, replay, fork
cli_threads.register(app, friendly, lambda *args: _session().drive(*args))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
