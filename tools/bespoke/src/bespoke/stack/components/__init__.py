"""Each part of the local stack, one module a server: how it is installed, started and
known to be ready."""

from __future__ import annotations

from bespoke.stack.components.component import (
    Component,
    InstallFailed,
    MissingTool,
    Say,
    require,
)
from bespoke.stack.components.ferretdb import FerretDB
from bespoke.stack.components.go import kustomize
from bespoke.stack.components.kafka import Kafka
from bespoke.stack.components.mailpit import Mailpit
from bespoke.stack.components.services import SERVICE_NAMES, Service
from bespoke.stack.components.stripe_mock import StripeMock
from bespoke.stack.config import StackConfig


def all_components(config: StackConfig) -> list[Component]:
    """Every component in start order (stop runs in reverse)."""
    infrastructure: list[Component] = [
        Kafka(config),
        FerretDB(config),
        StripeMock(config),
        Mailpit(config),
    ]
    return infrastructure + [Service(config, name) for name in SERVICE_NAMES]


__all__ = [
    "SERVICE_NAMES",
    "Component",
    "InstallFailed",
    "MissingTool",
    "Say",
    "all_components",
    "kustomize",
    "require",
]
