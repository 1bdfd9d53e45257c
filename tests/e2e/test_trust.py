"""What the system refuses to believe, tried from outside as an attacker inside the
cluster would (or as a brand would hit by accident): a service's own port answers only
calls the gateway (or a calling service) signed for it, the factory's internal routes
only operators; Kafka answers only signed-in principals, each topic is written by its
owner alone, downstream systems read every event and write only stage reports; and a
payment that does not pay what an order costs now never starts production."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from confluent_kafka.admin import (
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)

from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import ADMIN, login, passwords
from bespoke.stack.keys import CallsAsGateway
from bespoke_contracts import ORDER_LATE, ORDER_SUBMITTED, STAGE_REPORTED
from bespoke_platform.kafka import KafkaLogin, make_broker
from bespoke_platform.kafka_access import CLIENT_PRINCIPALS, acl_bindings, admin_client

from .test_delivery import payment_for, publish, publish_as, wait_until_consumed
from .test_payments import pending_order

pytestmark = pytest.mark.stack


async def test_a_one_cent_payment_cleared_event_starts_no_production(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    order = (await api.get(f"/orders/{number}")).json()
    total = order["costs"]["total"]
    forged = payment_for(brand["account_id"], order, "forger@e2e.example", amount=1)
    await publish(running_system.kafka_bootstrap, forged)
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", "payment.cleared")

    order = (await api.get(f"/orders/{number}")).json()
    assert order["status"] == "pending_payment", "one cent for EUR " + str(total / 100)
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert [h["status"] for h in history] == ["pending_payment"]


INTERNAL = {
    "design": "/internal/designs",
    "orders": "/internal/orders",
    "payments": "/internal/invoices/BF-000001",
    "shipping": "/internal/groups",
    "notifications": "/internal/notifications/",
}
"""A route of each service's own port that answers a brand (or the factory)."""


@pytest.mark.parametrize("service", sorted(INTERNAL))
async def test_a_service_port_answers_no_header_only_call(
    running_system: StackConfig, brand: dict[str, Any], service: str
) -> None:
    url = running_system.service_url(service) + INTERNAL[service]
    async with httpx.AsyncClient(timeout=10) as client:
        claimed = await client.get(url, headers={"X-Bespoke-Account-Id": brand["account_id"]})
        assert claimed.status_code == 401, claimed.text
        for_another = CallsAsGateway(running_system, "orders" if service != "orders" else "design")
        misdirected = await client.get(url, auth=for_another)
        assert misdirected.status_code == 401, "a credential is for one service only"
        as_gateway = CallsAsGateway(running_system, service, account_id=brand["account_id"])
        if service == "notifications":  # the send log: the factory's operators only
            assert (await client.get(url, auth=as_gateway)).status_code == 403
            as_gateway = CallsAsGateway(running_system, service)
        answered = await client.get(url, auth=as_gateway)
        assert answered.status_code in (200, 404), answered.text
        health = await client.get(running_system.service_url(service) + "/health/live")
        assert health.status_code == 200, "health needs no credential"


async def test_payments_operator_routes_take_no_brand(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    url = f"{running_system.service_url('payments')}/internal/operator/invoices/{number}"
    async with httpx.AsyncClient(timeout=10) as client:
        as_brand = CallsAsGateway(running_system, "payments", account_id=brand["account_id"])
        assert (await client.get(url, auth=as_brand)).status_code == 403
        as_operator = CallsAsGateway(running_system, "payments")
        assert (await client.get(url, auth=as_operator)).status_code == 200


def downstream_credentials() -> dict[str, Any]:
    """What a factory system gets from `bespoke kafka credentials downstream`."""
    bespoke = Path(sys.executable).parent / "bespoke"
    printed = subprocess.run(
        [str(bespoke), "kafka", "credentials", "downstream"],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(printed.stdout)
    assert (found["security_protocol"], found["sasl_mechanism"]) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-512",
    )
    return found


def downstream_options() -> dict[str, Any]:
    """aiokafka's options for the downstream principal."""
    found = downstream_credentials()
    return {
        "bootstrap_servers": found["bootstrap_servers"],
        "security_protocol": found["security_protocol"],
        "sasl_mechanism": found["sasl_mechanism"],
        "sasl_plain_username": found["username"],
        "sasl_plain_password": found["password"],
    }


async def test_kafka_without_credentials_neither_takes_nor_gives(
    running_system: StackConfig,
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=running_system.kafka_bootstrap, request_timeout_ms=3000
    )
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()
    consumer = AIOKafkaConsumer(
        ORDER_SUBMITTED,
        bootstrap_servers=running_system.kafka_bootstrap,
        request_timeout_ms=3000,
        connections_max_idle_ms=5000,
    )
    with pytest.raises(KafkaError):
        await consumer.start()
    await consumer.stop()
    wrong = AIOKafkaProducer(**(downstream_options() | {"sasl_plain_password": "not it"}))
    with pytest.raises(KafkaError):  # a wrong password
        await wrong.start()
    await wrong.stop()


async def test_kafka_over_tls_checks_the_brokers_certificate(
    running_system: StackConfig,
) -> None:
    found = downstream_credentials()
    tls = KafkaLogin(found["username"], found["password"], "SASL_SSL", ca_file=found["ssl_ca_file"])
    reader = AIOKafkaConsumer(bootstrap_servers=found["tls_bootstrap_servers"], **tls.aiokafka())
    await reader.start()
    try:
        assert ORDER_SUBMITTED in await reader.topics()
    finally:
        await reader.stop()
    # The services' own client (FastStream) over the same listener, as a service with
    # `KAFKA_SECURITY_PROTOCOL=SASL_SSL` and `KAFKA_CA_FILE` runs.
    broker = make_broker(found["tls_bootstrap_servers"], "e2e-tls", tls)
    await broker.connect()
    try:
        report = b'{"order_number": "BF-999999", "stage": "received"}'  # refused: to the DLQ
        await broker.publish(report, STAGE_REPORTED, key=b"BF-999999")
    finally:
        await broker.stop()

    untrusted = replace(tls, ca_file="")  # the system's CAs never signed the stack's broker
    stranger = AIOKafkaProducer(
        bootstrap_servers=found["tls_bootstrap_servers"],
        request_timeout_ms=3000,
        **untrusted.aiokafka(),
    )
    with pytest.raises(KafkaError):
        await stranger.start()
    await stranger.stop()


async def test_downstream_reads_every_event_and_writes_only_stage_reports(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    options = downstream_options()
    reader = AIOKafkaConsumer(
        ORDER_SUBMITTED,
        group_id=f"downstream-e2e-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="latest",
        **options,
    )
    await reader.start()
    try:
        while not reader.assignment():  # joined the group: what comes next is read
            await reader.getmany(timeout_ms=200)
        number = await pending_order(api, design)
        async with asyncio.timeout(30):
            seen: set[bytes] = set()
            while number.encode() not in seen:
                for records in (await reader.getmany(timeout_ms=500)).values():
                    seen |= {r.key for r in records}
    finally:
        await reader.stop()

    writer = AIOKafkaProducer(**options)
    await writer.start()
    try:
        order = (await api.get(f"/orders/{number}")).json()
        forged = payment_for(brand["account_id"], order, "forger@e2e.example")
        with pytest.raises(TopicAuthorizationFailedError):
            await writer.send_and_wait(forged.TOPIC, forged.to_json(), key=forged.key())
        report = json.dumps({"order_number": number, "stage": "received"}).encode()
        await writer.send_and_wait(STAGE_REPORTED, report, key=number.encode())
    finally:
        await writer.stop()


async def test_only_payments_may_say_a_payment_cleared(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    order = (await api.get(f"/orders/{number}")).json()
    forged = payment_for(brand["account_id"], order, "forger@e2e.example")  # the right amount
    for principal in ("orders", "shipping", "notifications"):
        with pytest.raises(TopicAuthorizationFailedError):
            await publish_as(principal, running_system.kafka_bootstrap, forged)
    assert (await api.get(f"/orders/{number}")).json()["status"] == "pending_payment"


@pytest.mark.parametrize("service", ["gateway", *sorted(INTERNAL)])
async def test_metrics_are_on_a_port_of_their_own(
    running_system: StackConfig, service: str
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        on_api = await client.get(f"{running_system.service_url(service)}/metrics")
        assert on_api.status_code in (401, 404), "the API port serves no metrics"
        scraped = await client.get(running_system.metrics_url(service))
        assert scraped.status_code == 200
        assert "bespoke_http_request_duration_seconds" in scraped.text


def test_the_topics_job_makes_every_principal_and_acl_from_the_tables(
    running_system: StackConfig,
) -> None:
    """`python -m bespoke_platform.topics --access` (docker compose's `topics`, and the
    Kubernetes Job where no operator makes users) puts back what a cluster lacks."""
    admin = admin_client(running_system.kafka_bootstrap, login(running_system, ADMIN))
    lost = AclBindingFilter(
        ResourceType.TOPIC,
        ORDER_LATE,
        ResourcePatternType.LITERAL,
        "User:downstream",
        "*",
        AclOperation.READ,
        AclPermissionType.ALLOW,
    )
    [deleted] = admin.delete_acls([lost]).values()
    assert len(deleted.result(timeout=30)) == 1
    known = passwords(running_system)
    env = os.environ | {
        "BESPOKE_TOPICS_KAFKA_USERNAME": ADMIN,
        "BESPOKE_TOPICS_KAFKA_PASSWORD": known[ADMIN],
    }
    env |= {f"BESPOKE_TOPICS_KAFKA_PASSWORD_{p.upper()}": known[p] for p in CLIENT_PRINCIPALS}
    command = [sys.executable, "-m", "bespoke_platform.topics"]
    command += ["--bootstrap", running_system.kafka_bootstrap, "--access"]
    job = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert job.returncode == 0, job.stderr
    assert f"access: {len(CLIENT_PRINCIPALS)} principals" in job.stdout

    everything = AclBindingFilter(
        ResourceType.ANY,
        None,
        ResourcePatternType.ANY,
        None,
        None,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    held = set(admin.describe_acls(everything).result(timeout=30))
    assert held == set(acl_bindings())

    without = {k: v for k, v in env.items() if k != "BESPOKE_TOPICS_KAFKA_PASSWORD_DOWNSTREAM"}
    refused = subprocess.run(command, env=without, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "downstream" in refused.stderr
