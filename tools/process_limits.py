"""Resource limits for one sandboxed execution: rlimits per process, and a process cap for the whole tree.

RLIMIT_NPROC does not bind root (the kernel exempts uid 0), and agents often run as root in
containers. So the process cap is a pids cgroup when one can be created (cgroup v1 `pids` hierarchy
or a cgroup v2 tree with the pids controller delegated); otherwise RLIMIT_NPROC for non-root users;
otherwise none, and `describe()` says so.
"""

from __future__ import annotations

import os
import resource
import uuid
from dataclasses import dataclass
from pathlib import Path

_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


@dataclass(frozen=True)
class Limits:
    timeout: float  # wall clock, seconds
    cpu_seconds: int
    memory_mb: int
    max_processes: int
    file_size_mb: int
    output_chars: int

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            timeout=settings.sandbox_timeout, cpu_seconds=settings.sandbox_cpu_seconds,
            memory_mb=settings.sandbox_memory_mb, max_processes=settings.sandbox_max_processes,
            file_size_mb=settings.sandbox_file_size_mb, output_chars=settings.sandbox_output_chars,
        )


def _pids_cgroup_root() -> Path | None:
    for root in _CGROUP_ROOTS:
        controllers = root / "cgroup.controllers"
        if controllers.exists():  # cgroup v2: pids must be enabled for children
            subtree = root / "cgroup.subtree_control"
            ok = "pids" in controllers.read_text() and subtree.exists() and "pids" in subtree.read_text()
        else:  # cgroup v1: the pids hierarchy itself
            ok = root.name == "pids" and (root / "cgroup.procs").exists()
        if ok and os.access(root, os.W_OK):
            return root
    return None


class PidsCgroup:
    """A throwaway pids cgroup: the child joins it before exec; everything left in it is killed after."""

    def __init__(self, root: Path, max_processes: int):
        self.path = root / f"autogpt-sandbox-{uuid.uuid4().hex[:12]}"
        self.path.mkdir()
        (self.path / "pids.max").write_text(str(max_processes))
        self._procs = str(self.path / "cgroup.procs").encode()

    def join_fd(self) -> int:
        """Opened in the parent, so the child (between fork and exec) only has to write its pid."""
        return os.open(self._procs, os.O_WRONLY)

    def hit_limit(self) -> bool:
        events = self.path / "pids.events"
        try:
            return any(line.split()[1] != "0" for line in events.read_text().splitlines() if line.startswith("max"))
        except OSError:
            return False

    def kill_all(self) -> None:
        for _ in range(50):  # a fork loop may respawn while we kill; pids.max bounds how many
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass

    def remove(self) -> None:
        self.kill_all()
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError:
                import time

                time.sleep(0.01)


def process_cap_kind() -> str:
    """How the process count is limited here: "cgroup", "rlimit" or "none"."""
    if _pids_cgroup_root() is not None:
        return "cgroup"
    return "rlimit" if os.geteuid() != 0 else "none"


def open_pids_cgroup(limits: Limits) -> PidsCgroup | None:
    root = _pids_cgroup_root()
    if root is None:
        return None
    try:
        return PidsCgroup(root, limits.max_processes)
    except OSError:
        return None


def preexec(limits: Limits, cgroup_fd: int | None):
    """The function the child runs between fork and exec: join the cgroup, lower its priority, set rlimits.
    Only system calls here (no imports, no allocation-heavy work): the parent may have threads."""
    mb = 1024 * 1024
    rlimits = [
        (resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * mb),
        (resource.RLIMIT_CORE, 0),
    ]
    if cgroup_fd is None and os.geteuid() != 0:
        rlimits.append((resource.RLIMIT_NPROC, limits.max_processes))

    def run() -> None:
        if cgroup_fd is not None:
            os.write(cgroup_fd, str(os.getpid()).encode())
        os.nice(5)  # the agent and the model keep their share of the CPU
        for kind, value in rlimits:
            hard = value + 1 if kind == resource.RLIMIT_CPU else value  # SIGXCPU at soft, SIGKILL at hard
            resource.setrlimit(kind, (value, hard))

    return run
