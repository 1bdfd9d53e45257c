"""RFC 9457 problem details for every Litestar app of the backoffice.

Each service maps its domain exceptions to a status code; the problem ``type`` is a
stable URI built from the exception's ``code``, so clients can branch on it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure

from bespoke_contracts.api.problems import IdempotencyKeyReused

PROBLEM_BASE = "https://backoffice.bespokefactory.com/problems/"
PROBLEM_JSON = "application/problem+json"

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Request cannot be processed",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    502: "Upstream service failed",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One reason a request body was refused."""

    pointer: str = Field(description="JSON pointer to the offending field, e.g. `#/sizes/42`.")
    detail: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="Stable URI naming the kind of problem; branch on it.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="HTTP status code.")
    detail: str = Field(description="What went wrong this time, and what to do about it.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(
        default=None, description="For validation errors: every offending field."
    )


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the problem responses a route can give."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_TITLES.get(status, "Error"),
            generate_examples=False,
        )
        for status in statuses
    }


def problem(
    status: int,
    code: str,
    detail: str,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, Mapping):
            errors.append(
                {
                    "pointer": _pointer(item.get("key"), item.get("source")),
                    "detail": str(item.get("message", "")),
                }
            )
    detail = (
        "the request is not valid: "
        + "; ".join(f"{e['pointer'] or 'body'}: {e['detail']}" for e in errors)
        if errors
        else str(exc.detail)
    )
    return problem(422, "validation-error", detail, request.url.path, errors=errors)


def _pointer(key: Any, source: Any) -> str:
    if source not in (None, "body") or not key:
        return f"#/{source}/{key}" if key else ""
    parts = [p for p in str(key).split(".") if p != "[key]"]
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    code = {401: "unauthorized", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, f"http-{exc.status_code}"
    )
    return problem(exc.status_code, code, str(exc.detail), request.url.path, headers=exc.headers)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500, "internal-error", "something failed on our side; it was logged", request.url.path
    )


def _database_unavailable(request: Request[Any, Any, Any], exc: ConnectionFailure) -> Response[Any]:
    log.warning("database unreachable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        503,
        "database-unavailable",
        "the database cannot be reached right now; retry in a few seconds",
        request.url.path,
        headers={"Retry-After": "5"},
    )


def exception_handlers(domain: Mapping[type[Exception], int]) -> ExceptionHandlersMap:
    """Handlers for Litestar's own errors plus each domain exception type -> status code.

    Domain exceptions must have a class attribute ``code`` (the problem type's last segment).
    """

    def make(status: int) -> Any:
        def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
            extra: dict[str, Any] = {}
            # Exceptions that carry several field-level reasons (``conflicts``: objects with
            # ``pointer`` and ``detail``) list them all, like validation errors do.
            conflicts = getattr(exc, "conflicts", None)
            if conflicts:
                extra["errors"] = [{"pointer": c.pointer, "detail": c.detail} for c in conflicts]
            # Anything else the client needs to act (e.g. the current bill of materials).
            problem_extra = getattr(exc, "problem_extra", None)
            if callable(problem_extra):
                extra.update(problem_extra())
            headers = dict(getattr(exc, "headers", None) or {})
            if status == 503:
                headers.setdefault("Retry-After", "5")  # a dependency is down: come back soon
            return problem(
                status,
                getattr(exc, "code", "error"),
                str(exc),
                request.url.path,
                headers=headers or None,
                **extra,
            )

        return handle

    handlers: dict[Any, Any] = {
        ValidationException: _validation,
        HTTPException: _http,
        # The database restarting or unreachable (also during a failover): transient, so
        # 503 with Retry-After, not a 500 (seen in the failure drills: tests/chaos).
        ConnectionFailure: _database_unavailable,
        Exception: _unexpected,
    }
    # Problems that mean the same everywhere answer with the same status everywhere.
    handlers[IdempotencyKeyReused] = make(IdempotencyKeyReused.status)
    for exc_type, status in domain.items():
        handlers[exc_type] = make(status)
    return handlers


__all__ = [
    "PROBLEM_JSON",
    "MediaType",
    "Problem",
    "exception_handlers",
    "problem",
    "problem_responses",
]
