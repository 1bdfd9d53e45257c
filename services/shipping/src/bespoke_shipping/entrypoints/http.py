"""The shipping service's internal HTTP API (shipping rates, shipping groups and shipments)."""

from __future__ import annotations

from litestar import Litestar

from bespoke_platform.app import service_app
from bespoke_shipping.bootstrap import ShippingRuntime, bootstrap


def create_app(runtime: ShippingRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(mongo=runtime.mongo, state={"runtime": runtime})
