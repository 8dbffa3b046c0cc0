"""Background server processes: pid files, port checks, start, health wait and stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from adology.errors import PortInUseError, StackError
from adology.logs import get_logger

log = get_logger(__name__)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_ports(ports: Sequence[int], *, part: str, setting: str) -> None:
    for port in ports:
        if not port_is_free(port):
            raise PortInUseError(port=port, part=part, setting=setting)


@dataclass(frozen=True)
class PidFile:
    """A pid file plus the command-line fragment that proves the pid is still our process.

    A pid alone is not enough: after a crash and reboot the number may belong to anything.
    """

    path: Path
    marker: str

    def read(self) -> int | None:
        try:
            return int(self.path.read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def write(self, pid: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def live_pid(self) -> int | None:
        """The recorded pid if that process is alive and is ours; cleans a stale file."""
        pid = self.read()
        if pid is None:
            if self.path.exists():
                log.warning("removing unreadable pid file", extra={"pid_file": str(self.path)})
                self.remove()
            return None
        if _is_our_process(pid, self.marker):
            return pid
        log.warning(
            "removing stale pid file: process is gone or is not ours",
            extra={"pid_file": str(self.path), "pid": pid},
        )
        self.remove()
        return None


def _is_our_process(pid: int, marker: str) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return marker in " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def spawn(command: Sequence[str], *, log_path: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start ``command`` detached from this process group, output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    return process.pid


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    log_path: Path | None = None,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll ``check`` until it is true; fail with the log's tail if it times out or the process dies."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if check():
            return
        if alive is not None and not alive():
            raise StackError(f"{what} exited during start-up{_log_tail(log_path)}")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    raise StackError(f"{what} did not become healthy within {timeout:.0f}s{_log_tail(log_path)}")


def _log_tail(log_path: Path | None, lines: int = 20) -> str:
    if log_path is None or not log_path.exists():
        return ""
    tail = log_path.read_text(errors="replace").splitlines()[-lines:]
    return f"; last lines of {log_path}:\n" + "\n".join(tail)


def terminate(pid: int, *, timeout: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after ``timeout``."""
    try:
        process = psutil.Process(pid)
        group = os.getpgid(pid)
    except (psutil.NoSuchProcess, ProcessLookupError):
        return
    members = [process, *process.children(recursive=True)]
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        return
    _, alive = psutil.wait_procs(members, timeout=timeout)
    for straggler in alive:
        log.warning("process ignored SIGTERM, killing it", extra={"pid": straggler.pid})
        straggler.kill()
    psutil.wait_procs(alive, timeout=5)
