"""FastStream Kafka broker settings and a raw publisher shared by the services.

Every client authenticates (SASL/SCRAM-SHA-512) as its own principal, and the brokers'
ACLs let it write only the topics it owns and read only those it consumes
(``bespoke_contracts.topics``: ``PUBLISHERS``, ``CONSUMERS``).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLScram256, SASLScram512

from bespoke_platform.settings import KafkaServiceSettings


@dataclass(frozen=True)
class KafkaLogin:
    """Who a client is to the brokers, and how it proves it."""

    username: str
    password: str
    security_protocol: str = "SASL_PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    ca_file: str = ""
    """For `SASL_SSL`: the PEM file of the CA that signed the brokers' certificates (a
    private CA); empty: the system's CAs."""

    @classmethod
    def of(cls, settings: KafkaServiceSettings) -> KafkaLogin:
        return cls(
            settings.kafka_username,
            settings.kafka_password,
            settings.kafka_security_protocol,
            settings.kafka_sasl_mechanism,
            settings.kafka_ca_file,
        )

    @property
    def signs_in(self) -> bool:
        """False only for `PLAINTEXT`: a broker that asks no one (none of ours does)."""
        return self.security_protocol != "PLAINTEXT"

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol == "SASL_SSL"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The context that checks the brokers' certificates and names (None without TLS)."""
        if not self.uses_tls:
            return None
        return ssl.create_default_context(cafile=self.ca_file or None)

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments of aiokafka's clients (producer, consumer, admin)."""
        if not self.signs_in:
            return {"security_protocol": "PLAINTEXT"}
        options: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        return options

    def faststream(self) -> BaseSecurity | None:
        if not self.signs_in:
            return None
        kind = SASLScram256 if self.sasl_mechanism == "SCRAM-SHA-256" else SASLScram512
        return kind(
            self.username,
            self.password,
            ssl_context=self.ssl_context(),
            use_ssl=self.uses_tls,
        )


def make_broker(bootstrap: str, client_id: str, login: KafkaLogin) -> KafkaBroker:
    """A broker whose producer waits for every in-sync replica and never duplicates on
    retry, signed in as ``login``. FastStream logs through the service's JSON logging,
    its line for each message received and processed at DEBUG (the handlers log what
    they do; two lines per record cost every consumer a formatted write each), its
    errors still at ERROR."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        allow_auto_create_topics=False,
        graceful_timeout=15.0,
        security=login.faststream(),
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,
    )


class BrokerPublisher:
    """Publishes bytes as they are (already-serialised events, dead letters)."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None:
        await self._broker.publish(value, topic, key=key, headers=headers)
