"""The simulators' commands on the ``adology`` CLI (``adology.commands`` entry points):
``adology library serve`` and ``adology demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from adology.cli import reports_errors, settings_or_exit

if TYPE_CHECKING:
    from simulators.demo import DemoProgress


@click.group()
def library() -> None:
    """The local ad library: fictional brands served in the real sources' payload shapes."""


@library.command("serve")
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: ADOLOGY_LIBRARY_PORT).")
@click.option("--ads", type=int, help="Number of ads (default: ADOLOGY_LIBRARY_ADS).")
@click.option("--brands", type=int, help="Number of brands (default: ADOLOGY_LIBRARY_BRANDS).")
@click.option("--seed", type=int, help="Catalog seed (default: ADOLOGY_LIBRARY_SEED).")
@click.option(
    "--cache-dir", type=click.Path(path_type=Path), help="Rendered creatives (default: ADOLOGY_LIBRARY_CACHE_DIR)."
)
def library_serve(
    port: int | None, ads: int | None, brands: int | None, seed: int | None, cache_dir: Path | None
) -> None:
    """Serve the library in the foreground until Ctrl-C or SIGTERM."""
    from simulators.ad_sources import Catalog, serve
    from simulators.ad_sources.render import use_disk_cache

    settings = settings_or_exit()
    use_disk_cache(cache_dir or settings.library_cache_dir)
    catalog = Catalog.generate(
        seed=settings.library_seed if seed is None else seed,
        ads=settings.library_ads if ads is None else ads,
        brands=settings.library_brands if brands is None else brands,
    )
    serve(host="127.0.0.1", port=settings.library_port if port is None else port, catalog=catalog)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object on the last line.")
@click.option("--timeout", default=1800.0, show_default=True, help="Seconds to wait for every request.")
@reports_errors
def demo(as_json: bool, timeout: float) -> None:
    """The main job end to end: stack, demo brandspace, requests through the outbox and SQS,
    Dagster runs, notifications, and a summary."""
    from simulators.demo import BRANDSPACE, USER_EMAIL, demo_findings, run_demo

    settings = settings_or_exit()
    click.echo("running the demo: stack, brandspace, one request per brand, Dagster ...", err=True)
    result = run_demo(settings, timeout=timeout, progress=_ProgressLine(sys.stderr.isatty()))
    if as_json:
        click.echo(json.dumps(result))
    else:
        for name, value in result.items():
            if name != "demo_users":
                click.echo(f"  {name:22} {value}")
        click.echo(demo_findings(settings))
    click.echo(
        "\nnext:\n"
        f"  the dashboard at {result['api_url']}/app: log in with a login below (Track, Insight, Inspire, "
        "Inquire, AdSpend)\n"
        f"  .venv/bin/adology dev        the Dagster UI at http://127.0.0.1:{settings.dagster_port}: runs, lineage, "
        "asset checks, backfills\n"
        f'  eval "$(.venv/bin/adology stack env)" && psql "$DATABASE_URL"   the tables '
        "(ads, ad_descriptions, ad_labels, ad_embeddings, notifications)\n"
        f"  .venv/bin/adology insights show BRAND   a brand's themes, trends and momentum (--json for all of it)\n"
        f"  .venv/bin/adology reports show {BRANDSPACE}   the brandspace's report\n"
        f'  .venv/bin/adology inquire ask {BRANDSPACE} "Which competitor leans hardest on limited-time offers?"\n'
        f"  .venv/bin/adology inquire eval   Inquire measured on questions with known answers\n"
        f"  the API at {result['api_url']} (docs: {result['api_url']}/docs), logins (also in "
        f"{settings.state_dir}/demo-users.json):\n"
        + "".join(
            f"    {login['email']:24} {login['password']:18} {login['role']:6} {login['organization']}: "
            f"{', '.join(login['brandspaces'])}\n"
            for login in result["demo_users"]
        )
        + f"  curl -s -X POST {result['api_url']}/v1/auth/token -H 'content-type: application/json' "
        f'-d \'{{"email": "{USER_EMAIL}", "password": "..."}}\'\n'
        "  .venv/bin/adology stack down  stops the stack (the data stays in .adology/)",
        err=True,
    )
    ok = (
        result["requests_succeeded"] == result["requests"]
        and result["notifications"] == result["requests"]
        and result["report_run"] == "SUCCESS"
    )
    sys.exit(0 if ok else 1)


class _ProgressLine:
    """The demo's progress on stderr: one line rewritten in place on a terminal, else a line every
    ``_EVERY_SECONDS`` or when a request ends; the rate counts ads through every stage since the
    first one was."""

    _EVERY_SECONDS = 10.0

    def __init__(self, in_place: bool) -> None:
        self._in_place = in_place
        self._first: tuple[float, int] | None = None  # (seconds, analysed) when analysis was first seen
        self._printed_at = -self._EVERY_SECONDS
        self._finished = 0

    def __call__(self, progress: DemoProgress) -> None:
        if self._first is None and progress.analysed:
            self._first = (progress.seconds, progress.analysed)
        done = progress.finished == progress.requests
        due = progress.seconds - self._printed_at >= self._EVERY_SECONDS or progress.finished != self._finished
        if not (self._in_place or due or done):
            return
        self._printed_at, self._finished = progress.seconds, progress.finished
        line = (
            f"  ads {progress.acquired}/{progress.ads_expected} acquired | {progress.described} described | "
            f"{progress.labelled} labelled | {progress.embedded} embedded | {progress.failed} failed | "
            f"{self._rate_and_left(progress)} | requests {progress.finished}/{progress.requests} | "
            f"{progress.seconds:.0f}s"
        )
        if self._in_place:
            click.echo(f"\r{line}\033[K", nl=done, err=True)
        else:
            click.echo(line, err=True)

    def _rate_and_left(self, progress: DemoProgress) -> str:
        if self._first is None or progress.seconds <= self._first[0]:
            return "starting"
        rate = (progress.analysed - self._first[1]) / (progress.seconds - self._first[0])
        if rate <= 0:
            return "0.0 ads/s"
        left = max(0, progress.ads_expected - progress.analysed) / rate
        return f"{rate:.1f} ads/s, ~{left:.0f}s left"
