"""Gateway errors, in words a brand admin can act on."""

from __future__ import annotations


class GatewayError(Exception):
    code = "gateway-error"


class InvalidAccount(GatewayError):
    """A brand account cannot be created as asked."""

    code = "invalid-account"


class IdempotencyKeyMissing(GatewayError):
    """A POST that creates something came without an Idempotency-Key header."""

    code = "idempotency-key-required"


class UpstreamUnavailable(GatewayError):
    """A service behind the gateway did not answer."""

    code = "service-unavailable"
