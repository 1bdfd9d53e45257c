"""Query strings that a client sends the gateway and the gateway passes on to the service
that owns the route: one model each, so both sides read the same parameters."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class QueryString(BaseModel):
    """The parameters of one listing route."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def as_params(self) -> dict[str, Any]:
        """The query string that asks for it (unset filters left out)."""
        return self.model_dump(mode="json", exclude_none=True)
