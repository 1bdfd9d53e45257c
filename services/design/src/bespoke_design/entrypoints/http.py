"""The design service's internal HTTP API (catalog, brands' designs, gallery and price quotes)."""

from __future__ import annotations

from litestar import Litestar

from bespoke_design.bootstrap import DesignRuntime, bootstrap
from bespoke_platform.app import service_app


def create_app(runtime: DesignRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(mongo=runtime.mongo, state={"runtime": runtime})
