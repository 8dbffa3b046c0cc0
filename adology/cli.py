"""The ``adology`` command line: the embedded stack, migrations, the Dagster UI and the demo."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from adology.errors import AdologyError
from adology.logs import configure_logging, get_logger
from adology.settings import Settings, load_settings

log = get_logger("adology.cli")


def _settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except AdologyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    configure_logging(level=settings.log_level, log_format=settings.log_format)
    return settings


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an AdologyError into one clear line on stderr and exit code 1, not a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AdologyError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


@click.group()
def main() -> None:
    """Adology: advertising intelligence on a Dagster data-asset platform."""


@main.group()
def stack() -> None:
    """The embedded stack: PostgreSQL + pgvector, SeaweedFS S3, moto SQS, montydb."""


@stack.command("up")
@_reports_errors
def stack_up() -> None:
    """Start every part that is not running, apply migrations, ensure buckets and queues."""
    from adology.stack import Stack

    result = Stack(_settings_or_exit()).up()
    if result.started:
        click.echo(f"started: {', '.join(result.started)}")
    if result.already_running:
        click.echo(f"already running, left unchanged: {', '.join(result.already_running)}")
    click.echo(f"migrations applied: {', '.join(result.migrations) or 'none (schema up to date)'}")


@stack.command("down")
@_reports_errors
def stack_down() -> None:
    """Stop every running part; data stays under the state directory."""
    from adology.stack import Stack

    stopped = Stack(_settings_or_exit()).down()
    click.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@stack.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: each part's health.")
@_reports_errors
def stack_status(as_json: bool) -> None:
    """Report each part's health; exit code 1 if any part is unhealthy."""
    from adology.stack import Stack

    statuses = Stack(_settings_or_exit()).status()
    healthy = all(status.healthy for status in statuses.values())
    if as_json:
        click.echo(json.dumps({"healthy": healthy, "parts": {n: s.as_dict() for n, s in statuses.items()}}))
    else:
        for name, status in statuses.items():
            state = "healthy" if status.healthy else ("running, unhealthy" if status.running else "stopped")
            click.echo(f"{name:9} {state:20} {status.endpoint}  {status.detail}")
    sys.exit(0 if healthy else 1)


@stack.command("env")
def stack_env() -> None:
    """Print shell exports that point clients at the stack: eval "$(adology stack env)"."""
    for name, value in _settings_or_exit().client_environment().items():
        click.echo(f"export {name}={shlex.quote(value)}")


@main.group()
def db() -> None:
    """The Postgres schema."""


@db.command("migrate")
@_reports_errors
def db_migrate() -> None:
    """Apply pending migrations to DATABASE_URL (idempotent)."""
    from adology.db.migrate import migrate

    applied = migrate(_settings_or_exit().database_url or "")
    click.echo(f"migrations applied: {', '.join(applied) or 'none (schema up to date)'}")


@main.group()
def queue() -> None:
    """The SQS request queues."""


@queue.command("replay-dlq")
@click.option("--priority", type=click.Choice(["high", "low"]), required=True)
@click.option("--limit", type=int, default=None, help="Replay at most this many messages.")
@_reports_errors
def queue_replay_dlq(priority: str, limit: int | None) -> None:
    """Move dead-lettered messages back to their queue, after the cause has been fixed."""
    from adology.requests import replay_dlq
    from adology.storage.aws import settings_client
    from adology.storage.queues import Priority, RequestQueues

    settings = _settings_or_exit()
    queues = RequestQueues(settings_client(settings, "sqs"), settings.queue_prefix,
                           max_receives=settings.queue_max_receives,
                           visibility_seconds=settings.queue_visibility_seconds)
    moved = replay_dlq(queues, Priority(priority), limit=limit)
    click.echo(f"replayed {moved} message(s) from the {priority}-priority dead-letter queue")


@main.group()
def sources() -> None:
    """Acquisition sources: the Meta Ad Library API, Apify scrapers, SerpApi."""


@sources.command("parse")
@click.argument("connector", type=click.Choice(["meta", "apify", "serpapi"]))
@click.argument("payload_file", type=click.Path(exists=True, dir_okay=False))
@_reports_errors
def sources_parse(connector: str, payload_file: str) -> None:
    """Print the normalized ads of a saved payload (a page, a list of items, or JSON lines) as
    JSON lines. Items that cannot be parsed are reported on stderr with their position and the
    reason; the others still parse. Exit code 1 when any item failed."""
    from adology.sources.models import Connector
    from adology.sources.payloads import load_payload_file, parse_payload

    _settings_or_exit()
    documents, failures = load_payload_file(payload_file)
    multi_document = len(documents) > 1 or bool(failures)
    reported = [{"line": failure.position, "reason": failure.reason} for failure in failures]
    parsed = 0
    for number, document in enumerate(documents, start=1):
        try:
            ads, item_failures = parse_payload(Connector(connector), document)
        except AdologyError as exc:
            reported.append({"document": number, "reason": str(exc)})
            continue
        for ad in ads:
            click.echo(ad.model_dump_json())
        parsed += len(ads)
        for failure in item_failures:
            entry = {"position": failure.position, "reason": failure.reason, "source_ad_id": failure.source_ad_id}
            reported.append({"document": number, **entry} if multi_document else entry)
    for entry in reported:
        click.echo(json.dumps({"failure": entry}), err=True)
    click.echo(f"{parsed} ads parsed, {len(reported)} failures", err=True)
    sys.exit(1 if reported else 0)


@main.group()
def ai() -> None:
    """The AI harness: run one routine alone, on files, with any provider."""


@ai.command("list")
def ai_list() -> None:
    """List the routines and the providers."""
    from adology.ai.registry import PROVIDER_NAMES
    from adology.ai.routines import ROUTINES

    _settings_or_exit()
    for routine in ROUTINES.values():
        click.echo(f"routine  {routine.name:9} {routine.summary}")
    for name in PROVIDER_NAMES:
        click.echo(f"provider {name}")


@ai.command("run")
@click.argument("routine_name", metavar="ROUTINE", type=click.Choice(["describe", "label", "embed"]))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--provider", "provider_name", type=click.Choice(["local", "openai", "bedrock"]), default=None,
              help="Provider (default: ADOLOGY_AI_PROVIDER).")
@_reports_errors
def ai_run(routine_name: str, files: tuple[str, ...], provider_name: str | None) -> None:
    """Run ROUTINE on FILES (images, videos, or one JSON ad with title/body/cta/link_url and
    optional "creatives": [paths]) and print the typed result as JSON. Routines that read a
    description (label, embed) run describe first with the same provider."""
    import asyncio

    from adology.ai.harness import run_routine

    settings = _settings_or_exit()
    result = asyncio.run(run_routine(routine_name, [Path(f) for f in files], settings=settings,
                                     provider_name=provider_name or settings.ai_provider))
    click.echo(json.dumps(result, indent=2))


@main.group()
def library() -> None:
    """The local ad library: fictional brands served in the real sources' payload shapes."""


@library.command("serve")
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: ADOLOGY_LIBRARY_PORT).")
@click.option("--ads", type=int, help="Number of ads (default: ADOLOGY_LIBRARY_ADS).")
@click.option("--brands", type=int, help="Number of brands (default: ADOLOGY_LIBRARY_BRANDS).")
@click.option("--seed", type=int, help="Catalog seed (default: ADOLOGY_LIBRARY_SEED).")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Rendered creatives (default: ADOLOGY_LIBRARY_CACHE_DIR).")
def library_serve(port: int | None, ads: int | None, brands: int | None, seed: int | None,
                  cache_dir: Path | None) -> None:
    """Serve the library in the foreground until Ctrl-C or SIGTERM."""
    from adology.library import Catalog, serve
    from adology.library.render import use_disk_cache

    settings = _settings_or_exit()
    use_disk_cache(cache_dir or settings.library_cache_dir)
    catalog = Catalog.generate(
        seed=settings.library_seed if seed is None else seed,
        ads=settings.library_ads if ads is None else ads,
        brands=settings.library_brands if brands is None else brands,
    )
    serve(host="127.0.0.1", port=settings.library_port if port is None else port, catalog=catalog)


@main.command()
@_reports_errors
def dev() -> None:
    """Start the stack, then the Dagster webserver and daemon on 127.0.0.1; Ctrl-C stops Dagster."""
    from adology.devserver import DagsterDev
    from adology.stack import Stack

    settings = _settings_or_exit()
    Stack(settings).up()
    server = DagsterDev(settings)
    server.start(foreground=True)
    click.echo(f"Dagster UI: {server.url}  (Ctrl-C to stop; the stack keeps running: 'adology stack down')")
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object on the last line.")
@click.option("--timeout", default=1800.0, show_default=True, help="Seconds to wait for every request.")
@_reports_errors
def demo(as_json: bool, timeout: float) -> None:
    """The main job end to end: stack, demo brandspace, requests through the outbox and SQS,
    Dagster runs, notifications, and a summary."""
    from adology.demo import DemoProgress, run_demo

    settings = _settings_or_exit()

    def show(progress: DemoProgress) -> None:
        rate = progress.finished / progress.seconds if progress.seconds else 0.0
        click.echo(f"  {progress.finished}/{progress.requests} requests finished ({progress.succeeded} succeeded), "
                   f"{progress.seconds:.0f}s elapsed, {rate * 60:.1f} requests/min", err=True)

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


@main.command()
@click.option("--ads", default=10_000, show_default=True, help="Ads in the generated library.")
@click.option("--brands", default=20, show_default=True, help="Brands they are spread across (at least 5).")
@click.option("--latency", default=0.8, show_default=True, help="Mean AI call latency in seconds.")
@click.option("--jitter", default=0.2, show_default=True, help="Uniform ± jitter around the latency, seconds.")
@click.option("--concurrency", default=256, show_default=True, help="AI calls the service allows in flight.")
@click.option("--rpm", default=30_000, show_default=True, help="AI requests per minute the service allows.")
@click.option("--naive-ads", default=10, show_default=True, help="Ads in the naive sequential baseline.")
@click.option("--local-ads", default=20, show_default=True, help="Ads timed with the local provider.")
@click.option("--port-base", default=17_000, show_default=True,
              help="First of the bench stack's ports (it uses base..base+50 and base+10010..base+10014).")
@click.option("--state-dir", type=click.Path(path_type=Path), default=Path(".adology/bench"), show_default=True,
              help="The bench stack's state; emptied at the start of every run.")
@click.option("--render-cache", type=click.Path(path_type=Path), default=Path(".adology/library-cache"),
              show_default=True, help="Rendered creatives, kept across runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object on the last line.")
@_reports_errors
def bench(ads: int, brands: int, latency: float, jitter: float, concurrency: int, rpm: int, naive_ads: int,
          local_ads: int, port_base: int, state_dir: Path, render_cache: Path, as_json: bool) -> None:
    """The end-to-end benchmark on a fresh stack in .adology/bench (see bench/run.py and the README)."""
    from bench.run import BenchOptions, run_benchmark

    figures = run_benchmark(BenchOptions(
        ads=ads, brands=brands, latency_seconds=latency, jitter_seconds=jitter, max_concurrency=concurrency,
        requests_per_minute=rpm, naive_ads=naive_ads, local_ads=local_ads, port_base=port_base,
        state_dir=state_dir, render_cache=render_cache))
    if as_json:
        click.echo(json.dumps(figures))
    else:
        click.echo(json.dumps(figures, indent=2))
