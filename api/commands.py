"""``adology api``: serve the API with uvicorn on 127.0.0.1 (entry point ``adology.commands``)."""

from __future__ import annotations

import click

from adology.cli import reports_errors, settings_or_exit

GRACEFUL_SHUTDOWN_SECONDS = 5


@click.command()
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: ADOLOGY_API_PORT).")
@reports_errors
def api(port: int | None) -> None:
    """Serve the API in the foreground until Ctrl-C or SIGTERM; OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn

    from api.app import create_app

    settings = settings_or_exit()
    chosen = settings.api_port if port is None else port
    click.echo(f"Adology API at http://127.0.0.1:{chosen} (OpenAPI: /openapi.json, docs: /docs)", err=True)
    # uvicorn's own logging stays off: our access line (api.middleware) carries the request id and
    # never the query string, where a search's text or a socket's resume point travel
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=chosen,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        ws="websockets-sansio",
    )
