"""Health endpoint and process lifespan of the notifications service."""

from __future__ import annotations

from litestar import Litestar

from bespoke_notifications.bootstrap import NotificationsRuntime, bootstrap
from bespoke_platform.app import service_app


def create_app(runtime: NotificationsRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        state={"runtime": runtime},
        on_startup=[runtime.broker.start],
        on_shutdown=[runtime.broker.stop],
        ready_checks={"kafka": lambda: runtime.broker.ping(timeout=2.0)},
    )
