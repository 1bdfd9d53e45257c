"""AsyncAPI 3.0 documents of the services that use Kafka, generated from their FastStream
subscribers (never hand-written), with each message's payload schema taken from
``contracts`` and the events each service publishes through its outbox added as `send`
operations (the relay publishes raw records, which FastStream does not see).

``uv run python -m bespoke.asyncapi docs/asyncapi`` writes one file per service; a test
fails when the committed files drift from the code.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from bespoke_contracts import (
    EVENT_TYPES,
    Envelope,
    OrderRevised,
    OrderStatusChanged,
    OrderSubmitted,
    PaymentCleared,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)

BOOTSTRAP_SERVERS = "kafka:9092"


def _orders(broker: KafkaBroker) -> None:
    from bespoke_orders.bootstrap import bootstrap

    bootstrap(broker=broker)


def _payments(broker: KafkaBroker) -> None:
    from bespoke_payments.bootstrap import bootstrap

    bootstrap(broker=broker)


def _shipping(broker: KafkaBroker) -> None:
    from bespoke_shipping.bootstrap import bootstrap

    bootstrap(broker=broker)


def _notifications(broker: KafkaBroker) -> None:
    from bespoke_notifications.bootstrap import bootstrap

    bootstrap(broker=broker)


SERVICES: dict[str, tuple[Callable[[KafkaBroker], None], list[type[Envelope[Any]]], str]] = {
    "orders": (
        _orders,
        [OrderSubmitted, OrderStatusChanged, OrderRevised],
        "Orders: checkout, order numbers, statuses; launches paid orders to production.",
    ),
    "payments": (_payments, [PaymentCleared], "Payments: invoices, Stripe, payment.cleared."),
    "shipping": (
        _shipping,
        [ShipmentGrouped, ShipmentUngrouped, ShipmentStatusChanged],
        "Shipping: rates, Group Shipping, shipments.",
    ),
    "notifications": (_notifications, [], "Notifications: the emails brands receive."),
}


def _schema(event: type[Envelope[Any]], schemas: dict[str, Any]) -> dict[str, str]:
    schema = event.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[event.__name__] = schema
    return {"$ref": f"#/components/schemas/{event.__name__}"}


def render(service: str) -> str:
    """The service's AsyncAPI document as JSON text."""
    build, publishes, description = SERVICES[service]
    broker = KafkaBroker(BOOTSTRAP_SERVERS)
    build(broker)
    spec = json.loads(
        AsyncAPI(broker, title=f"bespoke-{service}", version="1", description=description)
        .to_specification()
        .to_json()
    )
    components = spec.setdefault("components", {})
    schemas: dict[str, Any] = {}
    messages = components.setdefault("messages", {})
    for channel in spec.get("channels", {}).values():
        event = EVENT_TYPES.get(channel["address"])
        if event is None:
            continue
        # The service's one consumer describes each of its topics on a line of its own.
        lines = (channel.get("description") or "").splitlines()
        own = [line for line in lines if line.startswith(f"{event.TOPIC}: ")]
        if own:
            channel["description"] = own[0].removeprefix(f"{event.TOPIC}: ")
        for ref in channel.get("messages", {}).values():
            name = ref["$ref"].rsplit("/", 1)[1]
            messages[name]["payload"] = _schema(event, schemas)
            messages[name]["title"] = event.__name__
    for event in publishes:
        channel_name = f"{service}.{event.TOPIC}.publish"
        messages[event.__name__] = {
            "name": event.__name__,
            "title": event.__name__,
            "summary": (event.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "payload": _schema(event, schemas),
        }
        spec.setdefault("channels", {})[channel_name] = {
            "address": event.TOPIC,
            "description": f"Published through the outbox; key: {event.key.__doc__ or 'see payload'}",
            "messages": {event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}},
            "bindings": {"kafka": {"topic": event.TOPIC, "bindingVersion": "0.4.0"}},
        }
        spec.setdefault("operations", {})[f"{service}.{event.TOPIC}.send"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_name}"},
            "messages": [{"$ref": f"#/channels/{channel_name}/messages/{event.__name__}"}],
        }
    components["schemas"] = {**components.get("schemas", {}), **schemas}
    text = json.dumps(spec, indent=2, sort_keys=True)
    for name in list(components["schemas"]):  # FastStream's placeholders, now unused
        if f'"#/components/schemas/{name}"' not in text:
            del components["schemas"][name]
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def main(out_dir: str) -> None:
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        (target / f"{service}.json").write_text(render(service))
        print(target / f"{service}.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default="docs/asyncapi", help="where to write")
    main(parser.parse_args().out_dir)
