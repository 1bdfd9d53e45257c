"""Fixtures of the shipping service's unit tests: the handlers wired to in-memory fakes
(integration tests use FerretDB)."""

from __future__ import annotations

import pytest

from bespoke_shipping.adapters.rates_file import load_rates
from bespoke_shipping.service_layer.handlers import ShippingDeps

from .fakes import FakeClock, FakeGroups, FakeOrders, Fakes, FakeShipments


@pytest.fixture
def fakes() -> Fakes:
    orders, groups, shipments, clock = FakeOrders(), FakeGroups(), FakeShipments(), FakeClock()
    deps = ShippingDeps(
        rates=load_rates(),
        orders=orders,
        groups=groups,
        shipments=shipments,
        clock=clock,
        order_wait_seconds=0.2,
    )
    return Fakes(orders, groups, shipments, clock, deps)
