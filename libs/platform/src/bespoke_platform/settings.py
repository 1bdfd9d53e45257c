"""Settings every service has; each service subclasses with its own env prefix and defaults."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from bespoke_platform.addresses import KAFKA_PORT, LOCAL_HOST, MONGODB_PORT


class ServiceSettings(BaseSettings):
    """Where a service listens and finds MongoDB and Kafka. Defaults: the local stack."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = LOCAL_HOST
    http_port: int
    metrics_port: int = 0
    """Where Prometheus reads this service's metrics (`GET /metrics`, no credential: it
    serves nothing else); each service's default is its HTTP port + 1000. 0: none."""
    mongodb_url: str = f"mongodb://{LOCAL_HOST}:{MONGODB_PORT}/"
    mongodb_database: str
    kafka_bootstrap: str = f"{LOCAL_HOST}:{KAFKA_PORT}"
    trusted_keys: str = ""
    """The callers whose signed calls this service answers: JSON ``{caller: [public JWK,
    …]}``. Empty: none, so every call but health and metrics is ``401``."""
    signing_key: str = ""
    """This service's Ed25519 private key (PEM), for the calls it makes to others; a
    secret. Empty: it makes none."""
    signing_key_id: str = ""
    """The id other services know ``signing_key`` by (its ``kid``)."""


class KafkaServiceSettings(ServiceSettings):
    """A service that publishes or consumes events: how it signs in to Kafka."""

    kafka_security_protocol: str = "SASL_PLAINTEXT"
    """`SASL_PLAINTEXT`, or `SASL_SSL` where the brokers speak TLS."""
    kafka_ca_file: str = ""
    """For `SASL_SSL`: the PEM file of the CA that signed the brokers' certificates;
    empty: the system's CAs."""
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_username: str = ""
    """This service's Kafka principal (its name, by convention)."""
    kafka_password: str = ""
    """Its SCRAM password; a secret."""
    consumer_instance_id: str = ""
    """This replica's stable name in its consumer group (static membership, KIP-345):
    restarted under the same name, it takes its partitions back at once instead of the
    group waiting out the dead member's session. Unique per replica (its pod's name);
    empty: dynamic membership."""
