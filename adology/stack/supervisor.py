"""The supervisor behind ``adology dev``: the embedded stack's servers, and the services started on
them (Dagster's webserver and daemon), kept running the way a service manager keeps managed services
running in production.

Every few seconds it looks at each part's server (through its pid file) and at each service it
started (its child process), starts again what died, and logs each restart with the part, the dead
pid and the reason. A part is restarted when its server process is gone, not when a probe fails: a
probe fails under load too (Postgres at its connection limit, SeaweedFS still loading its volumes,
Postgres replaying its log after a crash), where a restart would only make things worse, so a part
that runs but does not answer is logged instead. A restart that fails, or a service that dies again
soon after its start again and again, waits longer each time (up to 15 s) before the next attempt.

Each service runs in a session of its own, so a dead Dagster daemon is restarted alone while the
webserver keeps serving. What is left of a dead service's process group (the daemon's code server
finishing the runs it launched) is not killed: it is kept on record until it ends, and stopped with
everything else when the supervisor stops. The supervisor records itself in ``run/supervisor.pid``
and every service's group in ``run/services/``, so ``adology stack down`` stops it, or after a
SIGKILL of the supervisor, whatever it left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import NoReturn

import psutil

from adology.errors import StackError
from adology.logs import get_logger
from adology.stack.manager import SERVICE_STOP_SECONDS, Stack
from adology.stack.parts import Part
from adology.stack.process import (
    PRIVATE_UMASK,
    PidFile,
    ProcessRecord,
    StartedProcess,
    require_free_ports,
    stop_groups,
)

log = get_logger(__name__)

CHECK_SECONDS = 3.0
HEALTH_SECONDS = 30.0  # probes speak each part's protocol: less often than the liveness check
STEADY_SECONDS = 30.0  # a service that ran this long before it died had started well
# a restart that fails usually waits on something outside (a port another process holds): retried
# often enough to follow it closely
MAX_BACKOFF_SECONDS = 15.0


@dataclass(frozen=True)
class Service:
    """A long-running process the supervisor starts in a session of its own and starts again when it
    exits; its output goes where the supervisor's goes. ``ports`` must be free at the first start."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    ports: Sequence[int] = ()
    port_setting: str = ""


@dataclass
class _ServiceState:
    service: Service
    process: subprocess.Popen[bytes] | None = None
    leader: StartedProcess | None = None
    started_at: float = 0.0  # time.monotonic() of the latest start
    quick_exits: int = 0  # deaths in a row, each within STEADY_SECONDS of its start
    restart_at: float | None = None  # when a dead service is due to start again


@dataclass
class _PartsState:
    servers: dict[str, StartedProcess | None] = field(default_factory=dict)  # part -> its server as last seen
    unhealthy: set[str] = field(default_factory=set)
    failed_restarts: int = 0
    retry_at: float = 0.0
    probed_at: float = 0.0


class Supervisor:
    """Keeps ``stack``'s parts and ``services`` running; ``checks`` run after each round in which
    every part ran (they may need the stores). Use it as a context manager around :meth:`run`, inside
    :func:`adology.stack.process.stop_signals_raise`: leaving the block stops the services and waits
    for them. (Those handlers also mean the services start with SIGINT and SIGTERM at their defaults,
    even where a shell started the supervisor as a background job with SIGINT ignored.)
    """

    def __init__(
        self,
        stack: Stack,
        services: Sequence[Service],
        *,
        checks: Sequence[Callable[[], object]] = (),
        interval: float = CHECK_SECONDS,
    ) -> None:
        self.stack = stack
        self.interval = interval
        self._checks = checks
        self._services = {service.name: _ServiceState(service) for service in services}
        self._watched: list[tuple[Part, PidFile]] = [
            (part, part.pid_file) for part in stack.parts if part.pid_file is not None
        ]
        self._parts = _PartsState()
        self._retired: list[ProcessRecord] = []

    def __enter__(self) -> Supervisor:
        self._claim()
        try:
            self._stop_leftovers()
            for part, pid_file in self._watched:
                pid = pid_file.live_pid()
                self._parts.servers[part.name] = StartedProcess.of(pid) if pid is not None else None
            for state in self._services.values():
                require_free_ports(state.service.ports, part=state.service.name, setting=state.service.port_setting)
            for state in self._services.values():
                self._start(state)
        except BaseException:
            self._stop_services()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop_services()

    def run(self) -> NoReturn:
        """Check every ``interval`` seconds, until a stop signal ends the process
        (:func:`adology.stack.process.stop_signals_raise` turns it into an exception)."""
        while True:
            time.sleep(self.interval)
            self.check()

    def check(self) -> None:
        """One round: restart dead parts, then dead services, then run the checks if every part runs."""
        parts_running = self._check_parts()
        self._check_services()
        if parts_running:
            for check in self._checks:
                check()

    def _claim(self) -> None:
        """One supervisor per state dir: a second would start a second webserver and daemon."""
        record = self.stack.supervisor_record
        other = record.read()
        running = other.running() if other is not None else None
        if running is not None:
            raise StackError(
                f"another supervisor (pid {running.pid}) runs on {self.stack.settings.state_dir}; "
                "stop it first ('adology stack down' stops it and the stack)"
            )
        record.write(StartedProcess(os.getpid(), psutil.Process().create_time()))

    def _stop_leftovers(self) -> None:
        """Process groups a supervisor killed with SIGKILL left running would hold the webserver's port."""
        for record in self.stack.service_records():
            leader = record.read()
            if leader is not None and stop_groups([leader], timeout=SERVICE_STOP_SECONDS):
                log.warning(
                    "stopped what a previous supervisor left running", extra={"part": record.name, "pid": leader.pid}
                )
            record.remove()

    def _check_parts(self) -> bool:
        """Restart the parts whose server died; True if every part's server runs after it."""
        dead: dict[str, StartedProcess | None] = {}
        for part, pid_file in self._watched:
            pid = pid_file.live_pid()
            seen = self._parts.servers.get(part.name)
            if pid is None:
                dead[part.name] = seen
            elif seen is None or seen.pid != pid:  # started by someone else meanwhile (`adology stack up`)
                self._parts.servers[part.name] = StartedProcess.of(pid)
        if not dead:
            self._parts.failed_restarts = 0
            self._log_health()
            return True
        if time.monotonic() < self._parts.retry_at:
            return False
        for name, server in dead.items():
            log.warning(
                "stack part died: restarting it",
                extra={"part": name, "pid": server.pid if server else None, "reason": "its server process is gone"},
            )
        began = time.monotonic()
        try:
            self.stack.restart(dead)
        except StackError as exc:
            self._parts.failed_restarts += 1
            delay = _backoff(self._parts.failed_restarts)
            self._parts.retry_at = time.monotonic() + delay
            log.error(
                "restarting stack parts failed",
                extra={"part": ",".join(dead), "reason": str(exc), "retry_in_seconds": delay},
            )
            return False
        self._parts.failed_restarts = 0
        for part, pid_file in self._watched:
            if part.name in dead:
                pid = pid_file.live_pid()
                self._parts.servers[part.name] = StartedProcess.of(pid) if pid is not None else None
                log.info(
                    "stack part restarted",
                    extra={"part": part.name, "pid": pid, "seconds": round(time.monotonic() - began, 1)},
                )
        return True

    def _log_health(self) -> None:
        """A part that runs but fails its probe is reported when it starts failing and when it recovers."""
        now = time.monotonic()
        if now - self._parts.probed_at < HEALTH_SECONDS:
            return
        self._parts.probed_at = now
        for name, status in self.stack.status().items():
            if not status.healthy and name not in self._parts.unhealthy:
                self._parts.unhealthy.add(name)
                log.warning("stack part unhealthy", extra={"part": name, "pid": status.pid, "reason": status.detail})
            elif status.healthy and name in self._parts.unhealthy:
                self._parts.unhealthy.discard(name)
                log.info("stack part healthy again", extra={"part": name, "pid": status.pid})

    def _check_services(self) -> None:
        now = time.monotonic()
        for state in self._services.values():
            if state.process is not None:
                code = state.process.poll()
                if code is None:
                    continue
                ran = now - state.started_at
                state.quick_exits = state.quick_exits + 1 if ran < STEADY_SECONDS else 0
                # one early death is restarted at once; a crash loop waits longer each time
                delay = _backoff(state.quick_exits - 1) if state.quick_exits > 1 else 0.0
                state.restart_at = now + delay
                log.warning(
                    "service died: restarting it",
                    extra={
                        "part": state.service.name,
                        "pid": state.process.pid,
                        "reason": _exit_reason(code),
                        "ran_seconds": round(ran, 1),
                        "restart_in_seconds": delay,
                    },
                )
                self._retire(state)
            if state.restart_at is not None and now >= state.restart_at:
                self._start(state)
        self._retired = [record for record in self._retired if self._still_running(record)]

    def _start(self, state: _ServiceState) -> None:
        service = state.service
        state.process = subprocess.Popen(
            list(service.command),
            env=dict(service.env),
            cwd=service.cwd,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group: stopped, or left to finish, as one
            umask=PRIVATE_UMASK,
        )
        # an unreaped child keeps its process entry, so its start time can be read even if it already died
        state.leader = StartedProcess(state.process.pid, psutil.Process(state.process.pid).create_time())
        state.started_at = time.monotonic()
        state.restart_at = None
        self.stack.service_record(service.name).write(state.leader)
        log.info("service started", extra={"part": service.name, "pid": state.leader.pid})

    def _retire(self, state: _ServiceState) -> None:
        """A dead service's record is kept, under another name, while the rest of its group still runs."""
        record = self.stack.service_record(state.service.name)
        leader = state.leader
        state.process, state.leader = None, None
        if leader is None:
            return
        remains = leader.group()
        record.remove()
        if remains:
            retired = self.stack.service_record(f"{state.service.name}-{leader.pid}")
            retired.write(leader)
            self._retired.append(retired)
            log.info(
                "left the rest of a dead service's process group to finish its work",
                extra={"part": state.service.name, "pid": leader.pid, "processes": len(remains)},
            )

    @staticmethod
    def _still_running(record: ProcessRecord) -> bool:
        leader = record.read()
        if leader is not None and leader.group():
            return True
        record.remove()
        return False

    def _stop_services(self) -> None:
        """Every service's group and every retired group, together; then their records and the claim."""
        leaders = [state.leader for state in self._services.values() if state.leader is not None]
        leaders += [leader for record in self._retired if (leader := record.read()) is not None]
        stopped = stop_groups(leaders, timeout=SERVICE_STOP_SECONDS)
        for state in self._services.values():
            if state.process is not None:
                state.process.wait(timeout=5)  # reaped: stop_groups saw it end
            self.stack.service_record(state.service.name).remove()
        for record in self._retired:
            record.remove()
        self.stack.supervisor_record.remove()
        if leaders:
            log.info("stopped the services", extra={"part": ",".join(self._services), "processes": stopped})


def _backoff(attempts: int) -> float:
    return min(2.0**attempts, MAX_BACKOFF_SECONDS)


def _exit_reason(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"
