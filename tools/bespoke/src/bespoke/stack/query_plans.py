"""Whether the finds a piece of code sends are answered from an index, by the server's
own plan of each: for tests that keep reads from growing with the data.

A find that reads a whole collection costs nothing with a test's ten documents and
seconds with a factory's year of orders, so no test can see it by timing. A test runs
the code on a client that records its finds (:func:`recording_client`) and asks the
server to explain each (:func:`plans`). The local stack's FerretDB answers with the plan
SQLite makes for the SQL the find runs (our patch builds both the same way); MongoDB
answers with its winning plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient, monitoring

from bespoke_platform.mongo import Document, connect

_EXPLAINED = ("find", "filter", "sort", "limit", "skip", "projection")


@dataclass(frozen=True)
class Plan:
    database: str
    command: Document
    steps: list[str]
    """FerretDB: SQLite's plan, one line per step; MongoDB: the winning plan's stages."""
    sqlite: bool
    """The plan is SQLite's (FerretDB), not MongoDB's."""
    limit_pushed_down: bool
    """FerretDB only: SQLite stops at the find's limit."""

    @property
    def reads_whole_collection(self) -> bool:
        """SQLite walks the table (or an index) with no condition and without stopping at
        a limit, or sorts every row; MongoDB's plan scans the collection."""
        if not self.sqlite:
            return "COLLSCAN" in self.steps
        details = self._details()
        walks = any(d.startswith("SCAN ") for d in details)
        return walks and (self._sorts_every_row() or not self.limit_pushed_down)

    @property
    def reads_every_match(self) -> bool:
        """The find has a limit, yet the server reads every document its filter matches
        first: the limit is left to FerretDB, or the rows are sorted after they are
        read (MongoDB: an in-memory sort)."""
        if "limit" not in self.command:
            return False
        if not self.sqlite:
            return "SORT" in self.steps
        return not self.limit_pushed_down or self._sorts_every_row()

    def _details(self) -> list[str]:
        return [step.partition("detail=")[2] for step in self.steps]

    def _sorts_every_row(self) -> bool:
        return any(d.startswith("USE TEMP B-TREE") for d in self._details())


class FindRecorder(monitoring.CommandListener):
    """Keeps every find a client sends, with its database."""

    def __init__(self) -> None:
        self.finds: list[tuple[str, Document]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            command = {k: v for k, v in event.command.items() if k in _EXPLAINED}
            self.finds.append((event.database_name, command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def recording_client(url: str) -> tuple[AsyncMongoClient[Document], FindRecorder]:
    """The services' client (``bespoke_platform.mongo.connect``), its finds recorded."""
    recorder = FindRecorder()
    return connect(url, [recorder]), recorder


async def plans(client: AsyncMongoClient[Document], recorder: FindRecorder) -> list[Plan]:
    """The server's plan of each find recorded so far (explaining sends no find)."""
    finds, recorder.finds = recorder.finds, []
    return [await _plan(client, database, command) for database, command in finds]


async def _plan(client: AsyncMongoClient[Document], database: str, command: Document) -> Plan:
    reply = await client[database].command("explain", command)
    planner = reply.get("queryPlanner", {})
    sqlite = "Plan" in planner  # FerretDB's
    if sqlite:
        steps = [str(step) for step in planner["Plan"]]
    else:
        steps = _stages(planner.get("winningPlan", {}))
    return Plan(database, command, steps, sqlite, bool(reply.get("limitPushdown")))


def _stages(node: Document) -> list[str]:
    stages = [str(node.get("stage", ""))]
    for child in [node.get("inputStage"), *node.get("inputStages", [])]:
        if isinstance(child, dict):
            stages += _stages(child)
    return stages
