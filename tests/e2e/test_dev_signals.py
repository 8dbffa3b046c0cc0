"""``adology dev`` stopped the way a service manager stops it, with SIGTERM to its own pid: it passes
the signal on to Dagster's process group and waits, so no Dagster process (``dagster dev``, its
webserver, daemon and code servers) outlives it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from adology.settings import Settings
from adology.stack import Stack
from adology_assets.dev import dagster_health
from tests.commands import ADOLOGY

HEALTHY_WITHIN_SECONDS = 300
STOPPED_WITHIN_SECONDS = 90


def _dagster_processes(root: psutil.Process) -> list[psutil.Process]:
    found = []
    for process in root.children(recursive=True):
        try:
            if "dagster" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def test_sigterm_to_adology_dev_leaves_no_dagster_process(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("dev-signals")
    stack = Stack(settings)
    stack.up()  # beforehand, so the only processes `adology dev` starts are Dagster's
    output = tmp_path / "adology-dev.log"
    with open(output, "wb") as log_file:
        dev = subprocess.Popen(
            [ADOLOGY, "dev"],
            env={**os.environ, **settings.client_environment()},
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the signal below reaches `adology dev` alone, not its children
        )
    dagster: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
        while not dagster_health(settings.dagster_port).healthy:
            assert dev.poll() is None, output.read_text()
            assert time.monotonic() < deadline, f"Dagster was not healthy in time:\n{output.read_text()}"
            time.sleep(2)
        dagster = _dagster_processes(psutil.Process(dev.pid))
        assert len(dagster) >= 3, dagster  # dagster dev, its webserver and its daemon at least

        os.kill(dev.pid, signal.SIGTERM)

        assert dev.wait(timeout=STOPPED_WITHIN_SECONDS) == 128 + signal.SIGTERM, output.read_text()
        _, alive = psutil.wait_procs(dagster, timeout=10)
        assert alive == [], [process.cmdline() for process in alive]
    finally:  # whatever a failure left running
        if dev.poll() is None:
            dev.kill()
        for process in dagster:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        stack.down()
