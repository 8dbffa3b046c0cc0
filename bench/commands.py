"""The benchmark's command on the ``adology`` CLI (``adology.commands`` entry point): ``adology bench``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from adology.cli import reports_errors


@click.command()
@click.option("--ads", default=10_000, show_default=True, help="Ads in the generated library.")
@click.option("--brands", default=20, show_default=True, help="Brands they are spread across (at least 5).")
@click.option("--latency", default=0.8, show_default=True, help="Mean AI call latency in seconds.")
@click.option("--jitter", default=0.2, show_default=True, help="Uniform ± jitter around the latency, seconds.")
@click.option("--concurrency", default=256, show_default=True, help="AI calls the service allows in flight.")
@click.option("--rpm", default=30_000, show_default=True, help="AI requests per minute the service allows.")
@click.option("--naive-ads", default=10, show_default=True, help="Ads in the naive sequential baseline.")
@click.option("--local-ads", default=100, show_default=True, help="Ads timed with the local provider.")
@click.option(
    "--insights-ads", default=20_000, show_default=True, help="Ads of the synthesised brand whose insights are timed."
)
@click.option(
    "--port-base",
    default=17_000,
    show_default=True,
    help="First of the bench stack's ports (it uses base..base+50 and base+10010..base+10014).",
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=Path(".adology/bench"),
    show_default=True,
    help="The bench stack's state; emptied at the start of every run.",
)
@click.option(
    "--render-cache",
    type=click.Path(path_type=Path),
    default=Path(".adology/library-cache"),
    show_default=True,
    help="Rendered creatives, kept across runs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object on the last line.")
@reports_errors
def bench(
    ads: int,
    brands: int,
    latency: float,
    jitter: float,
    concurrency: int,
    rpm: int,
    naive_ads: int,
    local_ads: int,
    insights_ads: int,
    port_base: int,
    state_dir: Path,
    render_cache: Path,
    as_json: bool,
) -> None:
    """The end-to-end benchmark on a fresh stack in .adology/bench (see bench/run.py and the README)."""
    from bench.run import BenchOptions, run_benchmark

    figures = run_benchmark(
        BenchOptions(
            ads=ads,
            brands=brands,
            latency_seconds=latency,
            jitter_seconds=jitter,
            max_concurrency=concurrency,
            requests_per_minute=rpm,
            naive_ads=naive_ads,
            local_ads=local_ads,
            insights_ads=insights_ads,
            port_base=port_base,
            state_dir=state_dir,
            render_cache=render_cache,
        )
    )
    if as_json:
        click.echo(json.dumps(figures))
    else:
        click.echo(json.dumps(figures, indent=2))


@click.command()
@click.option("--ads", default=200_000, show_default=True, help="Ads in the large library.")
@click.option("--small-ads", default=400, show_default=True, help="Ads in the demo-size library.")
@click.option("--clients", default=32, show_default=True, help="Concurrent clients per scenario.")
@click.option("--seconds", default=10.0, show_default=True, help="Seconds each scenario is hammered.")
@click.option(
    "--port-base",
    default=19_000,
    show_default=True,
    help="First of the stack's ports (base..base+60 and base+10010..base+10014; clear of `adology bench`'s 17000).",
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=Path(".adology/bench-api"),
    show_default=True,
    help="The stack's state; emptied at the start of every run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object, nothing else.")
@reports_errors
def bench_api(
    ads: int, small_ads: int, clients: int, seconds: float, port_base: int, state_dir: Path, as_json: bool
) -> None:
    """The API's reads under concurrent clients at demo size and at --ads ads, on a fresh stack in
    .adology/bench-api (see bench/api_load.py)."""
    from bench.api_load import ApiBenchOptions, human_lines, run_api_benchmark

    figures = run_api_benchmark(
        ApiBenchOptions(
            ads=ads, small_ads=small_ads, clients=clients, seconds=seconds, port_base=port_base, state_dir=state_dir
        )
    )
    if as_json:
        click.echo(json.dumps(figures))
    else:
        for line in human_lines(figures):
            click.echo(line)
