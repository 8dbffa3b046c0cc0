"""``adology dev``: Dagster's webserver and daemon (``dagster dev``) on the embedded stack, proven healthy.

Dagster runs as a child process, in a process group of its own, with the stack's variables and
``DAGSTER_HOME``; the pools get their limits first (:mod:`adology_assets.pools`). The demo and the
benchmark start Dagster the same way. ``adology dev`` passes SIGTERM and SIGINT on to that group and
waits for the webserver, daemon and code servers to end. The command reaches the ``adology`` CLI
through the ``adology.commands`` entry point.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx

from adology.cli import reports_errors, settings_or_exit
from adology.errors import StackError
from adology.logs import get_logger
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.process import PRIVATE_UMASK, StopRequested, open_private, stop_signals_raise, terminate

log = get_logger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WORKSPACE_YAML = PROJECT_ROOT / "workspace.yaml"

_HEALTH_QUERY = """
{
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } }
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""


@dataclass
class DagsterHealth:
    webserver: bool
    code_locations: dict[str, str] = field(default_factory=dict)  # name -> "loaded" or the load error
    daemons: dict[str, bool] = field(default_factory=dict)  # required daemon -> healthy

    @property
    def healthy(self) -> bool:
        return (
            self.webserver
            and bool(self.code_locations)
            and all(state == "loaded" for state in self.code_locations.values())
            and bool(self.daemons)
            and all(self.daemons.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "webserver": self.webserver,
            "code_locations": self.code_locations,
            "daemons": self.daemons,
        }


def dagster_health(port: int) -> DagsterHealth:
    """Ask the webserver's GraphQL API whether the code location loaded and the daemons beat."""
    base = f"http://127.0.0.1:{port}"
    try:
        httpx.get(f"{base}/server_info", timeout=5).raise_for_status()
        answer = httpx.post(f"{base}/graphql", json={"query": _HEALTH_QUERY}, timeout=10)
        answer.raise_for_status()
        data = answer.json()["data"]
    except (httpx.HTTPError, KeyError, ValueError):
        return DagsterHealth(webserver=False)
    locations = {}
    for entry in data["workspaceOrError"].get("locationEntries", []):
        loaded = entry.get("locationOrLoadError") or {}
        if loaded.get("__typename") == "PythonError":
            locations[entry["name"]] = loaded.get("message", "load error")
        else:
            locations[entry["name"]] = "loaded" if entry["loadStatus"] == "LOADED" else entry["loadStatus"].lower()
    daemons = {
        status["daemonType"]: status["healthy"]
        for status in data["instance"]["daemonHealth"]["allDaemonStatuses"]
        if status["required"]
    }
    return DagsterHealth(webserver=True, code_locations=locations, daemons=daemons)


class DagsterDev:
    """``dagster dev`` bound to 127.0.0.1 with DAGSTER_HOME and the stack's variables set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.dagster_port}"

    @property
    def log_path(self) -> Path:
        return self.settings.state_dir / "logs" / "dagster.log"

    def start(self, *, foreground: bool = False) -> None:
        env = {**os.environ, **self.settings.client_environment()}
        self._apply_pool_limits(env)
        command = [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.settings.dagster_port),
            "-w",
            str(WORKSPACE_YAML),
        ]
        # A session of its own, in the foreground too: a signal meant for Dagster reaches all of its
        # processes through their group (see stop()), whoever sent it to whom.
        with contextlib.ExitStack() as output:
            log_file = None if foreground else output.enter_context(open_private(self.log_path))
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=self.settings.dagster_home,
                stdin=subprocess.DEVNULL,
                stdout=log_file,  # the terminal's, in the foreground; the child keeps its own descriptor
                stderr=subprocess.STDOUT if log_file else None,
                start_new_session=True,
                umask=PRIVATE_UMASK,
                preexec_fn=_default_interrupts,
            )
        log.info("dagster dev starting", extra={"url": self.url, "pid": self.process.pid})

    def _apply_pool_limits(self, env: dict[str, str]) -> None:
        """Pools get their limits before any run can race to create them (see :mod:`adology_assets.pools`)."""
        applied = subprocess.run(
            [sys.executable, "-m", "adology_assets.pools"],
            env=env,
            cwd=self.settings.dagster_home,
            capture_output=True,
            text=True,
            check=False,
        )
        if applied.returncode != 0:
            raise StackError(f"setting Dagster's pool limits failed: {applied.stderr.strip()[-2000:]}")

    def wait_healthy(self, *, timeout: float = 180.0) -> DagsterHealth:
        deadline = time.monotonic() + timeout
        health = DagsterHealth(webserver=False)
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"dagster dev exited with code {self.process.returncode}; see {self.log_path}")
            health = dagster_health(self.settings.dagster_port)
            if health.healthy:
                return health
            time.sleep(1.0)
        raise StackError(
            f"Dagster did not become healthy within {timeout:.0f}s: {health.as_dict()}; see {self.log_path}"
        )

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def stop(self, *, timeout: float = 30.0, signum: signal.Signals = signal.SIGTERM) -> None:
        """Send ``signum`` to the whole process group and wait for it: ``dagster dev`` shuts its
        webserver, daemon and code servers down on SIGTERM as on SIGINT; whatever still runs after
        ``timeout`` is killed."""
        if self.process is None or self.process.poll() is not None:
            return
        terminate(self.process.pid, timeout=timeout, signum=signum)
        self.process.wait(timeout=10)
        log.info("dagster dev stopped", extra={"signal": signum.name})


def _default_interrupts() -> None:
    """Runs in the child before exec: a shell starts background jobs with SIGINT ignored, and
    ``dagster dev`` maps SIGTERM onto SIGINT's handler, so it would ignore both. Restore them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@click.command()
@reports_errors
def dev() -> None:
    """Start the stack, then the Dagster webserver and daemon on 127.0.0.1; Ctrl-C (or SIGTERM) stops Dagster."""
    settings = settings_or_exit()
    with stop_signals_raise():
        Stack(settings).up()
        server = DagsterDev(settings)
        server.start(foreground=True)
        click.echo(f"Dagster UI: {server.url}  (Ctrl-C to stop; the stack keeps running: 'adology stack down')")
        try:
            server.wait()
        except StopRequested as stop:
            server.stop(signum=stop.signum)
            raise
