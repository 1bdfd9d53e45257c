"""argon2id password hashing (argon2-cffi), and the list of passwords nobody may choose."""

from __future__ import annotations

from collections.abc import Container
from functools import cache

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB,
    3 passes, 4 lanes). The encoded hash records its parameters, so raising them later
    rehashes each password at its owner's next sign-in (``needs_rehash``)."""

    def __init__(self, hasher: Argon2 | None = None) -> None:
        self._hasher = hasher or Argon2()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords (zxcvbn's list, from leaked password sets)."""
    # zxcvbn's module holds five more lists beside it: about 20 MB once imported, so it
    # is imported with the first password chosen, not when the gateway starts.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"])


class CommonPasswords(Container[str]):
    """``common_passwords()``, loaded when first asked about (sign-in never asks)."""

    def __contains__(self, password: object) -> bool:
        return password in common_passwords()
