"""Which shell command lines execute_shell may run: SHELL_COMMAND_CONTROL with SHELL_DENYLIST or
SHELL_ALLOWLIST (AutoGPT's later settings). Every command of a line is checked, not only the first:
`ls; sudo x`, `a && su`, `a | sudo b` all name sudo. Command substitution can hide a command from
this check, so an allowlist refuses it outright."""

from __future__ import annotations

import os
import shlex

_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "|&", ";;", "\n"}


def _names(setting: str) -> set[str]:
    return {n.strip() for n in setting.split(",") if n.strip()}


def command_names(command_line: str) -> list[str]:
    """The program named at the start of each command in the line (paths reduced to their base name)."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    names, at_start = [], True
    for token in lexer:
        if token in _SEPARATORS or set(token) <= set(";&|()"):
            at_start = True
            continue
        if at_start:
            if "=" in token and not token.startswith("="):  # VAR=value prefix: the command comes next
                continue
            names.append(os.path.basename(token))
            at_start = False
    return names


def refusal(command_line: str, settings) -> str | None:
    """Why the line may not run, as one sentence for the model; None when it may."""
    try:
        names = command_names(command_line)
    except ValueError as exc:
        return f"The command line could not be parsed ({exc}); check its quotes."
    if not names:
        return "The command line is empty."
    if settings.shell_command_control == "allowlist":
        allowed = _names(settings.shell_allowlist)
        if "$(" in command_line or "`" in command_line:
            return "Command substitution ($(...) or backticks) is not allowed with the shell allowlist."
        bad = [n for n in names if n not in allowed]
        if bad:
            return f"Not allowed to run {', '.join(sorted(set(bad)))}: only {', '.join(sorted(allowed)) or 'nothing'} may run."
    else:
        denied = [n for n in names if n in _names(settings.shell_denylist)]
        if denied:
            return f"Not allowed to run {', '.join(sorted(set(denied)))}: it is on the shell denylist."
    return None
