"""Nothing a request passes through hops to a worker thread (docs/performance.md).

Litestar runs a plain function guard, dependency or hook in a worker thread
(``sync_to_thread``): a hand-off and two wake-ups per request, for a check that never
waits. Every guard is a coroutine, and every plain dependency says
``sync_to_thread=False``. (The Kafka side: ``libs/platform``'s ``test_messaging``.)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.utils.sync import AsyncCallable

from bespoke.stack.components import SERVICE_NAMES


def http_handlers(app: Litestar) -> Iterator[HTTPRouteHandler]:
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            yield from route.route_handlers


def threaded(handler: HTTPRouteHandler) -> list[str]:
    """What of ``handler``'s request path Litestar would run in a worker thread."""
    found: list[str] = []
    if isinstance(handler.fn, AsyncCallable):
        found.append(f"the handler {handler.handler_name}")
    for guard in handler.resolve_guards():
        if isinstance(guard, AsyncCallable):
            found.append(f"the guard {guard.func.__qualname__}")
    for name, provide in handler.resolve_dependencies().items():
        if provide.sync_to_thread:
            found.append(f"the dependency {name}")
    hooks: list[Any] = [handler.resolve_before_request(), handler.resolve_after_response()]
    found += [f"the hook {h.func.__qualname__}" for h in hooks if isinstance(h, AsyncCallable)]
    return found


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_no_request_of_any_service_hops_to_a_worker_thread(name: str) -> None:
    app = importlib.import_module(f"bespoke_{name}.entrypoints.http").create_app()
    handlers = list(http_handlers(app))
    assert handlers, name
    offenders = {
        f"{handler.paths} {sorted(handler.http_methods)}": found
        for handler in handlers
        if (found := threaded(handler))
    }
    assert offenders == {}
