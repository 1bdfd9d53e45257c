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

import json
import secrets
from typing import Any

from bespoke.stack.config import StackConfig
from bespoke.stack.secret_files import secrets_dir, write_private
from bespoke_contracts.topics import DOWNSTREAM
from bespoke_platform.kafka import KafkaLogin
from bespoke_platform.kafka_access import SERVICES, apply_access

ADMIN, BROKER, CONTROLLER = "admin", "broker", "controller"
PRINCIPALS = (ADMIN, BROKER, CONTROLLER, *SERVICES, DOWNSTREAM)


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


async def apply(config: StackConfig) -> int:
    """Make every principal's credential and every ACL (idempotent); returns how many
    ACLs the brokers hold for these tables."""
    return await apply_access(config.kafka_bootstrap, login(config, ADMIN), passwords(config))


def client_options(principal: str = ADMIN, config: StackConfig | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for a local tool or test signing in as ``principal``
    (the admin by default: tools that read and inspect everything)."""
    return login(config or StackConfig(), principal).aiokafka()
