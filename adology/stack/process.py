"""Background server processes: pid files, port checks, start, health wait and stop; the process
groups a supervisor starts, recorded so whatever is left of them can be found and stopped; the state
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
_START_TIME_TOLERANCE_SECONDS = 2.0


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
        _write_private_text(self.path, f"{pid}\n")

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


def _write_private_text(path: Path, text: str) -> None:
    """``path`` replaced by ``text``, readable by its owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE)
    os.fchmod(descriptor, _PRIVATE_FILE)
    with os.fdopen(descriptor, "w") as written:
        written.write(text)


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
    stop_processes(members, timeout=timeout, signum=signum, already_signalled=True)


def stop_processes(
    processes: Sequence[psutil.Process],
    *,
    timeout: float,
    signum: signal.Signals = signal.SIGTERM,
    already_signalled: bool = False,
) -> None:
    """Send ``signum`` to each of ``processes`` (unless the caller did), wait up to ``timeout`` for
    them to end, then SIGKILL the rest."""
    if not already_signalled:
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signum)
    for straggler in wait_ended(processes, timeout=timeout):
        log.warning("process outlived its stop signal, killing it", extra={"pid": straggler.pid, "signal": signum.name})
        with contextlib.suppress(psutil.NoSuchProcess):
            straggler.kill()
    wait_ended(processes, timeout=5)


def wait_ended(processes: Sequence[psutil.Process], *, timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` for ``processes`` to end; return those still running.

    A zombie has ended: an orphan's exit is reaped by init whenever init gets to it, and until then
    its pid would look alive to a wait that only asks whether the pid exists.
    """
    deadline = time.monotonic() + timeout
    running = list(processes)
    while True:
        running = [process for process in running if _running(process)]
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.1)


def _running(process: psutil.Process) -> bool:
    """Whether ``process`` still runs; a zombie has ended, and is reaped here if it is our child."""
    try:
        if not process.is_running():
            return False
        if process.status() != psutil.STATUS_ZOMBIE:
            return True
        with contextlib.suppress(psutil.TimeoutExpired):  # not our child: init reaps it
            process.wait(timeout=0)
    except psutil.NoSuchProcess:
        pass
    return False


@dataclass(frozen=True)
class StartedProcess:
    """A process known by its pid and its start time, which tells it from a later process that was
    given the same pid.

    A process a supervisor starts in a session of its own also names its process group: the group's
    id is its pid. Linux gives no new process a pid still in use as a group's id, so whatever is
    left of the group after its leader died (Dagster's code servers, their run workers) is still
    found by that id, and once a newer process holds the pid, nothing of the group is left.
    """

    pid: int
    started: float

    @classmethod
    def of(cls, pid: int) -> StartedProcess | None:
        """The process ``pid`` is now, or None if there is none."""
        try:
            return cls(pid, psutil.Process(pid).create_time())
        except psutil.NoSuchProcess:
            return None

    def running(self) -> psutil.Process | None:
        """The process while it runs; None once it ended (or its pid is another process's)."""
        try:
            process = psutil.Process(self.pid)
            if not self._is(process) or not _running(process):
                return None
        except psutil.NoSuchProcess:
            return None
        return process

    def group(self) -> list[psutil.Process]:
        """Every running process of the group this process leads, itself included while it runs."""
        try:
            if not self._is(psutil.Process(self.pid)):
                return []  # the pid is a newer process's: the group is gone
        except psutil.NoSuchProcess:
            pass
        members = []
        for process in psutil.process_iter():
            try:
                if os.getpgid(process.pid) == self.pid and _running(process):
                    members.append(process)
            except (psutil.NoSuchProcess, ProcessLookupError):
                continue
        return members

    def _is(self, process: psutil.Process) -> bool:
        # psutil derives a start time from the boot time the kernel reports, which moves with the
        # wall clock (NTP): a tolerance, far shorter than the pid space takes to wrap around
        return abs(process.create_time() - self.started) < _START_TIME_TOLERANCE_SECONDS


def stop_groups(leaders: Sequence[StartedProcess], *, timeout: float, signum: signal.Signals = signal.SIGTERM) -> int:
    """Stop the process groups ``leaders`` lead, together: ``signum`` to each group, a wait of up to
    ``timeout``, then SIGKILL for whatever is left (a process forked meanwhile included); returns how
    many processes were signalled."""
    members = [(leader, leader.group()) for leader in leaders]
    for leader, group in members:
        if group:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(leader.pid, signum)
    signalled = [process for _, group in members for process in group]
    stop_processes(signalled, timeout=timeout, signum=signum, already_signalled=True)
    late = [process for leader in leaders for process in leader.group()]
    if late:
        stop_processes(late, timeout=5, signum=signal.SIGKILL)
    return len(signalled) + len(late)


@dataclass(frozen=True)
class ProcessRecord:
    """A file naming a :class:`StartedProcess`: a supervisor, or a process group a supervisor started,
    so ``adology stack down`` finds and stops it even after the supervisor died."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    def write(self, process: StartedProcess) -> None:
        _write_private_text(self.path, f"{process.pid} {process.started!r}\n")

    def read(self) -> StartedProcess | None:
        try:
            pid, started = self.path.read_text().split()
            return StartedProcess(int(pid), float(started))
        except (FileNotFoundError, ValueError):
            return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


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
