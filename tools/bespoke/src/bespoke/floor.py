"""A factory-floor station, for local use and the demo: publishes a scan
(`production.stage_reported`) to Kafka as the downstream principal, as the floor's own
systems do."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import login
from bespoke_contracts import ProductionStage, StageReported, StageReportedPayload
from bespoke_contracts.topics import DOWNSTREAM


def stage_report(order_number: str, stage: ProductionStage, station: str | None) -> StageReported:
    """A scan of ``order_number``'s job ticket at ``stage``. A scanner knows the order,
    not the brand: ``account_id`` is empty."""
    return StageReported(
        account_id="",
        correlation_id=f"floor:{station or 'scanner'}:{order_number}",
        payload=StageReportedPayload(
            order_number=order_number,
            stage=stage,
            station=station,
            reported_at=datetime.now(UTC),
        ),
    )


async def scan(
    config: StackConfig, order_number: str, stage: ProductionStage, station: str | None
) -> StageReported:
    """Publish one scan and wait for the broker to take it."""
    report = stage_report(order_number, stage, station)
    producer = AIOKafkaProducer(
        bootstrap_servers=config.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        **login(config, DOWNSTREAM).aiokafka(),
    )
    await producer.start()
    try:
        await producer.send_and_wait(report.TOPIC, report.to_json(), key=report.key())
    finally:
        await producer.stop()
    return report
