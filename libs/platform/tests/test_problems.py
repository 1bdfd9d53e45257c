from __future__ import annotations

from typing import Literal

from litestar import Litestar, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient
from pydantic import BaseModel, Field
from pymongo.errors import AutoReconnect

from bespoke_contracts.api.problems import IdempotencyKeyReused
from bespoke_platform.app import query_model
from bespoke_platform.problems import PROBLEM_JSON, exception_handlers


class ShoeNotFound(Exception):
    code = "shoe-not-found"


class ShoeKeyReused(IdempotencyKeyReused, ShoeNotFound):
    """A service's own error for the problem every service answers alike."""


class Body(BaseModel):
    pairs: int
    size: str


@post("/shoes")
async def make_shoes(data: JSONBody[Body]) -> dict[str, int]:
    if data.size == "99":
        raise ShoeNotFound("no last for EU size 99")
    if data.size == "boom":
        raise RuntimeError("database password is hunter2")
    if data.size == "reused":
        raise ShoeKeyReused("key used for another pair of shoes")
    if data.size == "restarting":
        raise AutoReconnect("connection closed by 127.0.0.1:27017")
    return {"pairs": data.pairs}


app = Litestar([make_shoes], exception_handlers=exception_handlers({ShoeNotFound: 404}))


async def test_domain_errors_become_typed_problems() -> None:
    async with AsyncTestClient(app) as client:
        response = await client.post("/shoes", json={"pairs": 1, "size": "99"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json() == {
        "type": "https://backoffice.bespokefactory.com/problems/shoe-not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no last for EU size 99",
        "instance": "/shoes",
    }


async def test_a_reused_idempotency_key_is_422_in_every_service_whatever_its_base() -> None:
    async with AsyncTestClient(app) as client:
        response = await client.post("/shoes", json={"pairs": 1, "size": "reused"})
    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")


async def test_invalid_bodies_list_every_error_with_a_pointer() -> None:
    async with AsyncTestClient(app) as client:
        response = await client.post("/shoes", json={"pairs": "many"})
    assert response.status_code == 422
    problem = response.json()
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == {"#/pairs", "#/size"}


async def test_unexpected_errors_hide_their_details() -> None:
    async with AsyncTestClient(app) as client:
        response = await client.post("/shoes", json={"pairs": 1, "size": "boom"})
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert response.json()["type"].endswith("/internal-error")


async def test_an_unreachable_database_is_a_503_to_retry_not_a_500() -> None:
    async with AsyncTestClient(app) as client:
        response = await client.post("/shoes", json={"pairs": 1, "size": "restarting"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/database-unavailable")
    assert "27017" not in response.text


class Page(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    sort: Literal["newest", "oldest"] = "newest"


@get("/pages", dependencies={"page": query_model(Page)})
async def pages(page: NamedDependency[Page]) -> dict[str, object]:
    return page.model_dump()


async def test_a_shared_query_model_validates_the_query_string() -> None:
    app = Litestar([pages], exception_handlers=exception_handlers({}))
    async with AsyncTestClient(app) as client:
        fine = await client.get("/pages", params={"limit": "5"})
        bad = await client.get("/pages", params={"limit": "0", "sort": "sideways"})
    assert fine.json() == {"limit": 5, "sort": "newest"}
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["#/query/limit", "#/query/sort"]
