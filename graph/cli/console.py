"""What the CLI shows, in AutoGPT's words and colours.

Much of what is printed came from a model, a file or a command: every such text goes through `shown`,
which removes terminal control sequences (an escape sequence in a reply could retitle the terminal,
write the clipboard with OSC 52, clear the screen or hide text) and caps its length.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

# ESC-started sequences (CSI "ESC [ ... final", OSC "ESC ] ... BEL or ESC \\", DCS/SOS/PM/APC strings,
# two-byte escapes), their 8-bit C1 forms, and every other control character but newline and tab.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[@-Z\\-_]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]",
    re.DOTALL,
)
SHOWN_CHARS = 2000  # per printed text; the full text stays in the checkpoint (`autogpt history`)


def plain(text: object, limit: int = SHOWN_CHARS) -> str:
    """`text` safe to print as it is: control sequences removed, at most `limit` characters."""
    text = _CONTROL.sub("", str(text))
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return text


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """`text` safe to print through rich: plain(), with rich markup escaped."""
    return escape(plain(text, limit))


def print_columns(headers: list[str], rows: list[list[str]], whole: set[str]) -> None:
    """A table as plain lines that fit the console's width (80 when piped). The columns in `whole`
    (what later commands take as input: thread ids, step and cycle numbers, node names) are never cut;
    the others share what is left, cut with an ellipsis, dropped only when nothing is left."""
    rows = [[plain(cell).replace("\n", " ") for cell in row] for row in rows]
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    widths = list(natural)
    flexible = [i for i, h in enumerate(headers) if h not in whole]
    room = console.width - sum(natural[i] for i in range(len(headers)) if i not in flexible) - 2 * (len(headers) - 1)
    for n, i in enumerate(sorted(flexible, key=lambda i: natural[i])):  # narrow ones whole first
        widths[i] = max(0, min(natural[i], room // (len(flexible) - n)))
        room -= widths[i]
    shown_columns = [i for i in range(len(headers)) if widths[i] > 0]

    def line(cells: list[str]) -> str:
        out = [c if len(c) <= widths[i] else c[:widths[i] - 1] + "…" for i, c in ((i, cells[i]) for i in shown_columns)]
        return "  ".join(c.ljust(widths[i]) for c, i in zip(out, shown_columns)).rstrip()

    for cells in [headers, *rows]:
        console.out(line(cells), highlight=False)


console = Console(highlight=False, soft_wrap=True)  # long sentences stay on one line in logs
# What the run shows is also written, as plain text, to the workspace's run log while one is open
# (graph/cli/run_log.py); with none open it goes nowhere.
activity = logging.getLogger("autogpt_graph.activity")
activity.addHandler(logging.NullHandler())
activity.propagate = False


def _print(markup: str, level: int = logging.INFO, **options) -> None:
    console.print(markup, **options)
    activity.log(level, Text.from_markup(markup).plain)
AUTHORISE_HELP = (
    "Enter 'y' to authorise command, 'y -N' to run N continuous commands, 's' to run self-feedback "
    "commands, 'n' to exit program, or enter feedback for {name}..."
)


def while_waiting(steps: Iterable, label: str = "Thinking...") -> Iterator:
    """The steps, with a spinner and the elapsed time shown while the next one is awaited (the model
    thinks for 5-30 s a cycle on 2 cores; AutoGPT showed "Thinking..."). Only on a terminal: piped
    output gets no spinner lines."""
    steps = iter(steps)
    while True:
        if console.is_terminal:
            columns = (SpinnerColumn(), TextColumn(label), TimeElapsedColumn())
            with Progress(*columns, console=console, transient=True) as progress:
                progress.add_task(label, total=None)
                step = next(steps, None)
        else:
            step = next(steps, None)
        if step is None:
            return
        yield step


def show_ai_config(cfg: dict) -> None:
    _print(f"[green]{shown(cfg['ai_name'])}[/] here! I am at your service.")
    _print(f"[green]Name:[/] {shown(cfg['ai_name'])}")
    _print(f"[green]Role:[/] {shown(cfg['ai_role'])}")
    _print("[green]Goals:[/]")
    for goal in cfg["ai_goals"]:
        _print(f"- {shown(goal)}")
    if cfg.get("api_budget"):
        _print(f"[green]Budget:[/] ${cfg['api_budget']:.3f}")


def show_thoughts(ai_name: str, thoughts: dict, command: dict | None) -> None:
    _print(f"[yellow]{shown(ai_name.upper())} THOUGHTS:[/] {shown(thoughts.get('text', ''))}")
    if thoughts.get("reasoning"):  # the lean prompt (small local model) asks for none
        _print(f"[yellow]REASONING:[/] {shown(thoughts['reasoning'])}")
    plan = [line.lstrip("- ").strip() for line in thoughts.get("plan", "").splitlines() if line.strip()]
    if plan:
        _print("[yellow]PLAN:[/]")
        for line in plan:
            _print(f"[green]-[/]  {shown(line)}")
    if thoughts.get("criticism"):
        _print(f"[yellow]CRITICISM:[/] {shown(thoughts['criticism'])}")
    if command:
        args = json.dumps(command.get("args", {}), ensure_ascii=False)
        _print(
            f"[cyan]NEXT ACTION:[/]  COMMAND = [cyan]{shown(command['name'])}[/]  ARGUMENTS = [cyan]{shown(args)}[/]"
        )


def show_system(text: str, limit: int = SHOWN_CHARS) -> None:
    _print(f"[yellow]SYSTEM:[/]  {shown(text, limit)}")


def show_diff_line(line: str) -> None:
    """A unified diff line, coloured as git does (added green, removed red, hunk cyan)."""
    style = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else ""
    text = shown(line)
    _print(f"[{style}]{text}[/]" if style else text, highlight=False)


def show_note(text: str, style: str = "magenta") -> None:
    _print(f"[{style}]{shown(text)}[/]")


def show_error(text: str) -> None:
    _print(f"[red]Error:[/] {shown(text)}", logging.ERROR)


def ask(prompt: str) -> str | None:
    """A line from the user, or None when there is no one to ask (stdin closed)."""
    try:
        answer = console.input(f"[magenta]{shown(prompt)}[/] ")
        activity.info(f"{plain(prompt)} {plain(answer)}")
        return answer
    except EOFError:
        console.print()  # end the prompt's line, so what follows starts on its own
        return None
