"""What can go wrong with orders, in the factory's words."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts.api import problems


@dataclass(frozen=True)
class Conflict:
    """One reason an order was refused, with a JSON pointer to the field."""

    pointer: str
    detail: str


class OrdersError(Exception):
    """Base of every orders-service error; ``code`` is stable and becomes the problem type."""

    code = "orders-error"


class InvalidOrder(OrdersError):
    """The order as submitted cannot be produced; ``conflicts`` point at the fields."""

    code = "invalid-order"

    def __init__(self, message: str, conflicts: list[Conflict] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


class OrderStateConflict(OrdersError):
    """The order's status does not allow this (e.g. cancelling a paid order)."""

    code = "order-state-conflict"


class CancellationFeeNotAccepted(OrderStateConflict):
    """A paid order the floor has received is cancelled only if the caller accepts the
    fee for its stage: the problem states it."""

    code = "cancellation-fee-not-accepted"

    def __init__(self, message: str, *, fee: int, refund: int, currency: str, stage: str) -> None:
        super().__init__(message)
        self.fee, self.refund, self.currency, self.stage = fee, refund, currency, stage

    def problem_extra(self) -> dict[str, object]:
        return {
            "fee": self.fee,
            "refund": self.refund,
            "currency": self.currency,
            "production_stage": self.stage,
        }


class StaleBillOfMaterials(OrdersError):
    """The confirmed bill of materials is not the design version's current one."""

    code = "stale-bill-of-materials"

    def __init__(
        self, message: str, bom_hash: str, bill_of_materials: list[dict[str, object]]
    ) -> None:
        super().__init__(message)
        self.bom_hash = bom_hash
        self.bill_of_materials = bill_of_materials

    def problem_extra(self) -> dict[str, object]:
        return {"bom_hash": self.bom_hash, "bill_of_materials": self.bill_of_materials}


class LabelingRequired(OrdersError):
    """A brand's first order must say `unlabeled` or `custom_stamps`."""

    code = "labeling-required"


class LabelingMismatch(OrdersError):
    """Later orders reuse the brand's first choice."""

    code = "labeling-mismatch"


class PricingUnavailable(OrdersError):
    """The quotes an order's price is made of cannot be combined (their currencies differ):
    the factory's price lists must be fixed before the order can be priced."""

    code = "pricing-unavailable"


class UpstreamUnavailable(OrdersError):
    """The design or shipping service did not answer."""

    code = "service-unavailable"


class OrderNotFound(OrdersError):
    """No order with that number belongs to this brand."""

    code = "order-not-found"


class IdempotencyKeyReused(problems.IdempotencyKeyReused, OrdersError):
    """The Idempotency-Key was already used for a different order."""


class OrderNumberTaken(OrdersError):
    """Another checkout stored this order number first; take the next one and retry."""

    code = "order-number-taken"


class PaymentAheadOfGroup(OrdersError):
    """A shipping group's payment reached an order before the group itself did (the two
    events travel on different topics); it is retried until the group is known."""

    code = "payment-ahead-of-group"


class ConcurrentChange(OrdersError):
    """The order changed between reading and writing it; the change is retried."""

    code = "concurrent-change"


class InvalidCursor(OrdersError):
    """A pagination cursor we did not hand out."""

    code = "invalid-cursor"


class StampNotFound(OrdersError):
    """The brand has no such stamp."""

    code = "stamp-not-found"


class StampStateConflict(OrdersError):
    """The stamp's status does not allow this move (e.g. approving before a proof)."""

    code = "stamp-state-conflict"


class StampExists(StampStateConflict):
    """The brand has a stamp of this kind already: new artwork goes to that one."""

    code = "stamp-exists"

    def __init__(self, message: str, *, stamp_id: str) -> None:
        super().__init__(message)
        self.stamp_id = stamp_id

    def problem_extra(self) -> dict[str, object]:
        return {"stamp_id": self.stamp_id}


class ArtworkRefused(InvalidOrder):
    """The file is not artwork the factory can make a stamp from; each reason is a
    conflict at ``pointer`` (the multipart field)."""

    code = "artwork-refused"

    def __init__(self, reasons: list[str], pointer: str = "#/artwork") -> None:
        super().__init__(
            "the file cannot be used: " + "; ".join(reasons),
            [Conflict(pointer, reason) for reason in reasons],
        )


class FileTooLarge(OrdersError):
    """An uploaded file is larger than the limit (413)."""

    code = "file-too-large"
