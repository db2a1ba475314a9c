"""The sandbox that runs the model's code and shell commands.

Always: the working directory is the workspace; a wall-clock timeout; CPU, memory, file-size and
process limits (tools/process_limits.py); a minimal environment, so API keys and other secrets in the
agent's environment never reach the child; output capped; the whole process tree killed at the end.

Where bubblewrap (`bwrap`, Debian package `bubblewrap`) works on the machine, also: only the system
folders and the Python installation are visible, read-only; the workspace is the only writable place
(the agent's own `.autogpt` folder inside it is hidden); `/tmp` is a private tmpfs; no network (a new,
empty network namespace); its own PID namespace, so nothing survives the execution.

bubblewrap needs either root or unprivileged user namespaces; `bwrap_usable()` tries it once and the
sandbox falls back to limits only when it fails. `describe_isolation()` says which is active, for the
run's banner.
"""

from __future__ import annotations

import functools
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autogpt_graph.graph.errors import AgentError
from autogpt_graph.graph.settings import Settings
from autogpt_graph.tools.process_limits import Limits, open_pids_cgroup, preexec, process_cap_kind
from autogpt_graph.tools.workspace import Workspace, scan_tree

# Visible read-only inside bubblewrap (when they exist); symlinks (/bin -> usr/bin) are recreated as such.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
# Words in variable names that mark a secret: never passed through, whatever the settings say.
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH")


# A user namespace with no capabilities, as "nobody": started by root, bubblewrap would otherwise keep
# root's capabilities inside, and the code could simply remount the read-only system writable.
_NAMESPACES = ("--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
               "--unshare-pid", "--unshare-net", "--die-with-parent")


@functools.cache
def bwrap_usable(binary: str | None = None) -> bool:
    """bubblewrap is installed and can create the namespaces we ask for on this machine."""
    binary = binary or shutil.which("bwrap")
    if not binary:
        return False
    try:
        probe = subprocess.run(
            [binary, *_NAMESPACES, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"],
            capture_output=True, timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def active_isolation(settings) -> str:
    """ "bubblewrap" or "rlimits"; AgentError when bubblewrap is required but does not work here."""
    wanted = settings.sandbox_isolation
    if wanted == "rlimits":
        return "rlimits"
    if bwrap_usable():
        return "bubblewrap"
    if wanted == "bubblewrap":
        raise AgentError(
            "SANDBOX_ISOLATION=bubblewrap, but bwrap is missing or cannot create namespaces here; install the "
            "Debian package bubblewrap (and allow user namespaces), or set SANDBOX_ISOLATION=auto."
        )
    return "rlimits"


def describe_isolation(settings: Settings) -> str:
    """One line for the run's banner: which isolation code execution gets on this machine."""
    limits = Limits.from_settings(settings)
    cap = {"cgroup": f"{limits.max_processes} processes (pids cgroup)",
           "rlimit": f"{limits.max_processes} processes (RLIMIT_NPROC)",
           "none": "no process cap (root without a pids cgroup)"}[process_cap_kind()]
    try:
        kind = active_isolation(settings)
    except AgentError as exc:
        return f"Sandbox: unavailable: {exc}"
    where = (
        "bubblewrap (read-only system, workspace the only writable folder, no network)" if kind == "bubblewrap"
        else "resource limits only (no bubblewrap here: the file system and network are NOT isolated)"
    )
    shell = "shell commands on" if settings.execute_local_commands else "shell commands off"
    return (f"Sandbox: {where}; {limits.timeout:g} s, {limits.cpu_seconds} s CPU, {limits.memory_mb} MB, {cap}; "
            f"secrets scrubbed from the environment; {shell}.")


def minimal_env(workspace: Workspace, passthrough: str = "") -> dict[str, str]:
    """The child's whole environment: nothing inherited but the variables named in `passthrough`
    that don't look like secrets."""
    env = {
        "PATH": SAFE_PATH, "HOME": str(workspace.root), "TMPDIR": "/tmp", "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name in (n.strip() for n in passthrough.split(",")):
        if name and name in os.environ and not any(w in name.upper() for w in _SECRET_WORDS):
            env[name] = os.environ[name]
    return env


def bwrap_argv(workspace: Workspace, extra_ro: tuple[str, ...] = ()) -> list[str]:
    argv = [shutil.which("bwrap") or "bwrap", *_NAMESPACES, "--new-session", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox"]
    for path in SYSTEM_PATHS:
        p = Path(path)
        if p.is_symlink():
            argv += ["--symlink", os.readlink(p), path]
        elif p.is_dir():
            argv += ["--ro-bind", path, path]
    # The private /tmp first: a venv or workspace under /tmp (a CI checkout) is mounted on top of it.
    argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    bound = sorted({*_python_paths(), *extra_ro})
    for path in bound:
        argv += ["--ro-bind-try", path, path]
    # Inside, "nobody" is the agent's own uid outside: started as root, the code could read root-owned
    # files no one else may (/etc/shadow, private keys). Those are hidden: an empty file or folder in
    # their place. (A real unprivileged uid outside could not write the root-owned workspace.)
    for path in private_paths(tuple(p for p in ("/etc", *bound) if Path(p).is_dir())) if os.geteuid() == 0 else ():
        argv += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    root = str(workspace.root)
    argv += ["--bind", root, root]
    reserved = workspace.root / Workspace.RESERVED
    if reserved.is_dir():  # the agent's checkpoints: neither readable nor writable from inside
        argv += ["--tmpfs", str(reserved)]
    return argv + ["--chdir", root, "--"]


@functools.cache
def private_paths(tops: tuple[str, ...]) -> tuple[str, ...]:
    """Files not readable, and folders not searchable, by other users under `tops` (walked once per
    process, iteratively: ~1.8 s for /etc, a Python prefix and a venv with torch, ~140,000 entries)."""
    found: list[str] = []

    def enter(folder: os.DirEntry, depth: int) -> bool:  # a folder others may not search is hidden whole
        try:
            return bool(folder.stat(follow_symlinks=False).st_mode & stat.S_IXOTH)
        except OSError:
            return False

    for top in tops:
        for entry, _ in scan_tree(top, enter):
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if (stat.S_ISDIR(mode) and not mode & stat.S_IXOTH) or (stat.S_ISREG(mode) and not mode & stat.S_IROTH):
                found.append(entry.path)
    return tuple(sorted(found))


def _python_paths() -> set[str]:
    """The interpreter the sandbox runs Python with, wherever it is installed (a venv, pyenv)."""
    paths = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)}
    return {p for p in paths if not any(p == s or p.startswith(s + "/") for s in SYSTEM_PATHS)}


@dataclass
class Outcome:
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    notes: list[str] = field(default_factory=list)  # why the sandbox stopped or limited the process

    def for_model(self) -> str:
        status = "Exit code: " + (str(self.exit_code) if self.exit_code is not None else "none (killed)")
        if self.exit_code is not None and self.exit_code < 0:
            status = f"Killed by signal {signal.Signals(-self.exit_code).name}"
        lines = [*self.notes, status + "."]
        lines.append("STDOUT:\n" + (self.stdout or "(empty)"))
        if self.stderr:
            lines.append("STDERR:\n" + self.stderr)
        return "\n".join(lines)


class _CappedReader(threading.Thread):
    """Drains a pipe, keeping the first `cap` characters: a child printing forever can't fill memory."""

    def __init__(self, pipe, cap: int):
        super().__init__(daemon=True)
        self.pipe, self.cap = pipe, cap
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        limit = self.cap * 4  # bytes: enough for `cap` characters of UTF-8
        while chunk := self.pipe.read1(65536) if hasattr(self.pipe, "read1") else self.pipe.read(65536):
            self.total += len(chunk)
            if len(self.kept) < limit:
                self.kept += chunk[: limit - len(self.kept)]

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.total > len(self.kept) or len(text) > self.cap:
            text = text[: self.cap] + f"\n[... output cut: {self.total} bytes in all, the first {self.cap} characters shown]"
        return text


class Sandbox:
    def __init__(self, workspace: Workspace, settings):
        self.workspace = workspace
        self.settings = settings
        self.limits = Limits.from_settings(settings)

    @property
    def isolation(self) -> str:
        return active_isolation(self.settings)

    def run(self, argv: list[str], stdin: bytes | None = None) -> Outcome:
        """Run `argv` in the sandbox, from the workspace root. Never raises for what the child does."""
        limits = self.limits
        full = (bwrap_argv(self.workspace) if self.isolation == "bubblewrap" else []) + argv
        cgroup = open_pids_cgroup(limits)
        fd = cgroup.join_fd() if cgroup else None
        started = time.monotonic()
        notes: list[str] = []
        try:
            proc = subprocess.Popen(
                full, cwd=self.workspace.root, env=minimal_env(self.workspace, self.settings.sandbox_env_passthrough),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True, preexec_fn=preexec(limits, fd), close_fds=True,
            )
        except OSError as exc:
            if cgroup:
                os.close(fd)
                cgroup.remove()
            return Outcome(None, "", "", 0.0, [f"The sandbox could not start {argv[0]!r}: {exc.strerror or exc}."])
        if fd is not None:
            os.close(fd)
        readers = [_CappedReader(proc.stdout, limits.output_chars), _CappedReader(proc.stderr, limits.output_chars)]
        for r in readers:
            r.start()
        if stdin is not None:
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:
                pass
        code = _wait(proc, limits.timeout)
        if code is None:
            notes.append(f"Stopped: the time limit of {limits.timeout:g} seconds was reached.")
        # Whatever is left (a timed-out child, background processes it started) is killed.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if cgroup:
            if cgroup.hit_limit():
                notes.append(f"The process limit ({limits.max_processes}) was reached: further processes could not start.")
            cgroup.remove()
        if code is None:
            proc.wait()  # reap it; the result stays "killed"
        for r in readers:
            r.join(timeout=2)
        out, err = readers[0].text(), readers[1].text()
        notes += _limit_notes(code, err, limits)
        return Outcome(code, out, err, time.monotonic() - started, notes)


def _wait(proc: subprocess.Popen, timeout: float) -> int | None:
    """The exit code, or None at the timeout. Popen.wait(timeout) polls with sleeps of up to 50 ms, which
    would add that to every execution; a pidfd becomes readable the moment the process exits."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # not Linux >= 5.3
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return proc.wait() if ready else None


def _limit_notes(code: int | None, stderr: str, limits: Limits) -> list[str]:
    notes = []
    if code == -signal.SIGXCPU or code == -signal.SIGKILL and "CPU" in stderr:
        notes.append(f"Stopped: the CPU time limit of {limits.cpu_seconds} seconds was reached.")
    if code == -signal.SIGXFSZ:
        notes.append(f"Stopped: a file grew past the size limit of {limits.file_size_mb} MB.")
    if "MemoryError" in stderr or "Cannot allocate memory" in stderr or "std::bad_alloc" in stderr:
        notes.append(f"The sandbox allows {limits.memory_mb} MB of memory per process; the allocation failed.")
    if "Resource temporarily unavailable" in stderr or "Cannot fork" in stderr:
        notes.append(f"The sandbox allows {limits.max_processes} processes; starting more failed.")
    return notes
