"""What can go wrong with designs, in a designer's words."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts.api import problems


@dataclass(frozen=True)
class Conflict:
    """One reason a design cannot be built, with a JSON pointer to the offending field."""

    pointer: str
    detail: str


class DesignError(Exception):
    code = "design-error"


class UnbuildableDesign(DesignError):
    """The choices cannot be built together; ``conflicts`` lists every reason."""

    code = "unbuildable-design"

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(
            f"this design cannot be built ({len(conflicts)} conflict"
            f"{'s' if len(conflicts) != 1 else ''}): " + "; ".join(c.detail for c in conflicts)
        )


class DesignNotFound(DesignError):
    code = "design-not-found"


class DesignArchived(DesignError):
    """An archived design cannot change or be ordered."""

    code = "design-archived"


class StaleDesignVersion(DesignError):
    """The design changed since the version the caller based its change on."""

    code = "stale-design-version"


class IdempotencyKeyReused(problems.IdempotencyKeyReused, DesignError):
    """The Idempotency-Key was already used for a different design."""


class InvalidEstimate(DesignError):
    """The order cannot be priced as asked (pairs outside the band, sizes off the last)."""

    code = "invalid-estimate"

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__("; ".join(c.detail for c in conflicts))


class InvalidCursor(DesignError):
    """A pagination cursor we did not hand out."""

    code = "invalid-cursor"
