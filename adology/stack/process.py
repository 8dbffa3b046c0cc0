"""Background server processes: pid files, port checks, start, health wait and stop; the state
dir's owner-only modes; and the stop signals every supervisor turns into an orderly shutdown."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import BinaryIO

import psutil

from adology.errors import PortInUseError, StackError
from adology.logs import get_logger

log = get_logger(__name__)

# Servers started here create their files readable by their owner only: the stack's data, logs and
# sockets are nobody else's business on a shared machine.
PRIVATE_UMASK = 0o077
_PRIVATE_FILE = 0o600
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def private_directory(path: Path, *, traversable_by: str | None = None) -> Path:
    """``path``, created if missing, listable and readable by its owner only (0700).

    ``traversable_by`` names a service user (PostgreSQL's, when the stack runs as root) whose group
    may pass through the directory to the paths it was given, but not list it (0710).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if traversable_by is None:
        path.chmod(0o700)
    else:
        os.chown(path, -1, pwd.getpwnam(traversable_by).pw_gid)
        path.chmod(0o710)
    return path


def open_private(path: Path) -> BinaryIO:
    """``path`` opened for appending and readable by its owner only, however it was made before.

    A missing directory is made private; an existing one keeps its mode, which the stack sets
    (:meth:`adology.stack.Stack.up`): the log directory may have to let PostgreSQL's user through.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _PRIVATE_FILE)
    os.fchmod(descriptor, _PRIVATE_FILE)
    return os.fdopen(descriptor, "ab")


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
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE)
        os.fchmod(descriptor, _PRIVATE_FILE)
        with os.fdopen(descriptor, "w") as pid_file:
            pid_file.write(f"{pid}\n")

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
    """Start ``command`` in a session of its own (its own process group), output appended to
    ``log_path``, files it creates private to their owner."""
    with open_private(log_path) as log_file:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,
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


def terminate(pid: int, *, timeout: float = 20.0, signum: signal.Signals = signal.SIGTERM) -> None:
    """Send ``signum`` to the process group of ``pid``, wait for it and every descendant, then
    SIGKILL whatever is left after ``timeout``."""
    try:
        process = psutil.Process(pid)
        group = os.getpgid(pid)
    except (psutil.NoSuchProcess, ProcessLookupError):
        return
    members = [process, *process.children(recursive=True)]
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return
    _, alive = psutil.wait_procs(members, timeout=timeout)
    for straggler in alive:
        log.warning("process outlived its stop signal, killing it", extra={"pid": straggler.pid, "signal": signum.name})
        straggler.kill()
    psutil.wait_procs(alive, timeout=5)


class StopRequested(SystemExit):
    """SIGTERM or SIGINT reached a supervisor: raised in its main thread so the ``finally`` blocks
    that stop its children run; left uncaught it exits with 128 + the signal's number, as a shell
    reports a process the signal ended."""

    def __init__(self, signum: signal.Signals) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within the block SIGTERM and SIGINT raise :class:`StopRequested` (Python's default for
    SIGTERM ends the process on the spot, leaving its children running).

    A second signal while the first is being handled is logged and otherwise ignored, so the
    children's shutdown is never cut short. Outside the main thread, where Python delivers no
    signal, the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping: list[signal.Signals] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        received = signal.Signals(signum)
        if stopping:
            log.warning("already stopping: waiting for the child processes", extra={"signal": received.name})
            return
        stopping.append(received)
        log.info("stop requested: stopping the child processes", extra={"signal": received.name})
        raise StopRequested(received)

    previous = {signum: signal.signal(signum, request_stop) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
