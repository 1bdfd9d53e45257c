"""Create every event topic and its dead-letter topic, idempotently; with ``--access``,
also every client principal's SCRAM credential and the ACLs
(``bespoke_platform.kafka_access``).

Used by the local stack, docker compose's ``topics`` container and, in Kubernetes, by
the `bespoke-topics` Job: ``python -m bespoke_platform.topics --bootstrap kafka:9092
--partitions 12 --replication-factor 3 --retention-ms 604800000``. Topics that exist
are left as they are. Who signs in comes from the environment, never an argument:
``BESPOKE_TOPICS_KAFKA_USERNAME``, ``…_PASSWORD``, ``…_SECURITY_PROTOCOL``
(``SASL_PLAINTEXT``), ``…_SASL_MECHANISM`` (``SCRAM-SHA-512``), ``…_CA_FILE``; with
``--access``, each principal's password in ``BESPOKE_TOPICS_KAFKA_PASSWORD_<PRINCIPAL>``
(e.g. ``…_PASSWORD_ORDERS``, ``…_PASSWORD_DOWNSTREAM``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from bespoke_contracts import ALL_TOPICS, dead_letter_topic
from bespoke_platform.kafka import KafkaLogin
from bespoke_platform.kafka_access import CLIENT_PRINCIPALS, apply_access

ENV = "BESPOKE_TOPICS_KAFKA_"


async def ensure_topics(
    bootstrap: str,
    partitions: int,
    replication_factor: int = 1,
    retention_ms: int | None = None,
    login: KafkaLogin | None = None,
    topics: Iterable[str] | None = None,
) -> list[str]:
    """Create what is missing (as ``login``, a principal allowed to); returns the topics
    created. ``topics``: only these, each with ``partitions`` (default: every event topic,
    and its dead-letter topic with one)."""
    if topics is None:
        wanted = {t: partitions for t in ALL_TOPICS}
        wanted |= {dead_letter_topic(t): 1 for t in ALL_TOPICS}
    else:
        wanted = dict.fromkeys(topics, partitions)
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
    parser.add_argument(
        "--access",
        action="store_true",
        help="also set each client principal's SCRAM credential and make every ACL",
    )
    args = parser.parse_args(argv)
    username = os.environ.get(ENV + "USERNAME", "")
    login = (
        KafkaLogin(
            username,
            os.environ.get(ENV + "PASSWORD", ""),
            os.environ.get(ENV + "SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            os.environ.get(ENV + "SASL_MECHANISM", "SCRAM-SHA-512"),
            os.environ.get(ENV + "CA_FILE", ""),
        )
        if username
        else None
    )
    passwords = {p: os.environ.get(f"{ENV}PASSWORD_{p.upper()}", "") for p in CLIENT_PRINCIPALS}
    if args.access:
        missing = [p for p, password in passwords.items() if not password]
        if login is None or missing:
            parser.error(
                f"--access needs an admin principal ({ENV}USERNAME, …PASSWORD) and a "
                f"password for each of: {', '.join(missing or CLIENT_PRINCIPALS)}"
            )
    created = asyncio.run(
        ensure_topics(
            args.bootstrap, args.partitions, args.replication_factor, args.retention_ms, login
        )
    )
    print("created: " + (", ".join(created) if created else "nothing (all exist)"))
    if args.access and login is not None:
        count = asyncio.run(apply_access(args.bootstrap, login, passwords))
        print(f"access: {len(passwords)} principals, {count} ACLs")


if __name__ == "__main__":
    main()
