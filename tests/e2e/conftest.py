"""The end-to-end folder's shared fixtures: the demo's stack, run once, and a browser to look at it.

``demo_stack`` runs ``adology demo`` as a new user does (Postgres SIGKILLed once mid-run) and keeps the
stack it leaves up, API included, for every test here that reads the demo's outcome or drives its
pages; it stops the stack when the folder's tests are done. ``browser`` is Debian's
chromium-headless-shell driven by Playwright, never a downloaded browser (``make setup`` installs the
package, or says how); ``new_page`` opens a page in a fresh context that fails its test on any console
error, page error or failed request, and leaves a full-page screenshot in ``tests/e2e/screenshots/``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from adology.settings import Settings
from adology.stack import Stack
from api.deps import SESSION_COOKIE
from tests.commands import ADOLOGY
from tests.commands import run_adology as _run

DEMO_WITHIN_SECONDS = 1200

# The Debian package's launcher (a shell script running /usr/lib/chromium/chromium-headless-shell);
# the Makefile's `browser` target checks the same path and prints the same line when it is missing.
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
CHROMIUM_MISSING = (
    f"browser tests skip: {CHROMIUM} is missing; install it with: sudo apt-get install chromium-headless-shell"
)
# no sandbox (root in a container has no user namespaces for it), no GPU, and none of the browser's own
# traffic (updates, sync, first-run pages), which a failed-request check would otherwise catch
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass(frozen=True)
class DemoStack:
    """What ``adology demo`` left: its stack (still up), its exit, its output and the Postgres it lost."""

    settings: Settings
    env: dict[str, str]  # this process's environment with the demo stack's variables over it
    returncode: int | None
    stdout: Path
    stderr: Path
    postgres_killed: int  # the pid of the Postgres server SIGKILLed mid-run
    leftover_dagster: list[int]  # pids of processes on the demo's Dagster port when it had exited

    def require_success(self) -> None:
        assert self.returncode == 0, self.stderr.read_text()[-6000:]

    @property
    def summary(self) -> dict[str, Any]:
        """The demo's ``--json`` summary (its last line of output): counts, ``api_url``, ``demo_users``."""
        self.require_success()
        summary: dict[str, Any] = json.loads(self.stdout.read_text().splitlines()[-1])
        return summary

    @property
    def api_url(self) -> str:
        return str(self.summary["api_url"])

    @property
    def demo_users(self) -> list[dict[str, Any]]:
        """The logins the demo printed: ``email``, ``password``, ``organization``, ``brandspaces``, ``role``."""
        users: list[dict[str, Any]] = self.summary["demo_users"]
        return users


@pytest.fixture(scope="package")
def demo_stack(make_settings: Callable[..., Settings], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    """``adology demo --json`` on a 30-ad library, on a stack of its own, with its Postgres SIGKILLed once
    the first ad is analysed. Package-scoped: the stack stays up (API and all) for every test in
    tests/e2e that asks for it, and goes down when this folder is done, not after tests/stack and
    tests/unit, which run after it."""
    # a sixth brand in the library, which the demo leaves unregistered for the dashboard's request test
    # and the request retry after Postgres's death 5 s later instead of 30 (what is tested is that it retries)
    overrides = {"ADOLOGY_LIBRARY_ADS": "30", "ADOLOGY_LIBRARY_BRANDS": "6", "ADOLOGY_REQUEST_RETRY_SECONDS": "5"}
    settings = make_settings("demo", **overrides)
    # every variable of its own stack, so nothing of the session stack (DATABASE_URL, endpoints) leaks in
    env = {**os.environ, **settings.client_environment(), **overrides}
    outputs = tmp_path_factory.mktemp("demo-output")
    output, errors = outputs / "demo.out", outputs / "demo.err"
    with open(output, "w") as stdout, open(errors, "w") as stderr:
        demo = subprocess.Popen([ADOLOGY, "demo", "--json", "--timeout", "900"], env=env, stdout=stdout, stderr=stderr)
    try:
        killed = _kill_postgres_once_analysis_is_under_way(settings, demo)
        demo.wait(timeout=DEMO_WITHIN_SECONDS)
        leftover = [
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if f"-p {settings.dagster_port}" in " ".join(p.info["cmdline"] or [])
        ]
        yield DemoStack(settings, env, demo.returncode, output, errors, killed, leftover)
    finally:
        if demo.poll() is None:
            demo.kill()
        _run("stack", "down", env=env)


def _kill_postgres_once_analysis_is_under_way(settings: Settings, demo: subprocess.Popen[bytes]) -> int:
    """SIGKILL the stack's Postgres server once the demo has stored its first per-ad result."""
    (postgres,) = [part for part in Stack(settings).parts if part.name == "postgres"]
    deadline = time.monotonic() + DEMO_WITHIN_SECONDS
    while time.monotonic() < deadline and demo.poll() is None:
        try:
            with psycopg.connect(settings.database_url or "", connect_timeout=5) as conn:
                (analysed,) = conn.execute("SELECT count(*) FROM ad_analysis_state").fetchone()
        except (psycopg.OperationalError, psycopg.errors.UndefinedTable):  # the stack is still starting
            analysed = 0
        if analysed and postgres.pid_file is not None and (pid := postgres.pid_file.live_pid()):
            os.kill(pid, signal.SIGKILL)
            return pid
        time.sleep(0.5)
    raise AssertionError(f"the demo analysed nothing before it ended (exit {demo.poll()})")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright, one per test module; each test gets its own context.

    Not one for the session: while Playwright's sync API is started, its event loop counts as running in
    this thread (it runs in a greenlet that every call switches to), so ``asyncio.run`` fails until it
    stops, and tests/stack and tests/unit, which run after this folder, call it. A module that uses the
    browser cannot call ``asyncio.run`` itself either."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(CHROMIUM_MISSING)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(frozen=True)
class FailedRequest:
    """A request that failed in the network (``failure``, e.g. net::ERR_CONNECTION_REFUSED) or was
    answered with a status of 400 or more."""

    method: str
    url: str
    status: int | None = None
    failure: str | None = None

    def __str__(self) -> str:
        return f"{self.status or self.failure} {self.method} {self.url}"


@dataclass
class WatchedPage:
    """A page in a context of its own, with every console error, uncaught page error and failed request
    it met; ``new_page`` fails the test on any of them the test did not declare with ``expect_failure``
    or ``expect_console_error``."""

    page: Page
    context: BrowserContext
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[FailedRequest] = field(default_factory=list)
    _expected_failures: list[tuple[str, int | None]] = field(default_factory=list)
    _expected_console: list[str] = field(default_factory=list)

    def expect_failure(self, url_part: str, status: int | None = None) -> None:
        """Requests to a URL containing ``url_part`` may fail (only with ``status``, when given), and
        Chromium's console line "Failed to load resource" for them is no error: a deliberate 404, say."""
        self._expected_failures.append((url_part, status))

    def expect_console_error(self, text_part: str) -> None:
        """A console error whose text contains ``text_part`` is meant."""
        self._expected_console.append(text_part)

    def problems(self) -> list[str]:
        """What went wrong on the page and was not declared, one line each."""
        return (
            [f"console error: {line}" for line in self.console_errors if not self._expected_console_error(line)]
            + [f"page error: {line}" for line in self.page_errors]
            + [f"failed request: {failed}" for failed in self.failed_requests if not self._expected_failure(failed)]
        )

    def _expected_failure(self, failed: FailedRequest) -> bool:
        return any(
            part in failed.url and (status is None or failed.status == status)
            for part, status in self._expected_failures
        )

    def _expected_console_error(self, line: str) -> bool:
        if any(part in line for part in self._expected_console):
            return True
        # Chromium logs each failed load as a console error too, with the resource's URL as its source
        return line.startswith("Failed to load resource") and any(part in line for part, _ in self._expected_failures)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url') or 'no source'})")

    def _on_page_error(self, error: PlaywrightError) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(FailedRequest(request.method, request.url, failure=request.failure or "failed"))

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed_requests.append(FailedRequest(response.request.method, response.url, status=response.status))


NewPage = Callable[..., WatchedPage]


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[NewPage]:
    """``new_page(base_url=None, login=None, mobile=False, suffix="", **context_options)``: a watched page
    in a fresh context (1280x800, or 390x844 with ``mobile``). ``base_url`` lets ``page.goto("/app")``
    be relative; ``login`` (a demo user's dict, or any mapping with email and password) signs the context
    in through ``POST /v1/auth/token`` on ``base_url`` with the dashboard's session cookie. At the test's
    end each page's full-page screenshot goes to ``tests/e2e/screenshots/<test>[-suffix].png`` and the
    test fails on whatever its pages met that it did not declare."""
    watched: list[WatchedPage] = []
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def open_page(
        *,
        base_url: str | None = None,
        login: Mapping[str, Any] | None = None,
        mobile: bool = False,
        suffix: str = "",
        **context_options: Any,
    ) -> WatchedPage:
        suffix = suffix or ("mobile" if mobile else "")
        name = f"{test_name}-{suffix}" if suffix else test_name
        taken = {page.screenshot.stem for page in watched}
        if name in taken:
            name = next(f"{name}-{n}" for n in range(2, 100) if f"{name}-{n}" not in taken)
        context = browser.new_context(viewport=MOBILE if mobile else DESKTOP, base_url=base_url, **context_options)
        if login is not None:
            assert base_url, "a login needs the base_url of the API that issues its token"
            credentials = {"email": login["email"], "password": login["password"]}
            token = httpx.post(f"{base_url.rstrip('/')}/v1/auth/token", json=credentials)
            assert token.status_code == 200, token.text
            session = token.json()["access_token"]
            # as the login form sets it
            context.add_cookies(
                [{"name": SESSION_COOKIE, "value": session, "url": base_url, "httpOnly": True, "sameSite": "Strict"}]
            )
        page = context.new_page()
        watch = WatchedPage(page, context, SCREENSHOTS / f"{name}.png")
        page.on("console", watch._on_console)
        page.on("pageerror", watch._on_page_error)
        page.on("requestfailed", watch._on_request_failed)
        page.on("response", watch._on_response)
        watched.append(watch)
        return watch

    yield open_page

    problems: list[str] = []
    for watch in watched:
        if not watch.page.is_closed():
            SCREENSHOTS.mkdir(exist_ok=True)
            try:
                watch.page.screenshot(path=watch.screenshot, full_page=True)
            except PlaywrightError as exc:  # a crashed page: say so with the rest, close the other contexts
                problems.append(f"{watch.screenshot.name}: no screenshot: {exc.message}")
        watch.context.close()
        problems += [f"{watch.screenshot.name}: {problem}" for problem in watch.problems()]
    assert not problems, "the pages met errors the test did not expect:\n" + "\n".join(problems)
