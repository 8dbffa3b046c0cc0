"""What every dashboard page shares: the signed-in user with the brandspaces to switch between, the
module tabs, and the session cookie's life."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from adology.tenancy.accounts import User
from adology.tenancy.brandspaces import Brandspace, usable_brandspaces
from adology.tenancy.tokens import TOKEN_TTL
from api.dashboard.templating import PREFIX, render
from api.deps import SESSION_COOKIE, CurrentUser, Db

MODULES = (
    ("track", "Track"),
    ("insight", "Insight"),
    ("inspire", "Inspire"),
    ("inquire", "Inquire"),
    ("adspend", "AdSpend"),
)


@dataclass(frozen=True)
class Shell:
    user: User
    brandspaces: list[Brandspace]

    def page(
        self, request: Request, template: str, space: Brandspace | None, module: str | None, **context: Any
    ) -> HTMLResponse:
        return render(
            request,
            template,
            {
                "user": self.user,
                "brandspaces": self.brandspaces,
                "space": space,
                "module": module,
                "modules": MODULES,
                "prefix": PREFIX,
                **context,
            },
        )


def shell(user: CurrentUser, conn: Db) -> Shell:
    return Shell(user, usable_brandspaces(conn, user))


PageShell = Annotated[Shell, Depends(shell)]


def space_url(space: Brandspace, module: str = "track") -> str:
    return f"{PREFIX}/b/{space.id}/{module}"


def start_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(TOKEN_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
