"""Gateway errors, in words a brand admin can act on."""

from __future__ import annotations

from bespoke_contracts.api import problems


class GatewayError(Exception):
    code = "gateway-error"


class InvalidAccount(GatewayError):
    """A brand account cannot be created as asked."""

    code = "invalid-account"


class InvalidUser(GatewayError):
    """A user cannot be made as asked (an email that is not one, or is taken)."""

    code = "invalid-user"


class WeakPassword(GatewayError):
    """A password that is too short, too long, too common or the email itself."""

    code = "weak-password"


class SignInFailed(GatewayError):
    """Wrong email or password: one answer for both, so it never tells which."""

    code = "sign-in-failed"


class CsrfTokenInvalid(GatewayError):
    """A cookie-authenticated change without the session's `X-CSRF-Token`."""

    code = "csrf-token-invalid"


class UserExists(GatewayError):
    """The email already belongs to a user (who is not awaiting this brand's invitation)."""

    code = "user-exists"


class PasswordLinkInvalid(GatewayError):
    """A password link that is unknown, used, replaced by a newer one, or expired."""

    code = "password-link-invalid"


class UserNotFound(GatewayError):
    """No user with that id belongs to this brand."""

    code = "user-not-found"


class ApiTokenNotFound(GatewayError):
    """No API token with that id belongs to this brand."""

    code = "api-token-not-found"


class Forbidden(GatewayError):
    """The caller's role may not take this action (the permission matrix)."""

    code = "forbidden"


class IdempotencyKeyMissing(GatewayError):
    """A POST that creates something came without an Idempotency-Key header."""

    code = "idempotency-key-required"


class UpstreamUnavailable(GatewayError):
    """A service behind the gateway did not answer."""

    code = "service-unavailable"


class IdempotencyKeyReused(problems.IdempotencyKeyReused, GatewayError):
    """The Idempotency-Key was used before with a different request."""

    def __init__(
        self,
        detail: str = "this Idempotency-Key was used for a different request; use a new "
        "key for a new request",
    ) -> None:
        super().__init__(detail)


class RateLimited(GatewayError):
    """Too many requests with this token; ``retry_after`` seconds until the next."""

    code = "rate-limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class SignInThrottled(RateLimited):
    """Too many failed sign-ins for this email or from this address: wait."""

    code = "sign-in-throttled"


class UploadTooLarge(GatewayError):
    """An upload larger than the route takes (413), refused before it is read."""

    code = "file-too-large"


class NotMultipart(GatewayError):
    """An upload route sent something other than `multipart/form-data` (415)."""

    code = "unsupported-media-type"
