"""Settings every service has; each service subclasses with its own env prefix and defaults."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Where a service listens and finds MongoDB and Kafka. Defaults: the local stack."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int
    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str
    kafka_bootstrap: str = "127.0.0.1:9092"
