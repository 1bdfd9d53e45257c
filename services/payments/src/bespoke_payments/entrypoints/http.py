"""The payments service's internal HTTP API (invoices, Stripe payment intents and webhooks)."""

from __future__ import annotations

from litestar import Litestar

from bespoke_payments.bootstrap import PaymentsRuntime, bootstrap
from bespoke_platform.app import service_app


def create_app(runtime: PaymentsRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(mongo=runtime.mongo, state={"runtime": runtime})
