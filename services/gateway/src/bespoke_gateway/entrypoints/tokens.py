"""API tokens for a brand's scripts: `POST/GET/DELETE /api/v1/tokens`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter
from pydantic import BaseModel, ConfigDict, Field

from bespoke_gateway.domain.errors import ApiTokenNotFound
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.tokens import ApiToken
from bespoke_gateway.entrypoints.forwarding import ID_PATTERN, documented, people, public_problems
from bespoke_gateway.service_layer.identity import create_api_token, revoke_api_token


class TokenRequest(BaseModel):
    """A new API token."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="What it is for, e.g. `ERP sync`.")
    role: Role | None = Field(
        default=None, description="What it may do: no more than you may (default: your role)."
    )


class TokenView(BaseModel):
    id: str = Field(description="The token's id (not its secret).")
    name: str
    role: Role
    created_by: str = Field(description="Who made it, e.g. `user:usr_…`.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Recorded at most once a minute.")


class CreatedToken(TokenView):
    token: str = Field(description="The secret, shown this once: send it as `Bearer <token>`.")


class TokenList(BaseModel):
    items: list[TokenView]


def _view(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.token_id,
        "name": token.name,
        "role": token.role,
        "created_by": token.created_by,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
    }


TokenId = Annotated[str, Parameter(description="e.g. `tok_…`.", pattern=ID_PATTERN, max_length=100)]


class TokensController(Controller):
    path = "/api/v1/tokens"
    tags = ["People"]

    @post(
        "/",
        operation_id="createApiToken",
        summary="Make an API token",
        status_code=201,
        responses={
            201: documented(CreatedToken, "The token, with its secret (shown once)."),
            **public_problems(401, 403, 422),
        },
    )
    async def create(
        self, data: JSONBody[TokenRequest], request: Request[Principal, Any, Any], state: State
    ) -> CreatedToken:
        """A named token for scripts, in a role no higher than yours. Its secret is in this
        answer only (no Idempotency-Key: a secret is never kept to be replayed)."""
        token, secret = await create_api_token(request.user, data.name, data.role, people(state))
        return CreatedToken(**_view(token), token=secret)

    @get(
        "/",
        operation_id="listApiTokens",
        summary="Your brand's API tokens",
        responses={200: documented(TokenList, "Every token, newest first."), **public_problems()},
    )
    async def list_tokens(self, request: Request[Principal, Any, Any], state: State) -> TokenList:
        """The brand's API tokens with their last use (never their secrets)."""
        tokens = await people(state).api_tokens.for_brand(request.user.account_id)
        return TokenList(items=[TokenView(**_view(t)) for t in tokens])

    @delete(
        "/{token_id:str}",
        operation_id="revokeApiToken",
        summary="Revoke an API token",
        status_code=204,
        responses={204: ResponseSpec(None, description="Revoked."), **public_problems(404)},
    )
    async def revoke(
        self, token_id: TokenId, request: Request[Principal, Any, Any], state: State
    ) -> Response[None]:
        """The token stops working at once."""
        if not await revoke_api_token(request.user.account_id, token_id, people(state)):
            raise ApiTokenNotFound(f"no API token {token_id} for this brand")
        return Response(None, status_code=204)
