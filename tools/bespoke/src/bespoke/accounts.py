"""`bespoke accounts create|revoke|token`: brands and their tokens, directly in the
gateway's database."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from bespoke.stack.config import StackConfig
from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.bootstrap import identity_deps
from bespoke_gateway.domain.errors import GatewayError
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role
from bespoke_gateway.service_layer import accounts, identity
from bespoke_gateway.settings import GatewaySettings
from bespoke_platform.mongo import connect


def gateway_settings() -> GatewaySettings:
    """The gateway's settings as the running gateway has them: its database is the local
    stack's (whose port may be shifted, `BESPOKE_MONGODB_PORT`) unless
    `BESPOKE_GATEWAY_MONGODB_URL` names another."""
    if "BESPOKE_GATEWAY_MONGODB_URL" in os.environ:
        return GatewaySettings()
    return GatewaySettings(mongodb_url=StackConfig().mongodb_url)


async def _with_repository(
    action: Callable[[MongoAccountRepository], Awaitable[dict[str, str]]],
) -> dict[str, str]:
    settings = gateway_settings()
    mongo = connect(settings.mongodb_url)
    try:
        repository = MongoAccountRepository(mongo[settings.mongodb_database])
        try:
            return await action(repository)
        except GatewayError as error:
            raise ValueError(str(error)) from error
    finally:
        await mongo.close()


async def create_account(name: str, email: str) -> dict[str, str]:
    return await _with_repository(lambda r: accounts.create_account(r, name, email))


async def revoke_token(account_id: str) -> dict[str, str]:
    return await _with_repository(lambda r: accounts.revoke_token(r, account_id))


async def issue_token(account_id: str) -> dict[str, str]:
    return await _with_repository(lambda r: accounts.issue_token(r, account_id))


async def create_user(
    account_id: str, email: str, role: Role, password: str, name: str = ""
) -> dict[str, str]:
    """A brand user who signs in with ``password`` (the demo, scripts)."""

    async def create(repository: MongoAccountRepository) -> dict[str, str]:
        settings = gateway_settings()
        deps = identity_deps(settings, repository.database, repository)
        user = await identity.create_user(account_id, email, role, password, name, deps)
        return {
            "user_id": user.user_id,
            "account_id": user.account_id,
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
        }

    return await _with_repository(create)


async def create_operator(
    email: str, role: OperatorRole, password: str, name: str = ""
) -> dict[str, str]:
    """A factory operator who signs in with ``password``, and their token (shown once)."""

    async def create(repository: MongoAccountRepository) -> dict[str, str]:
        deps = identity_deps(gateway_settings(), repository.database, repository)
        operator, token = await identity.create_operator(email, role, password, name, deps)
        return {
            "operator_id": operator.operator_id,
            "email": operator.email,
            "name": operator.name,
            "role": operator.role.value,
            "token": token,
        }

    return await _with_repository(create)
