"""The tables Kafka's ACLs are made from say what the code does: each service reads
exactly the topics it subscribes to, and every event topic has one owner."""

from __future__ import annotations

import importlib

import pytest

from bespoke_contracts import ALL_TOPICS, STAGE_REPORTED
from bespoke_contracts.topics import CONSUMERS, PUBLISHERS


@pytest.mark.parametrize("service", sorted(CONSUMERS))
def test_a_service_may_read_what_it_subscribes_to_and_nothing_else(service: str) -> None:
    module = importlib.import_module(f"bespoke_{service}.service_layer.subscriptions")
    subscribed = {event_type.TOPIC for event_type, *_ in module.SUBSCRIPTIONS}
    assert subscribed == set(CONSUMERS[service])


def test_every_topic_has_one_owner() -> None:
    assert set(PUBLISHERS) == {*ALL_TOPICS, STAGE_REPORTED}
