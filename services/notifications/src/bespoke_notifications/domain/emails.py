"""What each email says. Pure: builds messages from events, sends nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts import Address, OrderSubmitted

_ORDER_TYPES = {"mto": "MTO (single)", "mini_bulk": "MINI-BULK", "bulk": "BULK"}
_LABELING = {
    "unlabeled": "Unlabeled (no brand marks)",
    "custom_stamps": "Custom stamps (your logo engraved)",
}


@dataclass(frozen=True)
class Email:
    """One email to send; ``dedup_key`` says which notification of which event it is."""

    dedup_key: str
    to: str
    subject: str
    text: str


def _money(minor: int, currency: str) -> str:
    return f"{currency} {minor // 100:,}.{minor % 100:02d}"


def _size_key(size: str) -> float:
    return float(size)


def _address(address: Address) -> list[str]:
    lines = [address.name, address.line1]
    if address.line2:
        lines.append(address.line2)
    region = f" {address.state}" if address.state else ""
    lines.append(f"{address.postal_code} {address.city}{region}")
    lines.append(address.country)
    if address.phone:
        lines.append(f"Phone: {address.phone}")
    return lines


def order_confirmation(event: OrderSubmitted) -> Email:
    """The order-specifications email a brand gets right after checkout."""
    order = event.payload
    spec = order.specification
    costs = order.costs
    sizes = "\n".join(
        f"  EU {size:>5}: {pairs} pair{'s' if pairs != 1 else ''}"
        for size, pairs in sorted(order.sizes.items(), key=lambda item: _size_key(item[0]))
    )
    body = "\n".join(
        [
            f"Hello {order.billing.name},",
            "",
            f"your order {order.order_number} has been submitted and recorded.",
            "It is now Pending Payment: we launch it to production as soon as it is paid.",
            "",
            "Order specifications",
            "--------------------",
            f"Order number:   {order.order_number}",
            f"Order type:     {_ORDER_TYPES.get(order.order_type.value, order.order_type.value)}",
            f"Design:         {order.design_id} (version {order.design_version})",
            f"Materials:      bill of materials {order.bom_hash}",
            f"Labeling:       {_LABELING.get(order.labeling.value, order.labeling.value)}",
            f"Pairs:          {order.pairs}",
            f"Style:          {spec.style} / {spec.construction} / last {spec.last}",
            f"Sole unit:      {spec.sole_unit}",
            *(
                f"{part.capitalize() + ':':<16}{choice.material} ({choice.colour})"
                for part, choice in spec.materials.items()
            ),
            *(
                f"Element:        {e.element} ({e.option}{', ' + e.text if e.text else ''})"
                for e in spec.elements
            ),
            "Size run:",
            sizes,
            "",
            "Ship to:",
            *(f"  {line}" for line in _address(order.shipping_address)),
            "",
            "Bill to:",
            *(f"  {line}" for line in _address(order.billing.address)),
            *([f"  VAT: {order.billing.vat_id}"] if order.billing.vat_id else []),
            "",
            "Costs",
            "-----",
            f"Manufacturing:  {_money(costs.manufacturing, costs.currency)}"
            f" ({order.pairs} x {_money(costs.per_pair, costs.currency)})",
            f"Shipping:       {_money(costs.shipping, costs.currency)}",
            f"Customization:  {_money(costs.customization, costs.currency)}",
            f"Total:          {_money(costs.total, costs.currency)}",
            "",
            "To pay, open the order in your backoffice order pool and use its Pay action.",
            "",
            "Bespoke Factory",
        ]
    )
    return Email(
        dedup_key=f"{event.event_id}:order-confirmation",
        to=str(order.billing.email),
        subject=f"Order {order.order_number} received - pending payment",
        text=body + "\n",
    )
