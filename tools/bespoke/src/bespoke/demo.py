"""`bespoke demo`: a demo brand and one order pushed through the running system."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from typing import Any

import httpx

from bespoke.accounts import create_account, create_operator, create_user
from bespoke.floor import scan
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_contracts import ProductionStage
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role

DEMO_ADDRESS = {
    "name": "Atelier Demo",
    "line1": "Calle de la Industria 12",
    "city": "Elda",
    "postal_code": "03600",
    "country": "ES",
    "phone": "+34 965 000 000",
}


FLOOR_SCANS = (
    (ProductionStage.RECEIVED, "intake-1"),
    (ProductionStage.CUTTING, "cutting-2"),
    (ProductionStage.CLOSING, "closing-1"),
)
"""What the floor's stations report of the demo's paid order (``bespoke floor scan``)."""


class DemoFailed(RuntimeError):
    """The demo order did not make it through."""


async def run_demo(config: StackConfig) -> dict[str, Any]:
    """Create a demo brand, check out one order through the gateway, wait for its email."""
    suffix = uuid.uuid4().hex[:6]
    email = f"demo-{suffix}@brand.example"
    brand = await create_account(name=f"Demo Brand {suffix}", email=email)
    password = secrets.token_urlsafe(12)  # shown once, in what `make up` prints
    owner = await create_user(brand["account_id"], email, Role.OWNER, password, "Demo owner")
    operator_password = secrets.token_urlsafe(12)
    operator = await create_operator(
        f"floor-{suffix}@factory.example", OperatorRole.ADMIN, operator_password, "Demo floor lead"
    )
    headers = {"Authorization": f"Bearer {brand['token']}"}
    async with httpx.AsyncClient(timeout=15, headers=headers) as client:
        cloned = await client.post(
            f"{config.gateway_url}/api/v1/gallery/gal_city_oxford/clone",
            json={"name": "Demo city oxford"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if cloned.status_code != 201:
            raise DemoFailed(
                f"cloning the demo design answered {cloned.status_code}: {cloned.text}"
            )
        design = cloned.json()
    order_body = {
        "design_id": design["id"],
        "design_version": design["version"],
        "bom_hash": design["bom_hash"],
        "order_type": "mini_bulk",
        "sizes": {"40": 2, "41": 4, "42": 4, "42.5": 2, "43": 3},
        "shipping_address": DEMO_ADDRESS,
        "billing": {"name": "Atelier Demo SL", "email": email, "address": DEMO_ADDRESS},
        "labeling": "unlabeled",
    }
    async with httpx.AsyncClient(timeout=15) as client:
        response = await client.post(
            f"{config.gateway_url}/api/v1/orders",
            json=order_body,
            headers={
                "Authorization": f"Bearer {brand['token']}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        if response.status_code != 201:
            raise DemoFailed(f"checkout answered {response.status_code}: {response.text}")
        order = response.json()
        message = await _wait_for_email(client, config, email, order["order_number"])
        auth = {"Authorization": f"Bearer {brand['token']}"}
        number = order["order_number"]
        await _wait(client, f"{config.gateway_url}/api/v1/orders/{number}/payment", auth, 200)
        paid = await client.post(
            f"{config.gateway_url}/api/v1/orders/{number}/payment", headers=auth
        )
        if paid.status_code != 200:
            raise DemoFailed(f"starting the payment answered {paid.status_code}: {paid.text}")
        await simulate_success(number, config)
        status = await _wait_for_order(client, config, auth, number, "status", "work_in_process")
        # The floor takes it in: three stations scan its job ticket, as their systems do.
        for scanned, station in FLOOR_SCANS:
            await scan(config, number, scanned, station)
        stage = await _wait_for_order(
            client, config, auth, number, "production_stage", FLOOR_SCANS[-1][0].value
        )
        second = await client.post(
            f"{config.gateway_url}/api/v1/orders",
            json={**order_body, "labeling": None, "sizes": {"42": 1}, "order_type": "mto"},
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        if second.status_code != 201:
            raise DemoFailed(f"the second demo order answered {second.status_code}: {second.text}")
        group = await _demo_group(client, config, auth, order_body)
    return {
        "backoffice_api": f"{config.gateway_url}/api/v1",
        "api_docs": f"{config.gateway_url}/api/v1/schema",
        "brand": {"account_id": brand["account_id"], "name": brand["name"], "email": email},
        "token": brand["token"],
        "sign_in": {
            "url": f"{config.gateway_url}/app/sign-in",
            "email": owner["email"],
            "password": password,
            "role": owner["role"],
        },
        "demo_design": {"id": design["id"], "name": design["name"], "bom_hash": design["bom_hash"]},
        "operator_console": {
            "url": f"{config.gateway_url}/ops",
            "email": operator["email"],
            "password": operator_password,
            "role": operator["role"],
        },
        "demo_order": {
            "order_number": order["order_number"],
            "status": status,
            "production_stage": stage,
            "floor_scans": [f"{scanned.value} at {station}" for scanned, station in FLOOR_SCANS],
            "total": order["costs"]["total"],
            "currency": order["costs"]["currency"],
            "paid_with": "bespoke payments simulate-success",
        },
        "pending_order": {
            "order_number": second.json()["order_number"],
            "status": second.json()["status"],
            "pay_page": f"{config.gateway_url}/api/v1/orders/{second.json()['order_number']}/payment",
        },
        "shipping_group": {
            "id": group["id"],
            "order_numbers": group["order_numbers"],
            "shipping_cost": group["shipping_cost"],
            "individual_shipping_cost": group["individual_shipping_cost"],
            "saving": group["saving"],
            "pay_page": f"{config.gateway_url}/api/v1/shipping-groups/{group['id']}/payment",
        },
        "email": {
            "subject": message["Subject"],
            "mailpit_api": f"{config.mailpit_api_url}/api/v1/message/{message['ID']}",
            "all_emails": f"{config.mailpit_api_url}/api/v1/messages",
        },
        "stop_with": "make down",
    }


async def _demo_group(
    client: httpx.AsyncClient,
    config: StackConfig,
    auth: dict[str, str],
    order_body: dict[str, Any],
) -> dict[str, Any]:
    """Two more pending orders, grouped for one invoice and one shipment."""
    numbers = []
    for sizes in ({"41": 3, "42": 3}, {"43": 2, "44": 2}):
        placed = await client.post(
            f"{config.gateway_url}/api/v1/orders",
            json={**order_body, "labeling": None, "sizes": sizes},
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        if placed.status_code != 201:
            raise DemoFailed(f"a demo order answered {placed.status_code}: {placed.text}")
        numbers.append(placed.json()["order_number"])
    grouped = await client.post(
        f"{config.gateway_url}/api/v1/shipping-groups",
        json={"order_numbers": numbers},
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    if grouped.status_code != 201:
        raise DemoFailed(f"grouping answered {grouped.status_code}: {grouped.text}")
    group: dict[str, Any] = grouped.json()
    return group


async def _wait(client: httpx.AsyncClient, url: str, headers: dict[str, str], status: int) -> None:
    for _ in range(240):
        if (await client.get(url, headers=headers)).status_code == status:
            return
        await asyncio.sleep(0.25)
    raise DemoFailed(f"{url} did not answer {status} within 60 s")


async def _wait_for_order(
    client: httpx.AsyncClient,
    config: StackConfig,
    headers: dict[str, str],
    number: str,
    field: str,
    value: str,
) -> str:
    """Until the order's ``field`` is ``value`` (it follows from events, a moment later)."""
    for _ in range(240):
        order = (
            await client.get(f"{config.gateway_url}/api/v1/orders/{number}", headers=headers)
        ).json()
        if order.get(field) == value:
            return value
        await asyncio.sleep(0.25)
    raise DemoFailed(f"order {number} did not reach {field} {value} within 60 s")


async def _wait_for_email(
    client: httpx.AsyncClient, config: StackConfig, email: str, order_number: str
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:
        response = await client.get(
            f"{config.mailpit_api_url}/api/v1/search", params={"query": f"to:{email}"}
        )
        response.raise_for_status()
        for message in response.json()["messages"]:
            if order_number in message["Subject"]:
                found: dict[str, Any] = message
                return found
        await asyncio.sleep(0.25)
    raise DemoFailed(
        f"order {order_number} was accepted but no email reached Mailpit within 60 s; "
        "see .stack/logs/orders.log and .stack/logs/notifications.log"
    )
