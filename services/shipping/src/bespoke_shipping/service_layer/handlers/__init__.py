"""Use cases of the shipping service, by what they act on: shipping's copy of each order
(``order_copies``), Group Shipping (``groups``) and shipments (``shipments``)."""

from __future__ import annotations

from bespoke_shipping.service_layer.handlers.deps import ShippingDeps
from bespoke_shipping.service_layer.handlers.groups import (
    FORMING_GRACE,
    GroupResult,
    dissolve_group,
    form_group,
    get_group,
    list_groups,
    preview_group,
    recover_forming,
)
from bespoke_shipping.service_layer.handlers.order_copies import (
    on_order_revised,
    on_order_status_changed,
    on_order_submitted,
)
from bespoke_shipping.service_layer.handlers.shipments import (
    deliver,
    get_shipment,
    on_order_stage_changed,
    on_payment_cleared,
    ship,
    shipment_of,
)

__all__ = [
    "FORMING_GRACE",
    "GroupResult",
    "ShippingDeps",
    "deliver",
    "dissolve_group",
    "form_group",
    "get_group",
    "get_shipment",
    "list_groups",
    "on_order_revised",
    "on_order_stage_changed",
    "on_order_status_changed",
    "on_order_submitted",
    "on_payment_cleared",
    "preview_group",
    "recover_forming",
    "ship",
    "shipment_of",
]
