"""Emails the gateway asks the notifications service to send to a person (not about an
order, so not from an event): an invitation to a brand's backoffice, a password reset.

They carry a secret (the link's), so they go by a direct call to the notifications
service's internal API and never onto Kafka, whose topics downstream systems read and
keep for days (docs/decisions/0010-password-links-by-direct-call.md).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AccountEmailKind(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of email, not a secret


class AccountEmailRequest(BaseModel):
    """`PUT /internal/account-emails/{link_id}`: one email per link, sent at most once
    however often it is asked for."""

    model_config = ConfigDict(extra="forbid")

    kind: AccountEmailKind
    to: str = Field(max_length=320)
    name: str = Field(max_length=200, description="The person's name, for the greeting.")
    brand: str = Field(max_length=200, description="The brand whose backoffice it opens.")
    invited_by: str | None = Field(
        default=None, max_length=320, description="Who invited them (invitations)."
    )
    role: str | None = Field(default=None, max_length=40, description="Their role (invitations).")
    secret: str = Field(
        min_length=16, max_length=200, description="The link's secret; the link is built from it."
    )
    expires_at: datetime
