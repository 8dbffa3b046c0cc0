"""``adology dev``: the embedded stack, and Dagster's webserver and daemon on it, kept running.

``adology dev`` starts the stack, gives the pools their limits (:mod:`adology_assets.pools`), then
supervises (:class:`adology.stack.supervisor.Supervisor`): the stack's servers, ``dagster-webserver``
and ``dagster-daemon run``, each of the two in a process group of its own with the stack's
variables and ``DAGSTER_HOME``. A server or Dagster process that dies is started again and the
restart logged; runs whose worker died are marked failed (:mod:`adology_assets.run_workers`), so
they stop counting against the ``ai`` pool.

Two supervised processes rather than one ``dagster dev``: ``dagster dev`` stops the webserver when
the daemon dies (and the daemon when the webserver dies), so restarting it whole would take the UI
away for every daemon crash, and it would restart its shared code server too. Supervised apart, a dead
daemon is restarted alone: the webserver keeps serving, and runs in progress keep their code server.

SIGTERM and SIGINT stop the webserver and daemon (their whole process groups: code servers, run
workers) and wait for them; the stack keeps running (``adology stack down`` stops it, and a
supervisor with it). The demo and the benchmark run the same supervisor in the background
(:class:`DagsterDev`). The command reaches the ``adology`` CLI through the ``adology.commands`` entry
point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import dagster as dg
import httpx

from adology.cli import reports_errors, settings_or_exit
from adology.errors import StackError
from adology.logs import get_logger
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.process import PRIVATE_UMASK, open_private, stop_signals_raise, terminate
from adology.stack.supervisor import Service, Supervisor
from adology_assets.pools import ensure_pool_limits
from adology_assets.run_workers import DeadRunWorkers

log = get_logger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WORKSPACE_YAML = PROJECT_ROOT / "workspace.yaml"
WEBSERVER = "dagster-webserver"
DAEMON = "dagster-daemon"

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


def dagster_services(settings: Settings) -> list[Service]:
    """The webserver on 127.0.0.1 and the daemon, on the workspace, with this process's environment
    (the stack's variables and ``DAGSTER_HOME``), in ``DAGSTER_HOME``: a checkout's own
    ``dagster.yaml`` in the working directory would only draw Dagster's warning."""
    bin_dir = Path(sys.executable).parent
    workspace = ["-w", str(WORKSPACE_YAML)]
    env, cwd = dict(os.environ), settings.dagster_home
    return [
        Service(
            WEBSERVER,
            [str(bin_dir / WEBSERVER), "-h", "127.0.0.1", "-p", str(settings.dagster_port), *workspace],
            env,
            cwd,
            ports=[settings.dagster_port],
            port_setting="ADOLOGY_DAGSTER_PORT",
        ),
        Service(DAEMON, [str(bin_dir / DAEMON), "run", *workspace], env, cwd),
    ]


class DagsterDev:
    """``adology dev`` in the background, for the demo and the benchmark: the supervisor (this
    object's :attr:`process`, the root of every Dagster process) with its output in ``logs/dagster.log``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.dagster_port}"

    @property
    def log_path(self) -> Path:
        return self.settings.state_dir / "logs" / "dagster.log"

    def start(self) -> None:
        env = {**os.environ, **self.settings.client_environment()}
        # A session of its own: a signal for the supervisor reaches it alone, and it stops the
        # services' groups itself (see stop()).
        with open_private(self.log_path) as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adology", "dev"],
                env=env,
                cwd=self.settings.dagster_home,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                umask=PRIVATE_UMASK,
            )
        log.info("adology dev starting", extra={"url": self.url, "pid": self.process.pid})

    def wait_healthy(self, *, timeout: float = 180.0) -> DagsterHealth:
        deadline = time.monotonic() + timeout
        health = DagsterHealth(webserver=False)
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"adology dev exited with code {self.process.returncode}; see {self.log_path}")
            health = dagster_health(self.settings.dagster_port)
            if health.healthy:
                return health
            time.sleep(1.0)
        raise StackError(
            f"Dagster did not become healthy within {timeout:.0f}s: {health.as_dict()}; see {self.log_path}"
        )

    def stop(self, *, timeout: float = 60.0, signum: signal.Signals = signal.SIGTERM) -> None:
        """Send ``signum`` to the supervisor, which stops the webserver's and daemon's process groups and
        waits for them; whatever of the tree still runs after ``timeout`` is killed."""
        if self.process is None or self.process.poll() is not None:
            return
        terminate(self.process.pid, timeout=timeout, signum=signum)
        self.process.wait(timeout=10)
        log.info("adology dev stopped", extra={"signal": signum.name})


@click.command()
@reports_errors
def dev() -> None:
    """Start the stack, then the Dagster webserver and daemon on 127.0.0.1, and keep them running (a
    server or Dagster process that dies is started again); Ctrl-C (or SIGTERM) stops Dagster."""
    settings = settings_or_exit()
    # the services, and this process's own Dagster instance, use the stack's variables
    os.environ.update(settings.client_environment())
    with stop_signals_raise():
        stack = Stack(settings)
        stack.up()
        with dg.DagsterInstance.get() as instance:
            log.info("pool limits", extra={"set": ensure_pool_limits(instance) or "unchanged"})
            dead_run_workers = DeadRunWorkers(instance)
            with Supervisor(stack, dagster_services(settings), checks=[dead_run_workers.fail_runs]) as supervisor:
                click.echo(
                    f"Dagster UI: http://127.0.0.1:{settings.dagster_port}  (Ctrl-C stops Dagster; "
                    "the stack keeps running: 'adology stack down')"
                )
                supervisor.run()
