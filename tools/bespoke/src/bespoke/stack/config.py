"""Ports, versions and directories of the local stack, in one place.

Every value can be overridden by an environment variable (prefix ``BESPOKE_``), e.g.
``BESPOKE_KAFKA_PORT=19092``. Versions are pinned in the files under ``deploy/local/``
(Kafka's ``pom.xml``, each Go module's ``go.mod``/``go.sum``); this file only points at them.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bespoke_platform.addresses import (
    KAFKA_CONTROLLER_PORT,
    KAFKA_PORT,
    KAFKA_TLS_PORT,
    LOCAL_HOST,
    MAILPIT_HTTP_PORT,
    MAILPIT_SMTP_PORT,
    METRICS_PORT_OFFSET,
    MONGODB_PORT,
    SERVICE_PORTS,
    STRIPE_MOCK_HTTPS_PORT,
    STRIPE_MOCK_PORT,
)


def _repo_root() -> Path:
    override = os.environ.get("BESPOKE_REPO_ROOT")
    if override:
        return Path(override).resolve()
    # tools/bespoke/src/bespoke/stack/config.py -> repository root (workspace installs are editable)
    return Path(__file__).resolve().parents[5]


REPO_ROOT = _repo_root()
DEPLOY_LOCAL = REPO_ROOT / "deploy" / "local"


class StackConfig(BaseSettings):
    """Where each part of the local stack listens and keeps its files."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_", extra="ignore")

    stack_dir: Path = Field(
        default=REPO_ROOT / ".stack",
        description="The one git-ignored folder holding jars, binaries, data, logs and pid files.",
    )
    host: str = LOCAL_HOST
    kafka_port: int = KAFKA_PORT
    kafka_controller_port: int = KAFKA_CONTROLLER_PORT
    kafka_tls_port: int = Field(
        default=KAFKA_TLS_PORT, description="Kafka's SASL_SSL listener (the stack's own CA)."
    )
    kafka_heap: str = "512m"
    mongodb_port: int = MONGODB_PORT
    stripe_mock_port: int = STRIPE_MOCK_PORT
    stripe_mock_https_port: int = STRIPE_MOCK_HTTPS_PORT
    mailpit_smtp_port: int = MAILPIT_SMTP_PORT
    mailpit_http_port: int = MAILPIT_HTTP_PORT
    mailpit_max_messages: int = 0  # 0: keep every message
    gateway_port: int = SERVICE_PORTS["gateway"]
    design_port: int = SERVICE_PORTS["design"]
    orders_port: int = SERVICE_PORTS["orders"]
    payments_port: int = SERVICE_PORTS["payments"]
    shipping_port: int = SERVICE_PORTS["shipping"]
    notifications_port: int = SERVICE_PORTS["notifications"]
    topic_partitions: int = Field(
        default=6, description="Partitions of each event topic (dead-letter topics get 1)."
    )
    ready_timeout: float = Field(default=120.0, description="Seconds to wait for each readiness.")

    @property
    def bin_dir(self) -> Path:
        return self.stack_dir / "bin"

    @property
    def logs_dir(self) -> Path:
        return self.stack_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.stack_dir / "run"

    @property
    def data_dir(self) -> Path:
        return self.stack_dir / "data"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def kafka_tls_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_tls_port}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://{self.host}:{self.mongodb_port}/"

    @property
    def stripe_api_base(self) -> str:
        return f"http://{self.host}:{self.stripe_mock_port}"

    @property
    def mailpit_api_url(self) -> str:
        return f"http://{self.host}:{self.mailpit_http_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def service_url(self, service: str) -> str:
        port: int = getattr(self, f"{service}_port")
        return f"http://{self.host}:{port}"

    def metrics_port(self, service: str) -> int:
        """Where ``service`` serves its metrics (its port + ``METRICS_PORT_OFFSET``)."""
        port: int = getattr(self, f"{service}_port")
        return port + METRICS_PORT_OFFSET

    def metrics_url(self, service: str) -> str:
        return f"http://{self.host}:{self.metrics_port(service)}/metrics"
