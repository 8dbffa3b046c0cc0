"""Rendering the dashboard's pages: the Jinja2 environment, its filters, and error pages in words.

Kept apart from the routes so :mod:`api.errors` can answer a page's failure with a page (and a page
that needs a login with the login form) without importing the routes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

PREFIX = "/app"
STATIC = Path(__file__).parent / "static"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:,}"


def _percent(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


def _day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%-d %b %Y")
    return "–" if value is None else str(value)


def _label(value: Any) -> str:
    """``learn_more`` as "learn more", ``offer:free_shipping`` as "offer: free shipping"."""
    return "–" if value is None else str(value).replace("_", " ").replace(":", ": ")


TEMPLATES.env.filters.update(number=_number, percent=_percent, day=_day, label=_label)


def is_page(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)


def login_redirect(request: Request) -> Response:
    """To the login form, coming back here after it; htmx follows ``HX-Redirect`` with a full page load."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"{PREFIX}/login?next={quote(here)}"
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, message: str, request_id: str) -> Response:
    if status == 401:
        return login_redirect(request)
    titles = {403: "Not allowed", 404: "Not found", 422: "That did not work", 429: "Too many at once"}
    title = titles.get(status, "Something went wrong" if status >= 500 else "That did not work")
    template = "fragments/error.html" if request.headers.get("hx-request") else "error.html"
    context = {"title": title, "message": message, "request_id": request_id, "status": status, "prefix": PREFIX}
    return render(request, template, context, status=status)
