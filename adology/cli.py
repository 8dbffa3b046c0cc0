"""The ``adology`` command line: the embedded stack, migrations, queues, sources and the AI harness,
plus the commands other packages contribute (``dev``, ``library``, ``demo``, ``bench``)."""

from __future__ import annotations

import functools
import json
import shlex
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import click

from adology.ai.config import PROVIDER_NAMES, ProviderName
from adology.ai.evaluation.vocabulary import DEV_SEED, HELD_OUT_SEED
from adology.errors import AdologyError
from adology.logs import at_most_every, configure_logging, get_logger
from adology.settings import Settings, load_settings

log = get_logger("adology.cli")


def settings_or_exit() -> Settings:
    """The settings, with logging configured from them; a bad variable ends the command with exit code 2."""
    try:
        settings = load_settings()
    except AdologyError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    configure_logging(level=settings.log_level, log_format=settings.log_format)
    return settings


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an AdologyError into one clear line on stderr and exit code 1, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AdologyError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


class _Commands(click.Group):
    """The core's commands plus those other packages contribute through ``adology.commands`` entry
    points: the Dagster layer's ``dev``, the simulators' ``library`` and ``demo``, the benchmark's
    ``bench``. The core never imports them; a contributed command is loaded only when it runs (or
    when help lists it), so ``adology stack env`` does not pay for importing Dagster."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_contributed_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _contributed_commands():
            command = _contributed_commands()[cmd_name].load()
        return command


@functools.cache
def _contributed_commands() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group="adology.commands")}


@click.group(cls=_Commands)
def main() -> None:
    """Adology: advertising intelligence on a Dagster data-asset platform."""


@main.group()
def stack() -> None:
    """The embedded stack: PostgreSQL + pgvector, SeaweedFS S3, moto SQS, montydb."""


@stack.command("up")
@reports_errors
def stack_up() -> None:
    """Start every part that is not running, apply migrations, ensure buckets and queues."""
    from adology.stack import Stack

    result = Stack(settings_or_exit()).up()
    if result.started:
        click.echo(f"started: {', '.join(result.started)}")
    if result.already_running:
        click.echo(f"already running, left unchanged: {', '.join(result.already_running)}")
    click.echo(f"migrations applied: {', '.join(result.migrations) or 'none (schema up to date)'}")


@stack.command("down")
@reports_errors
def stack_down() -> None:
    """Stop every running part; data stays under the state directory."""
    from adology.stack import Stack

    stopped = Stack(settings_or_exit()).down()
    click.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@stack.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: each part's health.")
@reports_errors
def stack_status(as_json: bool) -> None:
    """Report each part's health; exit code 1 if any part is unhealthy."""
    from adology.stack import Stack

    statuses = Stack(settings_or_exit()).status()
    healthy = all(status.healthy for status in statuses.values())
    if as_json:
        click.echo(json.dumps({"healthy": healthy, "parts": {n: s.as_dict() for n, s in statuses.items()}}))
    else:
        for name, status in statuses.items():
            state = "healthy" if status.healthy else ("running, unhealthy" if status.running else "stopped")
            click.echo(f"{name:9} {state:20} {status.endpoint}  {status.detail}")
    sys.exit(0 if healthy else 1)


@stack.command("env")
@click.option(
    "--dotenv",
    is_flag=True,
    help="Print a .env file instead, for a bare `dagster dev` in the checkout (which loads ./.env): "
    "every variable but DAGSTER_HOME, so Dagster keeps its temporary instance.",
)
def stack_env(dotenv: bool) -> None:
    """Print shell exports that point clients at the stack: eval "$(adology stack env)"."""
    for name, value in settings_or_exit().client_environment().items():
        if not dotenv:
            click.echo(f"export {name}={shlex.quote(value)}")
        elif name != "DAGSTER_HOME":
            click.echo(f"{name}={shlex.quote(value)}")


@main.command()
@reports_errors
def provision() -> None:
    """Create what the runtime expects, idempotently: apply migrations, ensure the bucket, the request
    queues with their dead-letter queues, and the Mongo collections. A deployment runs it with
    credentials allowed to create them; the runtime's resources only open clients."""
    from adology.provision import provision as provision_stores

    applied = provision_stores(settings_or_exit())
    click.echo(f"provisioned; migrations applied: {', '.join(applied) or 'none (schema up to date)'}")


@main.command("dagster-yaml")
@reports_errors
def dagster_yaml() -> None:
    """Print the Dagster instance's dagster.yaml for this configuration: the project's shared settings,
    Postgres storage and the run launcher ADOLOGY_RUN_LAUNCHER chooses (a deployment writes it into
    DAGSTER_HOME; `adology stack up` does so for the embedded stack)."""
    from adology.dagster_instance import instance_yaml

    click.echo(instance_yaml(settings_or_exit()), nl=False)


@main.group()
def db() -> None:
    """The Postgres schema."""


@db.command("migrate")
@reports_errors
def db_migrate() -> None:
    """Apply pending migrations to DATABASE_URL (idempotent)."""
    from adology.db.migrate import migrate

    applied = migrate(settings_or_exit().database_url or "")
    click.echo(f"migrations applied: {', '.join(applied) or 'none (schema up to date)'}")


@main.group()
def queue() -> None:
    """The SQS request queues."""


@queue.command("replay-dlq")
@click.option("--priority", type=click.Choice(["high", "low"]), required=True)
@click.option("--limit", type=int, default=None, help="Replay at most this many messages.")
@reports_errors
def queue_replay_dlq(priority: str, limit: int | None) -> None:
    """Move dead-lettered messages back to their queue, after the cause has been fixed."""
    import psycopg

    from adology.requests.dead_letters import replay_dlq
    from adology.storage.aws import settings_client
    from adology.storage.queues import Priority, RequestQueues

    settings = settings_or_exit()
    queues = RequestQueues(
        settings_client(settings, "sqs"),
        settings.queue_prefix,
        max_receives=settings.queue_max_receives,
        visibility_seconds=settings.queue_visibility_seconds,
    )
    database_url = settings.database_url or ""
    moved = replay_dlq(queues, Priority(priority), limit=limit, connect=lambda: psycopg.connect(database_url))
    click.echo(f"replayed {moved} message(s) from the {priority}-priority dead-letter queue")


@main.group()
def sources() -> None:
    """Acquisition sources: the Meta Ad Library API, Apify scrapers, SerpApi."""


@sources.command("parse")
@click.argument("connector", type=click.Choice(["meta", "apify", "serpapi"]))
@click.argument("payload_file", type=click.Path(exists=True, dir_okay=False))
@reports_errors
def sources_parse(connector: str, payload_file: str) -> None:
    """Print the normalized ads of a saved payload (a page, a list of items, or JSON lines) as
    JSON lines. Items that cannot be parsed are reported on stderr with their position and the
    reason; the others still parse. Exit code 1 when any item failed."""
    from adology.sources.models import Connector
    from adology.sources.payloads import load_payload_file, parse_payload

    settings_or_exit()
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
    from adology.ai.routines import ROUTINES

    settings_or_exit()
    for routine in ROUTINES.values():
        click.echo(f"routine  {routine.name:9} {routine.summary}")
    for name in PROVIDER_NAMES:
        click.echo(f"provider {name}")


provider_option = click.option(
    "--provider",
    "provider_name",
    type=click.Choice(PROVIDER_NAMES),
    default=None,
    help="Provider (default: ADOLOGY_AI_PROVIDER).",
)


@ai.command("run")
@click.argument("routine_name", metavar="ROUTINE", type=click.Choice(["describe", "label", "embed"]))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@provider_option
@reports_errors
def ai_run(routine_name: str, files: tuple[str, ...], provider_name: ProviderName | None) -> None:
    """Run ROUTINE on FILES (images, videos, or one JSON ad with title/body/cta/link_url and
    optional "creatives": [paths]) and print the typed result as JSON. Routines that read a
    description (label, embed) run describe first with the same provider."""
    import asyncio

    from adology.ai.harness import run_routine

    settings = settings_or_exit()
    result = asyncio.run(
        run_routine(routine_name, [Path(f) for f in files], settings=settings, provider_name=provider_name)
    )
    click.echo(json.dumps(result, indent=2))


@ai.command("eval")
@provider_option
@click.option(
    "--seed",
    type=int,
    default=DEV_SEED,
    show_default=True,
    help=f"Which evaluation set: seeds ≡1 mod 3 are for development ({DEV_SEED}), ≡2 mod 3 are held out "
    f"({HELD_OUT_SEED}), ≡0 mod 3 are blind (3), wording no rule author has seen: each drawn in its own "
    "phrases; the held-out and blind sets share fonts and layouts, apart from development's.",
)
@click.option("--count", type=click.IntRange(1, 10_000), default=120, show_default=True, help="Ads in the set.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@reports_errors
def ai_eval(provider_name: ProviderName | None, seed: int, count: int, as_json: bool) -> None:
    """Measure a provider on creatives with known content: OCR word recall and precision, offer / CTA /
    urgency detection, labels per taxonomy, attribute accuracy, description length, seconds and
    CPU-seconds per ad."""
    import asyncio

    from adology.ai.evaluation.report import format_report
    from adology.ai.evaluation.run import evaluate

    settings = settings_or_exit()
    report = asyncio.run(
        evaluate(
            settings.ai_provider_config(provider_name),
            seed=seed,
            count=count,
            in_flight=settings.ai_concurrency,
            progress=_progress_reporter(),
        )
    )
    click.echo(report.model_dump_json() if as_json else format_report(report))


@main.group()
def insights() -> None:
    """Brand insights: themes, trends, attribute summary, momentum and the checked summary."""


@insights.command("show")
@click.argument("brand")
@click.option(
    "--version", "version", type=click.IntRange(min=1), default=None, help="A stored version; default: the newest."
)
@click.option("--json", "as_json", is_flag=True, help="Print the stored version as one JSON object.")
@reports_errors
def insights_show(brand: str, version: int | None, as_json: bool) -> None:
    """Print BRAND's insights (BRAND is its partition key, e.g. glow-botanicals)."""
    import psycopg

    from adology.brands import load_brand
    from adology.knowledge.insights.render import render_insights
    from adology.knowledge.insights.store import latest_insights

    settings = settings_or_exit()
    with psycopg.connect(settings.database_url or "") as conn:
        stored = latest_insights(conn, load_brand(conn, brand).id, version=version)
    if stored is None:
        which = f"version {version}" if version else "insights"
        raise NoInsightsError(f"brand {brand!r} has no {which} yet; they are computed after its ads are analysed")
    if as_json:
        click.echo(
            json.dumps({"version": stored.version, "s3_key": stored.s3_key, **stored.insights.model_dump(mode="json")})
        )
    else:
        click.echo(render_insights(stored.insights, stored.version))


class NoInsightsError(AdologyError):
    """The brand has no stored insights (or not the version asked for)."""


@main.group()
def reports() -> None:
    """Brandspace reports: themes, trends and calls to action compared, recommendations with their evidence."""


@reports.command("show")
@click.argument("brandspace")
@click.option(
    "--version", "version", type=click.IntRange(min=1), default=None, help="A stored version; default: the newest."
)
@click.option("--json", "as_json", is_flag=True, help="Print the stored version as one JSON object.")
@reports_errors
def reports_show(brandspace: str, version: int | None, as_json: bool) -> None:
    """Print BRANDSPACE's report (BRANDSPACE is its partition key, e.g. demo-skincare)."""
    import psycopg

    from adology.knowledge.report import UnknownBrandspaceError, render_report
    from adology.knowledge.snapshots import load_report

    settings = settings_or_exit()
    with psycopg.connect(settings.database_url or "") as conn:
        if conn.execute("SELECT 1 FROM brandspaces WHERE partition_key = %s", (brandspace,)).fetchone() is None:
            raise UnknownBrandspaceError(f"no brandspace with partition key {brandspace!r} in table brandspaces")
        loaded = load_report(conn, brandspace, version=version)
    if loaded is None:
        which = f"version {version}" if version else "report"
        raise NoReportError(
            f"brandspace {brandspace!r} has no {which} yet; reports are built from its brands' insights"
        )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "version": loaded.stored.version,
                    "s3_key": loaded.stored.s3_key,
                    **loaded.report.model_dump(mode="json"),
                }
            )
        )
    else:
        click.echo(render_report(loaded.report, version=loaded.stored.version))


@main.group()
def inquire() -> None:
    """Inquire: questions about a brandspace answered from its ads, with the evidence checked."""


def _on_brandspaces(keys: list[str], work: Callable[..., Any]) -> Any:
    """``work(connection, provider, spaces)`` on the settings' database and AI provider, for the
    brandspaces ``keys`` (all with brands when empty), each with an admin of its organization."""
    import asyncio

    from adology.ai.registry import open_provider
    from adology.knowledge.inquire.evaluation import evaluation_spaces
    from adology.storage.postgres import open_pool

    settings = settings_or_exit()
    pool = open_pool(settings.database_url or "", min_size=1, max_size=2)
    try:
        with pool.connection() as conn:
            spaces = evaluation_spaces(conn, keys)
        if not spaces:
            wanted = ", ".join(keys) if keys else "any brandspace"
            raise NoBrandspaceError(f"{wanted}: no brandspace with brands and an admin to ask as; run `adology demo`")

        async def run() -> Any:
            async with open_provider(settings.ai_provider_config()) as provider:
                return await work(pool.connection, provider, spaces)

        return asyncio.run(run())
    finally:
        pool.close()


@inquire.command("ask")
@click.argument("brandspace")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the whole answer as JSON.")
@reports_errors
def inquire_ask(brandspace: str, question: str, as_json: bool) -> None:
    """Answer QUESTION about BRANDSPACE (its partition key, e.g. demo-skincare) as an admin of its
    organization, with the configured AI provider; the answer is stored in a new conversation."""
    from adology.knowledge.inquire.service import ask

    result = _on_brandspaces(
        [brandspace],
        lambda connection, provider, spaces: ask(
            connection, provider, user=spaces[0][0], brandspace=spaces[0][1], question=question
        ),
    )
    if as_json:
        click.echo(result.model_dump_json())
        return
    click.echo(result.answer)
    for citation in result.citations:
        click.echo(f"  ad {citation.ad_id}  {citation.brand_name}: {citation.title or '(no title)'}")
    click.echo(f"({result.intent or 'not understood'}; check: {result.check}; {result.routine_version})")


@inquire.command("eval")
@click.option("--brandspace", "brandspaces", multiple=True, help="A brandspace's key (repeatable; default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@reports_errors
def inquire_eval(brandspaces: tuple[str, ...], as_json: bool) -> None:
    """Measure Inquire on questions generated from templates over the stored analyses, with answers
    computed independently: accuracy, citation precision, unsupported claims, citations outside the
    brandspace (nothing is recorded)."""
    from adology.knowledge.inquire.evaluation import evaluate, format_evaluation

    report = _on_brandspaces(
        list(brandspaces),
        lambda connection, provider, spaces: evaluate(
            connection, provider, spaces, progress=_progress_reporter("questions")
        ),
    )
    click.echo(report.model_dump_json(exclude={"answers"}) if as_json else format_evaluation(report))


class NoBrandspaceError(AdologyError):
    """No brandspace to ask about."""


class NoReportError(AdologyError):
    """The brandspace has no stored report (or not the version asked for)."""


def _progress_reporter(unit: str = "ads") -> Callable[[str, int, int, float], None]:
    """Progress of long work on stderr: one line rewritten in place on a terminal, else a log line
    every 10 s (and at the end of each stage); counts of ``unit``, rate and what is left."""
    terminal = sys.stderr.isatty()

    def line(stage: str, done: int, total: int, seconds: float) -> str:
        rate = done / seconds if seconds > 0 else 0.0
        left = total - done
        eta = f", about {left / rate:.0f} s to go" if rate > 0 and left else ""
        return f"{stage}: {done}/{total} {unit}, {rate:.1f} {unit}/s, {left} left{eta}"

    def log_line(stage: str, done: int, total: int, seconds: float) -> None:
        log.info(line(stage, done, total, seconds))

    throttled = at_most_every(10.0, log_line)

    def show(stage: str, done: int, total: int, seconds: float) -> None:
        if terminal:
            click.echo(f"\r{line(stage, done, total, seconds)}\033[K", err=True, nl=done == total)
        elif done == total:
            log_line(stage, done, total, seconds)
        else:
            throttled(stage, done, total, seconds)

    return show
