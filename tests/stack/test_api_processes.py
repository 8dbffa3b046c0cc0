"""Several API processes behind a load balancer share nothing but Postgres: two more `adology api`
processes on the session stack, each with one worker, and a client that alternates between them as a
balancer would. A session made on one is honoured by the other, failed logins count across both, a
logout on one ends the session on both, and a notification reaches the sockets of both processes
(each LISTENs on its own connection; see api/hub.py)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from websockets.sync.client import connect

from adology.requests.notifications import record_notification
from adology.settings import Settings
from adology.stack.process import terminate
from adology.tenancy.accounts import LOGIN_LIMIT
from tests.api_world import PASSWORD, World

STARTUP_SECONDS = 60.0
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class ApiProcess:
    url: str
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    """A free port in the range `adology api --port` accepts (the kernel's own picks may lie above it)."""
    while True:
        port = random.randint(20000, 55535)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def _serve(settings: Settings, log_path: Path) -> ApiProcess:
    port = _free_port()
    environment = {**os.environ, **settings.client_environment(), "ADOLOGY_API_WORKERS": "1"}
    command = [sys.executable, "-m", "adology", "api", "--port", str(port)]
    process = subprocess.Popen(  # a session of its own: terminate() stops its process group
        command, env=environment, stdout=subprocess.DEVNULL, stderr=log_path.open("wb"), start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return ApiProcess(url, process)
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise AssertionError(f"adology api --port {port} exited: {log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"adology api --port {port} was not healthy within {STARTUP_SECONDS:.0f} s")


@pytest.fixture(scope="module")
def processes(
    stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    logs = tmp_path_factory.mktemp("api-processes")
    started = [_serve(stack_settings, logs / "first.log"), _serve(stack_settings, logs / "second.log")]
    try:
        yield started[0], started[1]
    finally:
        for server in started:
            terminate(server.process.pid, timeout=15)


def test_a_session_made_on_one_process_works_on_the_other_and_ends_on_both(
    processes: tuple[ApiProcess, ApiProcess], world: World
) -> None:
    first, second = processes
    made = httpx.post(f"{first.url}/v1/auth/token", json={"email": world.a.member.email, "password": PASSWORD})
    assert made.status_code == 200, made.text
    bearer = {"Authorization": f"Bearer {made.json()['access_token']}"}
    assert httpx.get(f"{second.url}/v1/me", headers=bearer).json()["user"]["email"] == world.a.member.email
    assert httpx.post(f"{second.url}/v1/auth/logout", headers=bearer).status_code == 204
    assert httpx.get(f"{first.url}/v1/me", headers=bearer).status_code == 401


def test_failed_logins_count_across_processes(processes: tuple[ApiProcess, ApiProcess], world: World) -> None:
    """A balancer spreads one attacker's guesses over every process; the limit still holds."""
    email = f"nobody-{world.tag}@processes.example"
    attempts = LOGIN_LIMIT.per_email + 2
    answers = [
        httpx.post(
            f"{processes[i % 2].url}/v1/auth/token", json={"email": email, "password": "a wrong guess!"}
        ).status_code
        for i in range(attempts)
    ]
    assert answers[0] == 401, answers
    refused = answers.index(429)  # the address's own limit may come first, shared by the whole suite
    assert refused <= LOGIN_LIMIT.per_email and answers[refused:] == [429] * (attempts - refused), answers


def test_a_notification_reaches_sockets_on_both_processes(
    processes: tuple[ApiProcess, ApiProcess], world: World, stack_settings: Settings
) -> None:
    token = httpx.post(
        f"{processes[0].url}/v1/auth/token", json={"email": world.a.admin.email, "password": PASSWORD}
    ).json()["access_token"]
    with psycopg.connect(stack_settings.database_url or "") as conn:
        (latest,) = conn.execute("SELECT coalesce(max(id), 0) FROM notifications").fetchone() or (0,)
    with contextlib.ExitStack() as open_sockets:
        sockets = [
            open_sockets.enter_context(
                connect(
                    server.url.replace("http://", "ws://") + f"/v1/ws?after={latest}",
                    additional_headers={"Authorization": f"Bearer {token}"},
                    proxy=None,
                )
            )
            for server in processes
        ]
        for ws in sockets:
            assert json.loads(ws.recv(timeout=WAIT_SECONDS))["type"] == "ready"
        with psycopg.connect(stack_settings.database_url or "") as conn:
            written = record_notification(
                conn,
                request_id=str(world.request_id),
                brand_key=world.brands["primary"],
                run_id=f"processes-{world.tag}",
                status="succeeded",
            )
        assert written is not None
        for ws in sockets:
            message = json.loads(ws.recv(timeout=WAIT_SECONDS))
            assert message["type"] == "notification" and message["notification"]["id"] == written["id"]
