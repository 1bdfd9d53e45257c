"""The outbox: events wait inside the document whose change caused them (written in the
same single-document operation), and a relay publishes them, then marks them sent.

Each document of an outbox-carrying collection has ``outbox`` (entries from
:func:`outbox_entries`), ``outbox_seq`` (entries ever added), ``outbox_sent_seq``
(entries published) and ``outbox_pending`` (a hint).

At-least-once: if the process dies after publishing and before marking, the event is
published again on restart, with the same ``event_id``; consumers deduplicate on it.
Events of one document are published in order, keyed by the event's key.

Which documents have events waiting: every write that adds events then signals its
key (:class:`Signals`). In a process that runs the relay, the signal is a note in that
relay's memory, no write at all, and it carries the events the write added: the relay
publishes them without reading the document when every earlier one is published, as
the writer read the document or as the relay itself published them; elsewhere (tools,
tests) it is a small document by ``_id`` that any relay reads (at most every
``poll_seconds``). A crash between the write and its relay's pass loses the note but
not the events: the relay sweeps the documents flagged ``outbox_pending`` when it
starts and every ``sweep_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from bespoke_contracts import Envelope
from bespoke_platform import observability, tracing
from bespoke_platform.memo import Recent
from bespoke_platform.worker import BackgroundLoop

log = logging.getLogger(__name__)

Document = dict[str, Any]


_PROJECTION = {"outbox": 1, "outbox_seq": 1, "outbox_sent_seq": 1, "outbox_pending": 1}


def _unpublished(doc: Document) -> bool:
    return int(doc.get("outbox_seq", 0)) > int(doc.get("outbox_sent_seq", 0))


class EventPublisher(Protocol):
    """Sends one message to Kafka and returns once the broker acknowledged it."""

    async def publish(
        self, topic: str, key: bytes, value: bytes, headers: dict[str, str]
    ) -> None: ...


def outbox_entries(events: Sequence[Envelope[Any]], start_seq: int) -> list[Document]:
    """Outbox entries for ``events``, numbered after ``start_seq``, with the trace context
    of the work that caused them (the relay continues the trace when it publishes)."""
    trace = tracing.current_carrier()
    return [
        {
            "seq": start_seq + i,
            "event_id": str(event.event_id),
            "event_type": event.event_type,
            "topic": event.TOPIC,
            "key": event.key().decode(),
            "value": event.to_json().decode(),
            "created_at": event.occurred_at,
            "trace": trace,
        }
        for i, event in enumerate(events, start=1)
    ]


def new_outbox(events: Sequence[Envelope[Any]]) -> Document:
    """The outbox fields of a new document."""
    entries = outbox_entries(events, 0)
    return {
        "outbox": entries,
        "outbox_seq": len(entries),
        "outbox_sent_seq": 0,
        "outbox_pending": bool(entries),
    }


async def upsert(collection: AsyncCollection[Document], key: str, update: Document) -> None:
    """Update-or-insert by ``_id``. Two racing upserts can both try the insert; the loser
    gets a duplicate-key error (MongoDB and FerretDB alike) and retries as an update."""
    for attempt in range(3):
        try:
            await collection.update_one({"_id": key}, update, upsert=True)
            return
        except DuplicateKeyError:
            if attempt == 2:
                raise


async def signal(signals: AsyncCollection[Document], key: str) -> None:
    """Leave a signal document: document ``key`` has events to publish (a hint)."""
    await upsert(signals, key, {"$set": {"at": datetime.now(UTC)}})


class Signals:
    """How a write tells the relay that a document has events to publish: by a signal
    document in ``collection`` (the default), or, while the relay of the same process
    runs (``OutboxRelay.signals``), by a note in its memory, which costs no round trip.
    A process whose relay is not running (a tool, a script built from the service's
    wiring) writes the document, for the service's running relay to read."""

    def __init__(
        self, collection: AsyncCollection[Document], relay: OutboxRelay | None = None
    ) -> None:
        self.collection = collection
        self._relay = relay

    async def send(self, key: str, unsent: Document | None = None) -> None:
        """``unsent``: the document's outbox fields as this write left them, ``outbox``
        holding the events it added and ``outbox_sent_seq`` as far as the writer knew.
        When every event before those is published (by that count, or by this relay's
        own passes), the relay sends them without reading the document."""
        if self._relay is not None and self._relay.running:
            self._relay.notice(key, unsent)
        else:
            await signal(self.collection, key)


class OutboxPositions:
    """Where the outbox of each document this process read or wrote lately stood, by key:
    the document's revision, and the events ever added and published at that revision.
    A save from that revision numbers its events from it without reading the document
    first. Only a save changes the revision and the events added, together, so the
    position of a revision is exact; its published count may be behind, which only makes
    the relay read the document. The save's filter checks the count anyway: a position
    from elsewhere costs a retry (``save_with_events`` answers False), never a wrong write."""

    def __init__(self, size: int = 4096) -> None:
        self._at: Recent[str, tuple[int, int, int]] = Recent(size)

    def note(self, doc: Document) -> None:
        """Remember where ``doc``, as read whole or as written, stands."""
        self._at.put(
            str(doc["_id"]),
            (
                int(doc.get("revision", 0)),
                int(doc.get("outbox_seq", 0)),
                int(doc.get("outbox_sent_seq", 0)),
            ),
        )

    def at(self, key: str, revision: int) -> tuple[int, int] | None:
        """(events added, events published) of document ``key`` at ``revision``, if known."""
        found = self._at.get(key)
        return None if found is None or found[0] != revision else (found[1], found[2])

    def forget(self, key: str) -> None:
        self._at.pop(key)


async def save_with_events(
    documents: AsyncCollection[Document],
    signals: Signals,
    key: str,
    revision: int,
    fields: Document,
    events: Sequence[Envelope[Any]],
    positions: OutboxPositions | None = None,
) -> bool:
    """Store a change of document ``key`` and the events it causes in ONE single-document
    update, guarded by the ``revision`` the change was made from (it becomes
    ``revision + 1``). False, and nothing written, if the document moved meanwhile or is
    gone; then signal the relay. The outbox's position at ``revision`` comes from
    ``positions`` when this process read or wrote that revision, else from a read."""
    known = positions.at(key, revision) if positions is not None else None
    if known is None:
        doc = await documents.find_one({"_id": key}, {"outbox_seq": 1, "outbox_sent_seq": 1})
        if doc is None:
            return False
        known = (doc.get("outbox_seq", 0), doc.get("outbox_sent_seq", 0))
    seq, sent = known
    entries = outbox_entries(events, seq)
    update: Document = {"$set": {**fields, "revision": revision + 1}}
    if entries:
        update["$set"]["outbox_pending"] = True
        update["$push"] = {"outbox": {"$each": entries}}
        update["$inc"] = {"outbox_seq": len(entries)}
    result = await documents.update_one(
        {"_id": key, "revision": revision, "outbox_seq": seq}, update
    )
    if result.matched_count == 0:
        if positions is not None:
            positions.forget(key)
        return False
    if positions is not None:
        positions.note(
            {
                "_id": key,
                "revision": revision + 1,
                "outbox_seq": seq + len(entries),
                "outbox_sent_seq": sent,
            }
        )
    if entries:
        # The events this write added, after ``sent`` published as far as it knows: the
        # relay sends them without a read when every event before them is published.
        unsent = {"_id": key, "outbox": entries, "outbox_seq": seq + len(entries)}
        await signals.send(key, {**unsent, "outbox_sent_seq": sent})
    return True


class OutboxRelay(BackgroundLoop):
    """Moves events from a collection's documents to Kafka (in the background: ``start``,
    ``wake`` after a write that added events, ``stop``)."""

    def __init__(
        self,
        documents: AsyncCollection[Document],
        signals: AsyncCollection[Document],
        publisher: EventPublisher,
        poll_seconds: float = 0.5,
        batch_size: int = 100,
        sweep_seconds: float = 300.0,
        recovered: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        """``recovered`` is told the documents whose events only the sweep found: those
        whose writer stopped between its write and its signal (and whatever else it
        meant to do after the write, such as a read model's copy)."""
        self._recovered = recovered
        self._documents = documents
        self._signals = signals
        self.signals = Signals(signals, self)
        """Signals for this relay from writes of the same process (in memory)."""
        self._noticed: dict[str, Document | None] = {}
        """Keys noticed and not yet published, oldest first, with what their write left
        unsent when it is known (else None: read the document)."""
        self._published: Recent[str, int] = Recent(4096)
        """How many events of each document lately published this relay has published
        (events are published in order, so all up to that count)."""
        self._last_signal_read = -float("inf")
        self._sweep_seconds = sweep_seconds
        self._last_sweep = -float("inf")
        self._indexed = False
        self._publisher = publisher
        self._batch_size = batch_size
        super().__init__("outbox-relay", self.publish_pending, poll_seconds, max_backoff=5.0)

    def notice(self, key: str, unsent: Document | None = None) -> None:
        """Document ``key`` has events to publish (a write of this process): on the next
        pass, which this wakes. ``unsent``: see ``Signals.send``.

        A key noticed again before its pass took it is read afresh by that pass, and
        wakes nothing: the pass that holds it is under way or woken already, and a key a
        pass leaves behind wakes the next one. A wake with nothing left to notice would
        start a pass that reads the signal documents for nothing."""
        if key in self._noticed:
            self._noticed[key] = None
            return
        self._noticed[key] = unsent
        self.wake()

    async def publish_pending(self, sweep: bool = False) -> int:
        """Publish every signalled unpublished event once; with ``sweep`` (or when the
        sweep is due), also look through every flagged document. Returns how many were
        sent."""
        sent = 0
        noticed = list(self._noticed)[: self._batch_size]
        for key in noticed:
            # Forgotten before its read: a write noticed again meanwhile stays noticed.
            unsent = self._noticed.pop(key)
            try:
                ready = None if unsent is None else self._after_published(unsent)
                if ready is None:
                    sent += await self._publish_key(key)
                else:
                    sent += await self._publish_document(ready)
            except BaseException:
                self._noticed[key] = None  # the next pass (after the backoff) tries again
                raise
        now = asyncio.get_running_loop().time()
        signals: list[Document] = []
        if sweep or not noticed or now - self._last_signal_read >= self._poll_seconds:
            # Signal documents come from other processes (tools): read on the poll's
            # beat, not on every pass that writes of this process wake.
            self._last_signal_read = now
            signals = (
                await self._signals.find({})
                .sort("_id", ASCENDING)
                .limit(self._batch_size)
                .to_list()
            )
        observability.OUTBOX_BACKLOG.labels(self._documents.name).set(
            len(signals) + len(self._noticed)
        )
        for signal in signals:
            sent += await self._publish_key(signal["_id"])
            # A newer signal (events added meanwhile) stays for the next pass: deleted only
            # if unchanged, in one atomic write. (Signals are few, so the two-field filter
            # is cheap even where it scans; checking first and deleting by `_id` lost a
            # signal written in between, delaying its events until the sweep.)
            await self._signals.delete_one({"_id": signal["_id"], "at": signal["at"]})
        if sweep or now - self._last_sweep >= self._sweep_seconds:
            if not self._indexed:
                # The sweep's own index, made by the relay whatever the collection: without
                # it the sweep reads every document (3 s at a few thousand orders locally).
                await self._documents.create_index(
                    [("outbox_pending", ASCENDING)], name="outbox_pending"
                )
                self._indexed = True
            self._last_sweep = now
            # The flag is set by every write that adds events and cleared only once they
            # are all sent (indexed: the few flagged, not the collection); the counters
            # are the truth. Read whole before any write: a cursor left open across
            # writes can block them on the SQLite-backed server.
            flagged = await self._documents.find(
                {"outbox_pending": True}, {"outbox_seq": 1, "outbox_sent_seq": 1}
            ).to_list()
            behind = [doc["_id"] for doc in flagged if _unpublished(doc)]
            for key in sorted(behind):
                sent += await self._publish_key(key)
            if behind and self._recovered is not None:
                await self._recovered(sorted(behind))
        if self._noticed:
            self.wake()  # past the batch, or noticed during this pass: the next pass
        return sent

    def _after_published(self, unsent: Document) -> Document | None:
        """``unsent`` (a write's added events, see ``Signals.send``) to publish as it is,
        when every event before them is known published; None when the document must be
        read for them."""
        if not unsent["outbox"]:
            return unsent
        before = min(int(e["seq"]) for e in unsent["outbox"]) - 1
        if int(unsent["outbox_sent_seq"]) >= before:  # the writer read them published
            return unsent
        # This relay published exactly up to them (a count past them: it read the
        # document since, or a document of that key before; read it).
        if self._published.get(str(unsent["_id"])) == before:
            return {**unsent, "outbox_sent_seq": before}
        return None

    async def _publish_key(self, key: str) -> int:
        """Publish what document ``key`` holds unpublished, read afresh (none if gone)."""
        doc = await self._documents.find_one({"_id": key}, _PROJECTION)
        if doc is None or not _unpublished(doc):
            return 0
        return await self._publish_document(doc)

    async def _publish_document(self, doc: Document) -> int:
        already = doc.get("outbox_sent_seq", 0)
        seen = doc["outbox_seq"]
        entries = sorted((e for e in doc["outbox"] if e["seq"] > already), key=lambda e: e["seq"])
        for entry in entries:
            with tracing.producer_span(
                entry["topic"],
                entry.get("trace") or {},
                {
                    "messaging.message.id": entry["event_id"],
                    "bespoke.event_type": entry["event_type"],
                },
            ) as trace_headers:
                await self._publisher.publish(
                    entry["topic"],
                    entry["key"].encode(),
                    entry["value"].encode(),
                    {
                        "content-type": "application/json",
                        "event_type": entry["event_type"],
                        "event_id": entry["event_id"],
                        **trace_headers,
                    },
                )
        observability.OUTBOX_PUBLISHED.labels(self._documents.name).inc(len(entries))
        self._published.put(str(doc["_id"]), seen)
        # Record progress: the sent counter only grows, and published events drop their
        # body (Kafka has it; small documents keep scans cheap). Entry i of the outbox
        # holds seq i + 1.
        published: Document = {"$max": {"outbox_sent_seq": seen}}
        if entries:
            published["$unset"] = {f"outbox.{e['seq'] - 1}.value": "" for e in entries}
        # Usually nothing was added meanwhile: then the same single-document write clears
        # the pending flag (a hint for people and tools), one round trip for both.
        caught_up = await self._documents.update_one(
            {"_id": doc["_id"], "outbox_seq": seen},
            {**published, "$set": {"outbox_pending": False}},
        )
        if caught_up.matched_count == 0:
            # A save added events since the read: record the progress and leave the flag
            # it set; its signal brings its events on the next pass.
            await self._documents.update_one({"_id": doc["_id"]}, published)
        return len(entries)
