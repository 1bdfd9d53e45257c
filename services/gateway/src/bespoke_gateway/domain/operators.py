"""The factory's own staff: operators, a realm apart from the brands. They sign in at
`/api/v1/ops/session` or use operator tokens, act on `/api/v1/ops/` routes only, and a
brand's credential there (or theirs on a brand route) is refused."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bespoke_gateway.domain.errors import Forbidden
from bespoke_gateway.domain.sessions import hash_secret
from bespoke_gateway.domain.users import UserStatus, normalize_email

OPERATOR_TOKEN_PREFIX = "bso_"  # noqa: S105 - a prefix, not a secret


class OperatorRole(StrEnum):
    PRODUCTION = "production"
    SHIPPING = "shipping"
    FINANCE = "finance"
    SUPPORT = "support"
    ADMIN = "admin"


_ANY_OPERATOR = frozenset(OperatorRole)
_FLOOR = frozenset({OperatorRole.PRODUCTION, OperatorRole.ADMIN})
_DOCK = frozenset({OperatorRole.SHIPPING, OperatorRole.ADMIN})

OPERATOR_ROUTE_ROLES: Final[Mapping[str, frozenset[OperatorRole]]] = MappingProxyType(
    {
        "getOperatorSession": _ANY_OPERATOR,
        "signOutOperator": _ANY_OPERATOR,
        "productionBoard": _ANY_OPERATOR,
        "getAnyOrder": _ANY_OPERATOR,
        "getAnyOrderHistory": _ANY_OPERATOR,
        "getJobTicket": _ANY_OPERATOR,
        "moveStage": _FLOOR,
        "getShipment": _ANY_OPERATOR,
        "shipShipment": _DOCK,
        "deliverShipment": _DOCK,
        "stampQueue": _ANY_OPERATOR,
        "getAnyStamp": _ANY_OPERATOR,
        "getAnyStampArtwork": _ANY_OPERATOR,
        "getAnyStampProof": _ANY_OPERATOR,
        "getAnyStampThumbnail": _ANY_OPERATOR,
        "sendProof": _FLOOR,
        "moveStamp": _FLOOR,
    }
)
"""The factory's routes (`/api/v1/ops/`): operators only, and the roles of those who
may call each: every operator reads the board and the stamp queue; the floor
(`production`) moves orders through stages and sends stamp proofs; the dock (`shipping`) ships and delivers; `admin` does all."""

OPERATOR_OPERATIONS: Final = frozenset(OPERATOR_ROUTE_ROLES)


def operator_may(role: OperatorRole, operation_id: str) -> None:
    """Refuse (``Forbidden``) an operator route this operator's role may not call; a
    route with no rule is refused too (fails closed)."""
    roles = OPERATOR_ROUTE_ROLES.get(operation_id)
    if roles is None:
        raise Forbidden(f"`{operation_id}` has no permission rule; nobody may call it")
    if role not in roles:
        raise Forbidden(
            f"an operator in `{role.value}` may not call `{operation_id}`; it is for "
            + ", ".join(sorted(r.value for r in roles))
        )


@dataclass(frozen=True)
class OperatorPrincipal:
    """Who a request on an `/api/v1/ops/` route acts as."""

    operator_id: str
    role: OperatorRole
    actor: str


@dataclass(frozen=True)
class Operator:
    operator_id: str
    email: str
    name: str
    role: OperatorRole
    status: UserStatus
    password_hash: str | None
    token_hash: str | None
    created_at: datetime

    @property
    def active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def principal(self) -> OperatorPrincipal:
        return OperatorPrincipal(self.operator_id, self.role, f"operator:{self.operator_id}")


def new_operator(
    email: str, name: str, role: OperatorRole, password_hash: str | None, now: datetime
) -> tuple[Operator, str]:
    """An operator and their API token (shown once; only its hash is kept)."""
    token = OPERATOR_TOKEN_PREFIX + secrets.token_urlsafe(32)
    normal = normalize_email(email)
    operator = Operator(
        operator_id=f"op_{secrets.token_hex(10)}",
        email=normal,
        name=name.strip() or normal.split("@")[0],
        role=role,
        status=UserStatus.ACTIVE,
        password_hash=password_hash,
        token_hash=hash_secret(token),
        created_at=now,
    )
    return operator, token
