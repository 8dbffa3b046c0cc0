"""Mounting the dashboard on the API's app: its routers, its static files and icon, and ``/`` leading to it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.dashboard import knowledge, track
from api.dashboard.templating import PREFIX, STATIC

ROUTERS = (track.router, knowledge.router)


def install_dashboard(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=303)

    # browsers ask for it on any page, JSON included (an API error opened in a tab)
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")
