"""`bespoke accounts create`: opens a brand directly in the gateway's database."""

from __future__ import annotations

from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.domain.errors import InvalidAccount
from bespoke_gateway.service_layer.accounts import create_account as open_brand
from bespoke_gateway.settings import GatewaySettings
from bespoke_platform.mongo import connect


async def create_account(name: str, email: str) -> dict[str, str]:
    settings = GatewaySettings()
    mongo = connect(settings.mongodb_url)
    try:
        repository = MongoAccountRepository(mongo[settings.mongodb_database])
        try:
            return await open_brand(repository, name, email)
        except InvalidAccount as error:
            raise ValueError(str(error)) from error
    finally:
        await mongo.close()
