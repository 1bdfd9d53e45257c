"""What checking a request's credentials costs the gateway: `GET /api/v1/session` (which
calls no service and reads one document itself, the brand's name, so the rest of the
gateway's work is the credential check) with each kind of credential, sequentially:
database commands and gateway CPU per request, and latency. And what the signed
credential of each call between services costs (minting it in the caller, verifying it
in the callee), in process, per call and per checkout.

Needs the running system (`make up`). Prints one JSON object.

    uv run python -m bench.auth [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from typing import Any

import httpx

from bench.memory import cpu_seconds
from bench.metrics import database_commands, per_operation
from bench.reporting import machine, percentiles, progress
from bespoke.accounts import create_account, create_user
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.permissions import Role
from bespoke_platform.credentials import CredentialSigner, CredentialVerifier, new_key

PASSWORD = "bench sturdy insoles 42"  # noqa: S105 - a bench user on the local stack


async def credentials(config: StackConfig) -> dict[str, dict[str, str]]:
    """Headers (or cookies) of a brand token, an API token and a signed-in session."""
    suffix = uuid.uuid4().hex[:8]
    brand = await create_account(name=f"Bench auth {suffix}", email=f"auth-{suffix}@bench.example")
    email = f"user-{suffix}@bench.example"
    await create_user(brand["account_id"], email, Role.ADMIN, PASSWORD)
    async with httpx.AsyncClient(base_url=f"{config.gateway_url}/api/v1", timeout=30) as client:
        bearer = {"Authorization": f"Bearer {brand['token']}"}
        made = await client.post("/tokens", json={"name": "bench"}, headers=bearer)
        made.raise_for_status()
        signed = await client.post("/session", json={"email": email, "password": PASSWORD})
        signed.raise_for_status()
    return {
        "brand_token": bearer,
        "api_token": {"Authorization": f"Bearer {made.json()['token']}"},
        "session_cookie": {"Cookie": f"bespoke_session={signed.cookies['bespoke_session']}"},
    }


async def measure(config: StackConfig, headers: dict[str, str], requests: int) -> dict[str, Any]:
    latencies = []
    async with httpx.AsyncClient(base_url=f"{config.gateway_url}/api/v1", timeout=30) as client:
        for _ in range(5):  # warm up connections
            (await client.get("/session", headers=headers)).raise_for_status()
        commands_before, cpu_before = await database_commands(config), cpu_seconds(config)
        for _ in range(requests):
            began = time.perf_counter()
            response = await client.get("/session", headers=headers)
            latencies.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
            await asyncio.sleep(0.02)  # under the rate limit: 50 a second per credential
        commands_after, cpu_after = await database_commands(config), cpu_seconds(config)
    gateway = per_operation(commands_before, commands_after, requests).get("gateway", {})
    cpu_ms = (cpu_after["gateway"] - cpu_before["gateway"]) * 1000 / requests
    return {
        "database_commands_per_request": gateway or {"total": 0.0},
        "gateway_cpu_ms_per_request": round(cpu_ms, 2),
        "latency_ms": percentiles(latencies) | {"mean": round(statistics.mean(latencies), 2)},
    }


CALLS_PER_CHECKOUT = 4
"""Signed calls one checkout makes: gateway -> orders, orders -> design twice (the design
version, the estimate), orders -> shipping (the quote); a brand's first order with
custom stamps adds one (design's catalog)."""


def service_credentials(rounds: int = 2000) -> dict[str, Any]:
    """Minting and verifying one call's credential, timed in this process."""
    key = new_key()
    signer = CredentialSigner("gateway", "bench-1", key)
    verifier = CredentialVerifier("orders", {"gateway": {"bench-1": key.public_key()}})
    began = time.perf_counter()
    tokens = [
        signer.mint("orders", account_id="acc_bench", actor="user:usr_bench", role="owner")
        for _ in range(rounds)
    ]
    minted = time.perf_counter()
    for token in tokens:
        verifier.verify(token)
    verified = time.perf_counter()
    mint_us = (minted - began) * 1e6 / rounds
    verify_us = (verified - minted) * 1e6 / rounds
    return {
        "mint_us_per_call": round(mint_us, 1),
        "verify_us_per_call": round(verify_us, 1),
        "calls_per_checkout": CALLS_PER_CHECKOUT,
        "cpu_ms_per_checkout": round(CALLS_PER_CHECKOUT * (mint_us + verify_us) / 1000, 3),
        "header_bytes": len(tokens[0]) + len("Authorization: Bearer "),
    }


async def run(config: StackConfig, requests: int) -> dict[str, Any]:
    progress(f"auth: {requests} requests per kind of credential")
    kinds = await credentials(config)
    measured = {kind: await measure(config, headers, requests) for kind, headers in kinds.items()}
    return {
        "benchmark": "auth",
        "requests_per_kind": requests,
        "credentials": measured,
        "service_credentials": service_credentials(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    result = {"machine": machine(), **await run(StackConfig(), args.requests)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
