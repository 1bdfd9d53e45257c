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
