"""``adology api`` serves the API with uvicorn on 127.0.0.1, ``adology mcp`` its tools to AI assistants
(entry points ``adology.commands``)."""

from __future__ import annotations

import os
import tempfile

import click

from adology.cli import reports_errors, settings_or_exit
from adology.errors import StackError
from adology.settings import Settings

GRACEFUL_SHUTDOWN_SECONDS = 5


def _require_database(settings: Settings) -> None:
    """One clear line and exit code 1 when Postgres cannot be reached, rather than every worker
    failing its start-up with a traceback."""
    import psycopg

    try:
        psycopg.connect(settings.database_url or "", connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StackError(
            f"the API needs the database at DATABASE_URL, which cannot be reached ({reason}); "
            "start the embedded stack with `adology stack up`"
        ) from None


@click.command()
@click.option("--port", type=click.IntRange(1024, 55535), help="Port (default: ADOLOGY_API_PORT).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: 0.0.0.0 in a container behind a load balancer (docs/deploy.md).",
)
@reports_errors
def api(port: int | None, host: str) -> None:
    """Serve the API in the foreground until Ctrl-C or SIGTERM; OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn

    settings = settings_or_exit()
    _require_database(settings)
    chosen = settings.api_port if port is None else port
    click.echo(
        f"Adology API at http://{host}:{chosen} with {settings.api_workers} worker process(es) "
        "(OpenAPI: /openapi.json, docs: /docs)",
        err=True,
    )
    # the workers count requests into one directory, which /metrics sums (api/metrics.py); a fresh
    # one per start, since counts of processes gone must not add to the new ones'
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="adology-api-metrics-")
    # uvicorn's own logging stays off: our access line (api.middleware) carries the request id and
    # never the query string, where a search's text or a socket's resume point travel. Workers are
    # processes (one Python process serves about one core), each with its own pool and listener.
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        workers=settings.api_workers,
        host=host,
        port=chosen,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        ws="websockets-sansio",
    )


def _stdio_token(settings: Settings) -> str:
    """ADOLOGY_API_TOKEN, checked before the server's heavy imports and clients: an assistant started
    with a missing, invalid or expired token gets one line at once."""
    import psycopg

    from adology.tenancy.errors import InvalidTokenError
    from adology.tenancy.tokens import user_for_token

    token = os.environ.get("ADOLOGY_API_TOKEN", "")
    if not token:
        raise InvalidTokenError("ADOLOGY_API_TOKEN is not set; set it to a token from the API's POST /v1/auth/token")
    with psycopg.connect(settings.database_url or "") as conn:
        try:
            user_for_token(conn, token)
        except InvalidTokenError as exc:
            raise InvalidTokenError(f"ADOLOGY_API_TOKEN: {exc}") from None
    return token


@click.command()
@click.option("--http", "over_http", is_flag=True, help="Serve streamable HTTP on 127.0.0.1 instead of stdio.")
@click.option("--port", type=click.IntRange(1024, 55535), help="Port of --http (default: ADOLOGY_API_PORT + 1).")
@reports_errors
def mcp(over_http: bool, port: int | None) -> None:
    """Serve Adology's tools to an AI assistant over the Model Context Protocol. On stdio (the default)
    the assistant starts this command with ADOLOGY_API_TOKEN set to an API token; with --http it
    connects to http://127.0.0.1:PORT/mcp sending Authorization: Bearer <token>."""
    if port is not None and not over_http:
        raise click.UsageError("--port is the port of --http")
    settings = settings_or_exit()
    _require_database(settings)
    if over_http:
        from api.mcp_server import serve_http

        serve_http(settings, port=settings.api_port + 1 if port is None else port)
    else:
        token = _stdio_token(settings)
        from api.mcp_server import serve_stdio

        serve_stdio(settings, token=token)
