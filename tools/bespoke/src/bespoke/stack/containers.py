"""Kafka and MongoDB from testcontainers, for hosts with a Docker engine.

``BESPOKE_TEST_INFRA=testcontainers uv run pytest ...`` makes the integration tests take
a fresh Kafka (KRaft) and MongoDB from containers started for the test session (and
removed after it) instead of the local stack. The default, ``stack``, uses the local
stack (``make up``). End-to-end tests need the services as well: they always use the
running system (the local stack, or ``docker compose up`` with the same ports).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Protocol

from bespoke_platform.topics import ensure_topics

VARIABLE = "BESPOKE_TEST_INFRA"
CHOICES = ("stack", "testcontainers")
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"  # Apache Kafka 3.6, run in KRaft mode
MONGODB_IMAGE = "mongo:7.0"


class Infrastructure(Protocol):
    """Where the tests find Kafka and MongoDB."""

    @property
    def kafka_bootstrap(self) -> str: ...
    @property
    def mongodb_url(self) -> str: ...


@dataclass(frozen=True)
class Containers:
    kafka_bootstrap: str
    mongodb_url: str


class InfrastructureUnavailable(RuntimeError):
    pass


def chosen() -> str:
    """``stack`` or ``testcontainers``, from ``BESPOKE_TEST_INFRA``."""
    value = os.environ.get(VARIABLE, "stack").strip() or "stack"
    if value not in CHOICES:
        raise InfrastructureUnavailable(f"{VARIABLE}={value!r} is not one of: {', '.join(CHOICES)}")
    return value


@contextmanager
def containers(topic_partitions: int) -> Iterator[Containers]:
    """Start MongoDB and Kafka containers, create the event topics, yield where they
    listen; remove the containers afterwards."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.mongodb import MongoDbContainer

    with ExitStack() as stack:
        try:
            mongo = stack.enter_context(MongoDbContainer(MONGODB_IMAGE))
            kafka = stack.enter_context(KafkaContainer(KAFKA_IMAGE).with_kraft())
        except Exception as error:  # docker.errors.DockerException and kin
            raise InfrastructureUnavailable(
                f"{VARIABLE}=testcontainers needs a running Docker engine "
                f"(DOCKER_HOST={os.environ.get('DOCKER_HOST', 'unset')}): "
                f"{type(error).__name__}: {error}"
            ) from error
        bootstrap = kafka.get_bootstrap_server()
        asyncio.run(ensure_topics(bootstrap, topic_partitions))
        yield Containers(kafka_bootstrap=bootstrap, mongodb_url=mongo.get_connection_url())
