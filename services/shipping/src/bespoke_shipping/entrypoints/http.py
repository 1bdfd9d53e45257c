"""The shipping service's internal HTTP API (rates; shipping groups follow)."""

from __future__ import annotations

from litestar import Controller, Litestar, post
from litestar.datastructures import State
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from bespoke_platform.app import service_app
from bespoke_shipping.bootstrap import ShippingRuntime, bootstrap
from bespoke_shipping.domain.rates import ShippingQuote


class QuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="Destination, ISO alpha-2.")
    pairs: int = Field(ge=1, le=100_000)


class RatesController(Controller):
    path = "/internal"

    @post("/quotes", status_code=200)
    async def quote(self, data: JSONBody[QuoteRequest], state: State) -> ShippingQuote:
        """The individual shipping cost of one order's shipment."""
        runtime: ShippingRuntime = state.runtime
        return runtime.rates.quote(data.country, data.pairs)


def create_app(runtime: ShippingRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo, route_handlers=[RatesController], state={"runtime": runtime}
    )
