"""FastStream Kafka broker settings and a raw publisher shared by the services."""

from __future__ import annotations

from faststream.kafka import KafkaBroker


def make_broker(bootstrap: str, client_id: str) -> KafkaBroker:
    """A broker whose producer waits for every in-sync replica and never duplicates on retry."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        allow_auto_create_topics=False,
        graceful_timeout=15.0,
    )


class BrokerPublisher:
    """Publishes bytes as they are (already-serialised events, dead letters)."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None:
        await self._broker.publish(value, topic, key=key, headers=headers)
