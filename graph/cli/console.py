"""What the CLI shows, in AutoGPT's words and colours."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, soft_wrap=True)  # long sentences stay on one line in logs
AUTHORISE_HELP = (
    "Enter 'y' to authorise command, 'y -N' to run N continuous commands, 's' to run self-feedback "
    "commands, 'n' to exit program, or enter feedback for {name}..."
)


def show_ai_config(cfg: dict) -> None:
    console.print(f"[green]{escape(cfg['ai_name'])}[/] here! I am at your service.")
    console.print(f"[green]Name:[/] {escape(cfg['ai_name'])}")
    console.print(f"[green]Role:[/] {escape(cfg['ai_role'])}")
    console.print("[green]Goals:[/]")
    for goal in cfg["ai_goals"]:
        console.print(f"- {escape(goal)}")
    if cfg.get("api_budget"):
        console.print(f"[green]Budget:[/] ${cfg['api_budget']:.3f}")


def show_thoughts(ai_name: str, thoughts: dict, command: dict | None) -> None:
    console.print(f"[yellow]{escape(ai_name.upper())} THOUGHTS:[/] {escape(thoughts.get('text', ''))}")
    if thoughts.get("reasoning"):  # the lean prompt (small local model) asks for none
        console.print(f"[yellow]REASONING:[/] {escape(thoughts['reasoning'])}")
    plan = [line.lstrip("- ").strip() for line in thoughts.get("plan", "").splitlines() if line.strip()]
    if plan:
        console.print("[yellow]PLAN:[/]")
        for line in plan:
            console.print(f"[green]-[/]  {escape(line)}")
    if thoughts.get("criticism"):
        console.print(f"[yellow]CRITICISM:[/] {escape(thoughts['criticism'])}")
    if command:
        args = json.dumps(command.get("args", {}), ensure_ascii=False)
        console.print(
            f"[cyan]NEXT ACTION:[/]  COMMAND = [cyan]{escape(command['name'])}[/]  ARGUMENTS = [cyan]{escape(args)}[/]"
        )


def show_system(text: str, limit: int = 2000) -> None:
    shown = text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"
    console.print(f"[yellow]SYSTEM:[/]  {escape(shown)}")


def show_note(text: str, style: str = "magenta") -> None:
    console.print(f"[{style}]{escape(text)}[/]")


def show_error(text: str) -> None:
    console.print(f"[red]Error:[/] {escape(text)}")


def ask(prompt: str) -> str | None:
    """A line from the user, or None when there is no one to ask (stdin closed)."""
    try:
        return console.input(f"[magenta]{escape(prompt)}[/] ")
    except EOFError:
        console.print()  # end the prompt's line, so what follows starts on its own
        return None
