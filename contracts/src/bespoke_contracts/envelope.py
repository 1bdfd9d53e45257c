"""The envelope every event travels in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PayloadT = TypeVar("PayloadT", bound=BaseModel)


class Envelope(BaseModel, Generic[PayloadT]):
    """Metadata shared by every event, with the event-specific ``payload`` inside.

    Subclasses pin ``event_type`` and ``schema_version`` with ``Literal`` types and set
    ``TOPIC``. Consumers must ignore fields they do not know (new optional fields are
    added without a version bump); a breaking change bumps ``schema_version``.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    TOPIC: ClassVar[str]

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this event. Consumers deduplicate on it.",
    )
    event_type: str = Field(description="What happened, e.g. `order.submitted`.")
    schema_version: int = Field(description="Version of this event type's payload schema.")
    occurred_at: AwareDatetime = Field(
        default_factory=lambda: datetime.now(UTC),
        description="When it happened (RFC 3339, with offset).",
    )
    account_id: str = Field(description="The brand (customer account) the event belongs to.")
    correlation_id: str = Field(
        description="Id shared by every event of one business flow (e.g. one checkout).",
    )
    causation_id: str | None = Field(
        default=None,
        description="The event id or request id that directly caused this event.",
    )
    actor: str | None = Field(
        default=None,
        description="Who made the change: `user:usr_…` (a brand user), `api-token:tok_…`, "
        "`token:acc_…` (a brand's own token) or `operator:op_…`; null when the system did "
        "(a payment clearing, another event).",
    )
    payload: PayloadT = Field(description="The event-specific data.")

    def key(self) -> bytes:
        """Kafka message key: keeps one order's (or one group's) events in order."""
        raise NotImplementedError

    def to_json(self) -> bytes:
        """Plain JSON, as downstream consumers read it."""
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Self:
        """Parse and validate one message value."""
        return cls.model_validate_json(data)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """JSON Schema of the whole message (envelope and payload)."""
        return cls.model_json_schema(mode="serialization")
