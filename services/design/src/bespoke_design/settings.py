"""Design service configuration, from `BESPOKE_DESIGN_*` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class DesignSettings(BaseSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_DESIGN_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8101
    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "bespoke_design"
    kafka_bootstrap: str = "127.0.0.1:9092"
