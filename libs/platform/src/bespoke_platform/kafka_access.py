"""Who may do what on Kafka: one SCRAM-SHA-512 principal per service that uses Kafka,
one for the factory's downstream systems, and the ACLs Kafka's ``StandardAuthorizer``
enforces (nothing is allowed that no ACL allows), all made from the tables in
``bespoke_contracts.topics`` (``PUBLISHERS``, ``CONSUMERS``).

One code path for every place that sets a cluster up: the local stack
(``bespoke stack up``), docker compose's ``topics`` container and, where a cluster has
no operator for it, the ``bespoke-topics`` Job (``python -m bespoke_platform.topics
--access``). Applying is idempotent: a credential is set to the password given, an ACL
that exists is left as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from bespoke_contracts import ALL_TOPICS, dead_letter_topic
from bespoke_contracts.topics import CONSUMERS, DOWNSTREAM, PUBLISHERS
from bespoke_platform.kafka import KafkaLogin

SERVICES = tuple(CONSUMERS)
"""The services that use Kafka (each is its own principal and consumer group)."""
CLIENT_PRINCIPALS = (*SERVICES, DOWNSTREAM)
"""Every principal that signs in with SCRAM and is held to the ACLs."""
ITERATIONS = 8192


def acl_bindings() -> list[AclBinding]:
    """Each topic written by its owner only; each consumer reads what it consumes and
    writes those topics' dead letters; downstream reads every event topic and writes
    only the stage reports."""
    allow: list[tuple[str, ResourceType, str, AclOperation, ResourcePatternType]] = []

    def topic(principal: str, name: str, *operations: AclOperation) -> None:
        for operation in (*operations, AclOperation.DESCRIBE):
            allow.append(
                (principal, ResourceType.TOPIC, name, operation, ResourcePatternType.LITERAL)
            )

    for name, owner in PUBLISHERS.items():
        topic(owner, name, AclOperation.WRITE)
    for service, consumed in CONSUMERS.items():
        for name in consumed:
            topic(service, name, AclOperation.READ)
            topic(service, dead_letter_topic(name), AclOperation.WRITE)
        allow.append(
            (service, ResourceType.GROUP, service, AclOperation.READ, ResourcePatternType.LITERAL)
        )
    for name in ALL_TOPICS:
        topic(DOWNSTREAM, name, AclOperation.READ)
    allow.append(
        (
            DOWNSTREAM,
            ResourceType.GROUP,
            DOWNSTREAM,
            AclOperation.READ,
            ResourcePatternType.PREFIXED,
        )
    )
    return [
        AclBinding(kind, name, pattern, f"User:{who}", "*", operation, AclPermissionType.ALLOW)
        for who, kind, name, operation, pattern in sorted(set(allow), key=str)
    ]


def admin_client(bootstrap: str, admin: KafkaLogin) -> AdminClient:
    """Kafka's admin API, signed in as ``admin`` (a super user)."""
    config: dict[str, str] = {"bootstrap.servers": bootstrap}
    if admin.signs_in:
        config |= {
            "security.protocol": admin.security_protocol,
            "sasl.mechanism": admin.sasl_mechanism,
            "sasl.username": admin.username,
            "sasl.password": admin.password,
        }
    if admin.ca_file:
        config["ssl.ca.location"] = admin.ca_file
    return AdminClient(config)


def _apply(bootstrap: str, admin: KafkaLogin, passwords: Mapping[str, str]) -> int:
    missing = [p for p in CLIENT_PRINCIPALS if not passwords.get(p)]
    if missing:
        raise ValueError("no password for " + ", ".join(missing))
    client = admin_client(bootstrap, admin)
    upserts = [
        UserScramCredentialUpsertion(
            principal,
            ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
            passwords[principal].encode(),
        )
        for principal in CLIENT_PRINCIPALS
    ]
    for future in client.alter_user_scram_credentials(upserts).values():
        future.result(timeout=30)
    bindings = acl_bindings()
    for future in client.create_acls(bindings).values():
        future.result(timeout=30)
    return len(bindings)


async def apply_access(bootstrap: str, admin: KafkaLogin, passwords: Mapping[str, str]) -> int:
    """Set every client principal's SCRAM credential to its password in ``passwords``
    and make every ACL; returns how many ACLs these tables hold."""
    return await asyncio.to_thread(_apply, bootstrap, admin, passwords)
