"""Who may do what on the local Kafka: one SCRAM-SHA-512 principal per service, one for
the factory's downstream systems, an admin for the stack's own tools, and the ACLs that
Kafka's StandardAuthorizer enforces (nothing is allowed that no ACL allows).

The passwords are made once, at random, in ``.stack/secrets/kafka.json`` (this user's
only); the broker's and the admin's SCRAM credentials are written when the broker's
storage is formatted, the others (and the ACLs) through the admin API at every
``bespoke stack up``, idempotently. In a cluster the same principals and ACLs are made
from the same tables (``bespoke_contracts.topics``: ``PUBLISHERS``, ``CONSUMERS``).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

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

from bespoke.stack.config import StackConfig
from bespoke.stack.secret_files import secrets_dir, write_private
from bespoke_contracts import ALL_TOPICS, dead_letter_topic
from bespoke_contracts.topics import CONSUMERS, DOWNSTREAM, PUBLISHERS
from bespoke_platform.kafka import KafkaLogin

ADMIN, BROKER, CONTROLLER = "admin", "broker", "controller"
SERVICES = tuple(CONSUMERS)
"""The services that use Kafka (each is its own principal and consumer group)."""
PRINCIPALS = (ADMIN, BROKER, CONTROLLER, *SERVICES, DOWNSTREAM)
ITERATIONS = 8192


def passwords(config: StackConfig) -> dict[str, str]:
    """Every principal's password, made on first use."""
    path = secrets_dir(config) / "kafka.json"
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [p for p in PRINCIPALS if p not in known]
    if missing:
        known |= {p: secrets.token_urlsafe(24) for p in missing}
        write_private(path, json.dumps(known, indent=2), replace=True)
    return known


def login(config: StackConfig, principal: str) -> KafkaLogin:
    """How ``principal`` signs in to the local Kafka."""
    return KafkaLogin(principal, passwords(config)[principal])


def format_arguments(config: StackConfig) -> list[str]:
    """The storage format's ``--add-scram`` arguments: the broker's own credential (it
    signs in to itself) and the admin's (which then makes everyone else's)."""
    known = passwords(config)
    return [
        argument
        for principal in (BROKER, ADMIN)
        for argument in (
            "--add-scram",
            f"SCRAM-SHA-512=[name={principal},password={known[principal]}]",
        )
    ]


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


def _admin(config: StackConfig) -> AdminClient:
    admin = login(config, ADMIN)
    return AdminClient(
        {
            "bootstrap.servers": config.kafka_bootstrap,
            "security.protocol": admin.security_protocol,
            "sasl.mechanism": admin.sasl_mechanism,
            "sasl.username": admin.username,
            "sasl.password": admin.password,
        }
    )


def _apply(config: StackConfig) -> int:
    admin = _admin(config)
    known = passwords(config)
    upserts = [
        UserScramCredentialUpsertion(
            principal,
            ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
            known[principal].encode(),
        )
        for principal in (*SERVICES, DOWNSTREAM)
    ]
    for future in admin.alter_user_scram_credentials(upserts).values():
        future.result(timeout=30)
    bindings = acl_bindings()
    for future in admin.create_acls(bindings).values():
        future.result(timeout=30)
    return len(bindings)


async def apply(config: StackConfig) -> int:
    """Make every principal's credential and every ACL (idempotent); returns how many
    ACLs the brokers hold for these tables."""
    return await asyncio.to_thread(_apply, config)


def client_options(principal: str = ADMIN, config: StackConfig | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for a local tool or test signing in as ``principal``
    (the admin by default: tools that read and inspect everything)."""
    return login(config or StackConfig(), principal).aiokafka()
