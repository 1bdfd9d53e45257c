"""Create every event topic and its dead-letter topic, idempotently.

Used by the local stack and, in Kubernetes, by the `bespoke-topics` Job:
``python -m bespoke_platform.topics --bootstrap kafka:9092 --partitions 12
--replication-factor 3 --retention-ms 604800000``. Topics that exist are left as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from bespoke_contracts import ALL_TOPICS, dead_letter_topic
from bespoke_platform.kafka import KafkaLogin


async def ensure_topics(
    bootstrap: str,
    partitions: int,
    replication_factor: int = 1,
    retention_ms: int | None = None,
    login: KafkaLogin | None = None,
) -> list[str]:
    """Create what is missing (as ``login``, a principal allowed to); returns the topics
    created."""
    wanted = {t: partitions for t in ALL_TOPICS}
    wanted |= {dead_letter_topic(t): 1 for t in ALL_TOPICS}
    configs = {"retention.ms": str(retention_ms)} if retention_ms else {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(login.aiokafka() if login else {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=t,
                num_partitions=n,
                replication_factor=replication_factor,
                topic_configs=configs,
            )
            for t, n in wanted.items()
            if t not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--retention-ms", type=int, default=None)
    args = parser.parse_args(argv)
    # An admin principal, from the environment (the Job's secret), never an argument.
    username = os.environ.get("BESPOKE_TOPICS_KAFKA_USERNAME", "")
    login = (
        KafkaLogin(
            username,
            os.environ.get("BESPOKE_TOPICS_KAFKA_PASSWORD", ""),
            os.environ.get("BESPOKE_TOPICS_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
        )
        if username
        else None
    )
    created = asyncio.run(
        ensure_topics(
            args.bootstrap, args.partitions, args.replication_factor, args.retention_ms, login
        )
    )
    print("created: " + (", ".join(created) if created else "nothing (all exist)"))


if __name__ == "__main__":
    main()
