"""A brand's users, managed by its owners and admins: `GET /api/v1/users`,
`PATCH /api/v1/users/{user_id}` (a new role), `DELETE /api/v1/users/{user_id}`
(deactivated: their sessions and the tokens they made stop at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter
from pydantic import BaseModel, ConfigDict, Field

from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.users import User, UserStatus
from bespoke_gateway.entrypoints.forwarding import ID_PATTERN, documented, people, public_problems
from bespoke_gateway.service_layer.identity import change_user


class UserView(BaseModel):
    user_id: str
    email: str
    name: str
    role: Role
    status: UserStatus = Field(description="`active` or `deactivated`.")
    created_at: datetime


class UserList(BaseModel):
    items: list[UserView]


class UserChange(BaseModel):
    """A user's new role."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="`owner` (by an owner only), `admin`, `designer`, …")


def _view(user: User) -> UserView:
    return UserView(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=user.role,
        status=user.status,
        created_at=user.created_at,
    )


UserId = Annotated[str, Parameter(description="e.g. `usr_…`.", pattern=ID_PATTERN, max_length=100)]


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["People"]

    @get(
        "/",
        operation_id="listUsers",
        summary="Your brand's users",
        responses={200: documented(UserList, "Every user, active or not."), **public_problems()},
    )
    async def list_users(self, request: Request[Principal, Any, Any], state: State) -> UserList:
        """The brand's users with their roles."""
        users = await people(state).users.for_brand(request.user.account_id)
        return UserList(items=[_view(u) for u in users])

    @patch(
        "/{user_id:str}",
        operation_id="changeUser",
        summary="Change a user's role",
        responses={200: documented(UserView, "The user, in the new role."), **public_problems(404)},
    )
    async def change(
        self,
        user_id: UserId,
        data: JSONBody[UserChange],
        request: Request[Principal, Any, Any],
        state: State,
    ) -> UserView:
        """A new role for a user of your brand, in force from their very next request.
        Nobody changes their own; only an owner changes an owner or makes one."""
        return _view(await change_user(request.user, user_id, data.role, False, people(state)))

    @delete(
        "/{user_id:str}",
        operation_id="deactivateUser",
        summary="Deactivate a user",
        status_code=200,
        responses={200: documented(UserView, "The user, deactivated."), **public_problems(404)},
    )
    async def deactivate(
        self, user_id: UserId, request: Request[Principal, Any, Any], state: State
    ) -> UserView:
        """The user can no longer sign in; their sessions and the API tokens they made stop
        working at once."""
        return _view(await change_user(request.user, user_id, None, True, people(state)))
