"""One error shape for every 4xx and 5xx: ``{"code", "message", "request_id"}``.

Core exceptions map to statuses here, once, so a route never builds an error response itself. An
unexpected exception is logged with its traceback and answered as a 500 that says nothing of it.
"""

from __future__ import annotations

from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from adology.ai.types import AIError
from adology.errors import AdologyError
from adology.knowledge.inquire.errors import BudgetExceededError, QuestionError
from adology.logs import get_logger
from adology.requests.messages import InvalidRequestError
from adology.serving.listing import InvalidCursorError
from adology.sources.lookup import BrandQueryError
from adology.tenancy.errors import (
    BrandNotHeldError,
    ConflictError,
    ForbiddenError,
    InvalidCredentialsError,
    InvalidTokenError,
    LoginRateLimitedError,
    NotFoundError,
)
from adology.tenancy.passwords import WeakPasswordError
from api.dashboard.templating import error_page, is_page

log = get_logger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str
    request_id: str


class ApiError(Exception):
    """An error a route raises on purpose, with its status and code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


_CORE_ERRORS: dict[type[AdologyError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    ForbiddenError: (403, "forbidden"),
    ConflictError: (409, "conflict"),
    InvalidCredentialsError: (401, "invalid_credentials"),
    InvalidTokenError: (401, "invalid_token"),
    LoginRateLimitedError: (429, "too_many_logins"),
    InvalidCursorError: (400, "invalid_cursor"),
    WeakPasswordError: (422, "weak_password"),
    InvalidRequestError: (422, "invalid_request"),
    BrandNotHeldError: (422, "brand_not_in_brandspace"),
    BrandQueryError: (422, "invalid_brand_query"),
    AIError: (503, "ai_unavailable"),
    QuestionError: (422, "invalid_question"),
    BudgetExceededError: (429, "inquire_budget_spent"),
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code} for status, code in _HTTP_CODES.items() if status != 405
}


INTERNAL_ERROR_MESSAGE = "the server failed; the request id says where to look"


def core_error_status(exc: AdologyError) -> tuple[int, str]:
    """The status and code a core exception is answered with (500 for one no route should meet)."""
    for kind, (status, code) in _CORE_ERRORS.items():
        if isinstance(exc, kind):
            return status, code
    return 500, "internal_error"


def request_id_of(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def error_response(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The error shape, or for a dashboard page the error in words on a page."""
    if is_page(request):
        return error_page(request, status, message, request_id_of(request))
    body = ErrorBody(code=code, message=message, request_id=request_id_of(request))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is invalid"


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.code, exc.message, exc.headers)

    async def core_error(request: Request, exc: AdologyError) -> Response:
        status, code = core_error_status(exc)
        if status == 500:
            log.error("unexpected core error", exc_info=exc)
            return error_response(request, 500, code, INTERNAL_ERROR_MESSAGE)
        headers = None
        if isinstance(exc, LoginRateLimitedError):
            headers = {"Retry-After": str(exc.retry_after)}
        elif status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return error_response(request, status, code, str(exc), headers)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "error")
        return error_response(request, exc.status_code, code, str(exc.detail), exc.headers)

    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, "invalid_request", _validation_message(exc))

    async def database_error(request: Request, exc: Exception) -> Response:
        log.error("database unavailable", extra={"error": str(exc)[:300]})
        return error_response(
            request,
            503,
            "database_unavailable",
            "the database cannot be reached; try again shortly",
            {"Retry-After": "5"},
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return error_response(request, 500, "internal_error", INTERNAL_ERROR_MESSAGE)

    app.add_exception_handler(ApiError, api_error)  # type: ignore[arg-type]
    app.add_exception_handler(AdologyError, core_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(psycopg.OperationalError, database_error)
    app.add_exception_handler(Exception, unexpected)
