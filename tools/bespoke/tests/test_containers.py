"""The switch that makes integration tests take Kafka and MongoDB from testcontainers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bespoke.stack import containers


def test_the_local_stack_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(containers.VARIABLE, raising=False)
    assert containers.chosen() == "stack"
    monkeypatch.setenv(containers.VARIABLE, "testcontainers")
    assert containers.chosen() == "testcontainers"


def test_an_unknown_choice_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(containers.VARIABLE, "docker")
    with pytest.raises(containers.InfrastructureUnavailable, match="stack, testcontainers"):
        containers.chosen()


def test_without_a_docker_engine_the_failure_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    with (
        pytest.raises(containers.InfrastructureUnavailable, match="needs a running Docker engine"),
        containers.containers(topic_partitions=1),
    ):
        pytest.fail("no container can start here")
