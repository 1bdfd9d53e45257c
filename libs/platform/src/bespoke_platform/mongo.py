"""MongoDB client settings shared by every service (FerretDB locally, MongoDB in production)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
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
    ``SLOW_COMMAND_SECONDS`` (a slow-query log on the client side), with the collection
    and the names of the filter's fields (never their values: they can be personal)."""

    def __init__(self) -> None:
        self._under_way: dict[tuple[int, object], Mapping[str, Any]] = {}
        """Each command under way, by request id and server (described only if slow)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self._under_way[event.request_id, event.connection_id] = event.command

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        command = self._under_way.pop((event.request_id, event.connection_id), {})
        seconds = event.duration_micros / 1e6
        MONGO_COMMANDS.labels(event.command_name, event.database_name, "ok").observe(seconds)
        if seconds >= SLOW_COMMAND_SECONDS:
            log.warning(
                "slow %s on %s%s: %.0f ms",
                event.command_name,
                event.database_name,
                _shape(event.command_name, command),
                seconds * 1000,
            )

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._under_way.pop((event.request_id, event.connection_id), None)
        seconds = event.duration_micros / 1e6
        MONGO_COMMANDS.labels(event.command_name, event.database_name, "error").observe(seconds)


def _shape(name: str, command: Mapping[str, Any]) -> str:
    """``.collection {field, ...}``: the collection a command names and its filter's
    fields; nothing for a command on the database itself (``ping``, ``hello``)."""
    # A getMore names its cursor first and its collection after.
    collection = command.get("collection" if name == "getMore" else name)
    query = command.get("filter", command.get("query"))
    if query is None:
        for key in ("updates", "deletes"):
            if command.get(key):
                query = command[key][0].get("q")
    if not isinstance(collection, str):
        return ""
    fields = ", ".join(query) if isinstance(query, dict) else ""
    return f".{collection} {{{fields}}}"


def connect(
    url: str, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[Document]:
    """A client that returns timezone-aware (UTC) datetimes and fails fast when unreachable.
    ``listeners``: more command listeners beside the metrics and slow-command log (a
    test's recorder of the finds it sends)."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        connectTimeoutMS=5000,
        serverSelectionTimeoutMS=5000,
        event_listeners=[CommandMonitor(), *listeners],
    )


async def insert_new(collection: AsyncCollection[Document], doc: Document) -> bool:
    """Insert unless a document with the same ``_id`` exists: True when inserted. The
    unique ``_id`` makes this the one atomic "first one wins" on FerretDB as on MongoDB."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
