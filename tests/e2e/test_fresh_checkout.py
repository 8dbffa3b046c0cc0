"""A Dagster user's first habits in a fresh checkout: ``dagster definitions validate`` and a bare
``dagster dev`` work from the repository root with no variable exported and no traceback.

Without the stack's variables the definitions still load and one line says which command sets them;
with the ``.env`` that ``make setup`` writes (Dagster loads it from the working directory), the
webserver, daemon and sensors run against the embedded stack on Dagster's temporary instance.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from adology.settings import Settings
from adology.stack import Stack
from adology.stack.process import port_is_free, terminate
from adology_assets.dev import dagster_health

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = str(Path(sys.executable).parent / "dagster")


def _checkout(destination: Path) -> Path:
    """The repository's files as a clone would have them (tracked and new, nothing ignored)."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            (destination / name).write_bytes(source.read_bytes())
    return destination


def _bare_environment() -> dict[str, str]:
    """A new terminal's environment: no DAGSTER_HOME, no stack variable."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}


def _free_port() -> int:
    return next(port for port in range(23000, 24000) if port_is_free(port))


def test_validate_and_dev_work_in_a_fresh_checkout(tmp_path: Path, make_settings: Callable[..., Settings]) -> None:
    checkout = _checkout(tmp_path / "checkout")
    validate = subprocess.run(
        [DAGSTER, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=checkout,
        env=_bare_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output
    assert "Validation successful" in output and "Traceback" not in output
    assert "the embedded stack's variables are not set: `make setup` writes them to .env" in output

    settings = make_settings("checkout")
    stack = Stack(settings)
    stack.up()
    try:
        dotenv = subprocess.run(
            [str(Path(sys.executable).parent / "adology"), "stack", "env", "--dotenv"],
            env={**_bare_environment(), **settings.client_environment()},
            capture_output=True,
            text=True,
            check=True,
        )
        (checkout / ".env").write_text(dotenv.stdout)  # what `make setup` writes
        port = _free_port()
        log_path = tmp_path / "dagster-dev.log"
        with open(log_path, "w") as log:
            dev = subprocess.Popen(
                [DAGSTER, "dev", "-h", "127.0.0.1", "-p", str(port)],
                cwd=checkout,
                env=_bare_environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 180
            while not (health := dagster_health(port)).healthy:
                assert dev.poll() is None, log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, f"{health.as_dict()}\n{log_path.read_text()[-3000:]}"
                time.sleep(1)
            time.sleep(12)  # every sensor ticks at least twice against the stack
            # Read before stopping: the stop signal reaches the code server and the daemon together,
            # and a sensor tick caught mid-shutdown logs the unreachable server, which is Dagster's
            # shutdown order, not a fault of a running checkout.
            output = log_path.read_text()
        finally:
            terminate(dev.pid)
        assert "Traceback" not in output, output[-5000:]
        assert "temporary directory" in output  # Dagster's own instance for a checkout, as documented
        assert "Checking for new runs for sensor: outbox_relay" in output  # the sensors did tick
        assert "Sensor tick caught an error" not in output
    finally:
        stack.down()
