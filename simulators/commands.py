"""The simulators' commands on the ``adology`` CLI (``adology.commands`` entry points):
``adology library serve`` and ``adology demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from adology.cli import reports_errors, settings_or_exit


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
    from simulators.demo import DemoProgress, run_demo

    settings = settings_or_exit()

    def show(progress: DemoProgress) -> None:
        rate = progress.finished / progress.seconds if progress.seconds else 0.0
        click.echo(
            f"  {progress.finished}/{progress.requests} requests finished ({progress.succeeded} succeeded), "
            f"{progress.seconds:.0f}s elapsed, {rate * 60:.1f} requests/min",
            err=True,
        )

    click.echo("running the demo: stack, brandspace, requests, Dagster daemon ...", err=True)
    result = run_demo(settings, timeout=timeout, progress=show)
    if as_json:
        click.echo(json.dumps(result))
    else:
        for name, value in result.items():
            click.echo(f"  {name:22} {value}")
        click.echo("the stack is still up: 'adology stack down' stops it; 'adology dev' opens the Dagster UI")
    ok = result["requests_succeeded"] == result["requests"] and result["notifications"] == result["requests"]
    sys.exit(0 if ok else 1)
