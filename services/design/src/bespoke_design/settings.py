"""Design service configuration, from `BESPOKE_DESIGN_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import SERVICE_PORTS, local_url, metrics_port
from bespoke_platform.settings import ServiceSettings


class DesignSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_DESIGN_", extra="ignore")

    http_port: int = SERVICE_PORTS["design"]
    metrics_port: int = metrics_port("design")
    mongodb_database: str = "bespoke_design"
    backoffice_url: str = local_url("gateway")
    """Where the backoffice is reached: share links point at its `/share/` pages."""
