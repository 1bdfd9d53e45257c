"""MongoDB client settings shared by every service (FerretDB locally, MongoDB in production)."""

from __future__ import annotations

import logging
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from bespoke_platform.observability import MONGO_COMMANDS

Document = dict[str, Any]

log = logging.getLogger("bespoke.mongo")

SLOW_COMMAND_SECONDS = 0.05


class CommandMonitor(monitoring.CommandListener):
    """Counts and times every database command (``bespoke_mongo_command_seconds``: how
    many round trips a request or an event costs) and logs those slower than
    ``SLOW_COMMAND_SECONDS`` (a slow-query log on the client side)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        seconds = event.duration_micros / 1e6
        MONGO_COMMANDS.labels(event.command_name, event.database_name, "ok").observe(seconds)
        if seconds >= SLOW_COMMAND_SECONDS:
            log.warning(
                "slow %s on %s: %.0f ms", event.command_name, event.database_name, seconds * 1000
            )

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        seconds = event.duration_micros / 1e6
        MONGO_COMMANDS.labels(event.command_name, event.database_name, "error").observe(seconds)


def connect(url: str) -> AsyncMongoClient[Document]:
    """A client that returns timezone-aware (UTC) datetimes and fails fast when unreachable."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        connectTimeoutMS=5000,
        serverSelectionTimeoutMS=5000,
        event_listeners=[CommandMonitor()],
    )


async def insert_new(collection: AsyncCollection[Document], doc: Document) -> bool:
    """Insert unless a document with the same ``_id`` exists: True when inserted. The
    unique ``_id`` makes this the one atomic "first one wins" on FerretDB as on MongoDB."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
