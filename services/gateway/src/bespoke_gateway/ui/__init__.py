"""The backoffice web UI, served by the gateway under ``/app`` (brands) and ``/ops``
(the factory's operator console).

Pages are rendered from Jinja2 templates (layout, navigation, forms); their scripts
(``static/``, plain ES modules, no build step, nothing from a CDN) call the public API
at ``/api/v1`` with the signed-in person's session cookie (HttpOnly: scripts never see a
credential). So the UI uses exactly the contract other clients use, and a page holds no
data until someone signs in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from litestar import Response, Router, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.entrypoints.forwarding import (
    ID_PATTERN,
    BrandRequest,
    GroupPath,
    OrderNumberPath,
    passthrough,
    respond,
)
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_platform.app import request_id

HERE = Path(__file__).parent
PUBLIC_PREFIXES = ("^/$", "^/app(?!/api/)", "^/ops$", "^/ops/stamps$", "^/share/[A-Za-z0-9_-]+$")
"""Pages and assets need no credential (they hold no data); ``/app/api/…`` does."""


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def _page(state: State, template: str, script: str, nav: str | None, **context: Any) -> Template:
    runtime: GatewayRuntime = state.runtime
    return Template(
        template_name=f"{template}.html.j2",
        context={
            "script": script,
            "nav": nav,
            "simulate_payments": runtime.settings.payment_simulation_secret is not None,
            **context,
        },
        headers={"Cache-Control": "no-store"},
    )


@get(["/", "/app"], include_in_schema=False)
async def home() -> Redirect:
    return Redirect("/app/orders")


@get("/app/sign-in", include_in_schema=False)
async def sign_in(state: State) -> Template:
    return _page(state, "sign_in", "sign-in", None)


@get("/app/password", include_in_schema=False)
async def password(state: State) -> Template:
    """Choose a password from an emailed link, or ask for one."""
    return _page(state, "password", "password", None)


@get("/app/users", include_in_schema=False)
async def users(state: State) -> Template:
    return _page(state, "users", "users", "users")


@get("/app/tokens", include_in_schema=False)
async def tokens(state: State) -> Template:
    return _page(state, "tokens", "tokens", "tokens")


@get("/ops", include_in_schema=False)
async def operator_console(state: State) -> Template:
    return _page(state, "ops", "ops", None)


@get("/app/orders", include_in_schema=False)
async def order_pool(state: State) -> Template:
    return _page(state, "orders", "orders", "orders")


@get("/app/orders/{order_number:str}", include_in_schema=False)
async def order_detail(state: State, order_number: OrderNumberPath) -> Template:
    return _page(state, "order", "order", "orders", order_number=order_number)


@get("/app/orders/{order_number:str}/pay", include_in_schema=False)
async def pay_order(state: State, order_number: OrderNumberPath) -> Template:
    return _page(state, "pay", "pay", "orders", kind="order", target=order_number)


@get("/app/groups/{group_id:str}/pay", include_in_schema=False)
async def pay_group(state: State, group_id: GroupPath) -> Template:
    return _page(state, "pay", "pay", "orders", kind="group", target=group_id)


@get("/app/designer", include_in_schema=False)
async def designer(state: State) -> Template:
    return _page(state, "designer", "designer", "designer")


@get("/app/stamps", include_in_schema=False)
async def stamps(state: State) -> Template:
    """The brand's custom stamps: artwork, the factory's proofs, approval."""
    return _page(state, "stamps", "stamps", "stamps")


@get("/ops/stamps", include_in_schema=False)
async def operator_stamps(state: State) -> Template:
    """The operator console's stamp queue: artwork awaiting a proof, proofs awaiting
    the brand, molds to make."""
    return _page(state, "ops", "ops-stamps", None, view="stamps")


@get("/share/{secret:str}", include_in_schema=False)
async def shared_design(state: State) -> Template:
    """A shared design's read-only page: opens without signing in (its script asks the
    public API with the secret in the page's address)."""
    return _page(state, "share", "share", None)


@get("/app/gallery", include_in_schema=False)
async def gallery(state: State) -> Template:
    return _page(state, "gallery", "gallery", "gallery")


@get("/app/checkout", include_in_schema=False)
async def checkout(state: State) -> Template:
    return _page(state, "checkout", "checkout", "designer")


@post("/app/api/simulate-payment/{kind:str}/{target:str}", status_code=200, include_in_schema=False)
async def simulate_payment(
    kind: Annotated[str, Parameter(pattern="^(order|group)$")],
    target: Annotated[str, Parameter(pattern=ID_PATTERN, max_length=100)],
    request: BrandRequest,
    state: State,
) -> Response[bytes]:
    """Local stacks only: what Stripe does after a successful card payment of the brand's
    order or group (a signed ``payment_intent.succeeded`` webhook to payments)."""
    runtime: GatewayRuntime = state.runtime
    secret = runtime.settings.payment_simulation_secret
    if secret is None:
        raise NotFoundException(
            "payment simulation is off: it exists only on a local stack running against stripe-mock"
        )
    account, rid = request.user.account_id, request_id(request)
    page = await runtime.payments.request("GET", f"/internal/invoices/{target}", account, rid)
    if page.ok and not json.loads(page.content).get("payment_intent_id"):
        started = await runtime.payments.request(
            "POST", f"/internal/invoices/{target}/payment", account, rid
        )
        if not started.ok:
            return respond(passthrough(started, request))
        page = await runtime.payments.request("GET", f"/internal/invoices/{target}", account, rid)
    if not page.ok:
        return respond(passthrough(page, request))
    payload = json.dumps(succeeded_event(json.loads(page.content))).encode()
    answer = await runtime.payments.request(
        "POST",
        "/internal/webhooks/stripe",
        account_id="",
        request_id=rid,
        content=payload,
        headers={"Stripe-Signature": sign(payload, secret), "Content-Type": "application/json"},
    )
    return respond(passthrough(answer, request))


def ui_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            home,
            sign_in,
            password,
            users,
            tokens,
            operator_console,
            operator_stamps,
            shared_design,
            stamps,
            order_pool,
            order_detail,
            pay_order,
            pay_group,
            designer,
            gallery,
            checkout,
            simulate_payment,
            create_static_files_router(
                path="/app/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        include_in_schema=False,
    )
