"""Signed credentials between services: who a call acts for, proven rather than claimed.

The gateway mints one per call it makes (and a service that calls another, e.g. orders
calling design, mints its own): a JWT signed with the caller's Ed25519 key (EdDSA),
naming the caller (``iss``), the one service it is for (``aud``), the brand or operator
it acts for with their role, and lasting at most a minute. A service answers only calls
whose credential verifies against a key it trusts for that caller; headers alone mean
nothing. Keys carry ids (``kid``), and a verifier trusts several keys per caller, so a
key is rotated by trusting the new one everywhere, then signing with it, then dropping
the old (docs/operations/kubernetes.md, "Keys between services").
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM: Final = "EdDSA"
LIFETIME: Final = timedelta(seconds=60)
"""How long a minted credential works: long enough for one call and its retry."""
LEEWAY: Final = timedelta(seconds=5)
"""Clock skew tolerated between the caller's host and ours."""

BRANDS, OPERATORS, SERVICE = "brands", "operators", "service"
"""Realms a credential acts in: for a brand, for a factory operator, or for the calling
service itself (no person behind it: a webhook relayed, a consumer's own lookup)."""


class InvalidCredential(Exception):
    """A call without a credential we can verify: unsigned, signed by a key we do not
    trust for that caller, for another service, expired, or malformed."""


@dataclass(frozen=True)
class Claims:
    """What a verified credential says."""

    issuer: str
    """The calling service, e.g. ``gateway``."""
    realm: str
    account_id: str | None
    """The brand the call acts for (``brands`` realm)."""
    actor: str | None
    """The person or script behind it, e.g. ``user:usr_…``, ``operator:op_…``."""
    role: str | None


class CredentialSigner:
    """Mints credentials for calls from ``issuer`` with its private key ``key_id``."""

    def __init__(
        self, issuer: str, key_id: str, key: Ed25519PrivateKey, lifetime: timedelta = LIFETIME
    ) -> None:
        self.issuer, self.key_id = issuer, key_id
        self._key, self._lifetime = key, lifetime

    def mint(
        self,
        audience: str,
        *,
        realm: str = BRANDS,
        account_id: str | None = None,
        actor: str | None = None,
        role: str | None = None,
        now: datetime | None = None,
    ) -> str:
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "iat": issued,
            "exp": issued + self._lifetime,
            "jti": secrets.token_hex(8),
            "realm": realm,
        }
        for name, value in (("acc", account_id), ("sub", actor), ("role", role)):
            if value is not None:
                claims[name] = value
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})


class CredentialVerifier:
    """Verifies credentials meant for ``audience`` (this service), signed by one of the
    ``trusted`` keys: ``{caller: {key id: public key}}``."""

    def __init__(
        self, audience: str, trusted: Mapping[str, Mapping[str, Ed25519PublicKey]]
    ) -> None:
        self.audience = audience
        self._keys = {
            key_id: (caller, key)
            for caller, keys in trusted.items()
            for key_id, key in keys.items()
        }

    @property
    def callers(self) -> frozenset[str]:
        return frozenset(caller for caller, _ in self._keys.values())

    def verify(self, token: str) -> Claims:
        try:
            key_id = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as error:
            raise InvalidCredential(f"not a credential ({error})") from error
        if not isinstance(key_id, str) or key_id not in self._keys:
            raise InvalidCredential("signed with a key this service does not trust")
        caller, key = self._keys[key_id]
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=caller,  # a key speaks only for its own service
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "realm"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidCredential(f"credential refused: {error}") from error
        if claims["realm"] not in (BRANDS, OPERATORS, SERVICE):
            raise InvalidCredential(f"credential refused: unknown realm {claims['realm']!r}")
        if claims["realm"] == BRANDS and not isinstance(claims.get("acc"), str):
            raise InvalidCredential("credential refused: a brand's credential names no brand")
        return Claims(
            issuer=caller,
            realm=claims["realm"],
            account_id=claims.get("acc"),
            actor=claims.get("sub"),
            role=claims.get("role"),
        )


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def load_private_key(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("a service's signing key must be an Ed25519 private key (PEM)")
    return key


def public_jwk(key_id: str, key: Ed25519PrivateKey | Ed25519PublicKey) -> dict[str, Any]:
    """The public half as a JWK (what other services are told to trust)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    jwk: dict[str, Any] = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public))
    return {**jwk, "kid": key_id, "alg": ALGORITHM, "use": "sig"}


def load_trusted_keys(document: str) -> dict[str, dict[str, Ed25519PublicKey]]:
    """``{"gateway": [JWK, …], "orders": [JWK, …]}`` (a setting) as verifier keys."""
    parsed = json.loads(document)
    if not isinstance(parsed, dict):
        raise ValueError("trusted keys: a JSON object of caller -> list of JWKs")
    trusted: dict[str, dict[str, Ed25519PublicKey]] = {}
    for caller, jwks in parsed.items():
        for jwk in jwks:
            key = jwt.algorithms.OKPAlgorithm.from_jwk(jwk)
            if not isinstance(key, Ed25519PublicKey) or not jwk.get("kid"):
                raise ValueError(f"trusted keys of {caller}: Ed25519 public JWKs with a kid")
            trusted.setdefault(caller, {})[jwk["kid"]] = key
    return trusted


def verifier_from(service: str, trusted_keys: str) -> CredentialVerifier:
    """What ``service`` verifies calls with, from its ``trusted_keys`` setting."""
    return CredentialVerifier(service, load_trusted_keys(trusted_keys) if trusted_keys else {})


def signer_from(service: str, signing_key: str, signing_key_id: str) -> CredentialSigner | None:
    """What ``service`` signs its calls with, from its settings (None: it has no key)."""
    if not signing_key:
        return None
    if not signing_key_id:
        raise ValueError(f"{service}: a signing key needs its key id (SIGNING_KEY_ID)")
    return CredentialSigner(service, signing_key_id, load_private_key(signing_key))


def signed(
    signer: CredentialSigner | None,
    audience: str,
    account_id: str | None = None,
    actor: str | None = None,
    role: str | None = None,
    realm: str | None = None,
) -> dict[str, str]:
    """The ``Authorization`` header of one call to ``audience``: for the brand
    ``account_id`` (in the brands' realm), else for the calling service itself. Without a
    signer, none (the call is refused: services answer signed calls only)."""
    if signer is None:
        return {}
    chosen = realm or (BRANDS if account_id else SERVICE)
    token = signer.mint(audience, realm=chosen, account_id=account_id, actor=actor, role=role)
    return {"Authorization": f"Bearer {token}"}
