"""Which shell command lines execute_shell may run: SHELL_COMMAND_CONTROL with SHELL_ALLOWLIST or
SHELL_DENYLIST (AutoGPT's later settings).

The line is parsed as bash parses it (bashlex), and every simple command in it is checked, including
those inside loops, conditionals and substitutions, by the program it resolves to: `env sudo x`,
`timeout 5 sudo x` and `nice su` run sudo/su, not env/timeout/nice. A program whose name is built
at run time (`$(echo su)do`, `$X`) cannot be checked and is refused in both modes.

The allowlist is the mode to use: only named programs run, and command substitution is refused. A
denylist of words cannot hold: a model can write a script that calls the program, or reach it through
an interpreter (`bash -c`, `python -c`); it only stops the obvious. Never allowlist an interpreter or a
program that runs its arguments (bash, sh, python, xargs, find -exec) if the list is meant to confine.
"""

from __future__ import annotations

import os
import shlex

import bashlex

# Programs that run the program named in their arguments; the check looks through them.
WRAPPERS = {"env", "nice", "nohup", "timeout", "command", "exec", "time", "stdbuf", "setsid", "ionice",
            "chrt", "taskset", "sudo", "doas", "builtin"}
_DYNAMIC = {"commandsubstitution", "processsubstitution", "parameter", "tilde"}


class _Unchecked(ValueError):
    """A program name that is only known when the line runs."""


def _names(setting: str) -> set[str]:
    return {n.strip() for n in setting.split(",") if n.strip()}


def _literal(word) -> str:
    if any(part.kind in _DYNAMIC for part in getattr(word, "parts", [])):
        raise _Unchecked(word.word)
    return os.path.basename(word.word)


def _programs(words: list) -> list[str]:
    """The programs one simple command runs: its first word, and through wrappers the program each one
    runs (the first argument that is not an option, an assignment or a number)."""
    programs = [_literal(words[0])]
    rest = words[1:]
    while programs[-1] in WRAPPERS and rest:
        word, rest = rest[0], rest[1:]
        text = word.word
        if text.startswith("-") or ("=" in text and not text.startswith("=")) or text.replace(".", "").isdigit():
            continue
        programs.append(_literal(word))
    return programs


def parse(command_line: str) -> tuple[list[str], bool]:
    """(every program the line runs, whether it has command or process substitution)."""
    found: list[str] = []
    substitution = False

    class Visitor(bashlex.ast.nodevisitor):
        def visitcommand(self, node, parts):
            words = [p for p in parts if p.kind == "word"]
            if words:
                found.extend(_programs(words))

        def visitcommandsubstitution(self, node, command):
            nonlocal substitution
            substitution = True

        def visitprocesssubstitution(self, node, command):
            nonlocal substitution
            substitution = True

    for tree in bashlex.parse(command_line):
        Visitor().visit(tree)
    return found, substitution


def _shlex_names(command_line: str) -> list[str]:
    """The first word of each command, for lines bash accepts but bashlex does not (denylist mode only)."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    names, at_start = [], True
    for token in lexer:
        if set(token) <= set(";&|()\n"):
            at_start = True
        elif at_start and not ("=" in token and not token.startswith("=")):
            names.append(os.path.basename(token))
            at_start = token in WRAPPERS
    return names


def refusal(command_line: str, settings) -> str | None:
    """Why the line may not run, as one sentence for the model; None when it may."""
    allowlist = settings.shell_command_control == "allowlist"
    if not command_line.strip():
        return "The command line is empty."
    try:
        names, substitution = parse(command_line)
    except _Unchecked as exc:
        return (f"The program to run must be named literally, not built when the line runs ({exc}); "
                "name the program itself.")
    except Exception as exc:  # noqa: BLE001 - bashlex raises its own errors and NotImplementedError
        if allowlist:
            return f"The command line could not be checked ({exc}); use plain commands joined with ;, && or |."
        try:
            names, substitution = _shlex_names(command_line), False
        except ValueError as exc2:
            return f"The command line could not be parsed ({exc2}); check its quotes."
    if allowlist:
        allowed = _names(settings.shell_allowlist)
        if substitution:
            return "Command substitution ($(...), backticks or <(...)) is not allowed with the shell allowlist."
        bad = [n for n in names if n not in allowed]
        if bad:
            return f"Not allowed to run {', '.join(sorted(set(bad)))}: only {', '.join(sorted(allowed)) or 'nothing'} may run."
        return None
    denied = [n for n in names if n in _names(settings.shell_denylist)]
    if denied:
        return f"Not allowed to run {', '.join(sorted(set(denied)))}: it is on the shell denylist."
    return None


def command_names(command_line: str) -> list[str]:
    """Every program the line runs (see parse)."""
    return parse(command_line)[0]
