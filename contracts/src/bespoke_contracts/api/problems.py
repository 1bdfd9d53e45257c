"""Problems that mean the same in every service, so each answers them alike."""

from __future__ import annotations


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key already used for a different request under the same brand and
    route. Every service and the gateway answer it `422`, type `idempotency-key-reused`
    (docs/api.md, "Idempotency"): the request is well formed but cannot be processed
    under that key. Each service's own error subclasses it, this class first, so that
    the handler for this class is the one its MRO finds."""

    code = "idempotency-key-reused"
    status = 422
