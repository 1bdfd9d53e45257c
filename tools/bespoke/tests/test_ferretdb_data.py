"""FerretDB's data folder before each start: what dropped databases leave is removed, so
FerretDB starts; every database that holds something stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bespoke.stack.components.ferretdb import forget_dropped_databases


def database(path: Path, table: bool) -> None:
    with sqlite3.connect(path) as db:
        if table:
            db.execute("CREATE TABLE _ferretdb_collections (name TEXT)")
        else:
            db.execute("PRAGMA user_version = 1")  # a file, with no table
    db.close()


def test_leftovers_of_dropped_databases_go_and_real_ones_stay(tmp_path: Path) -> None:
    database(tmp_path / "bespoke_orders.sqlite", table=True)
    (tmp_path / "bespoke_orders.sqlite-wal").write_bytes(b"")  # a live one's log stays
    (tmp_path / "test_dropped.sqlite-wal").write_bytes(b"x" * 100)
    (tmp_path / "test_dropped.sqlite-shm").write_bytes(b"x" * 100)
    database(tmp_path / "test_ghost.sqlite", table=False)
    database(tmp_path / "test_logged.sqlite", table=False)
    (tmp_path / "test_logged.sqlite-wal").write_bytes(b"x" * 100)  # its tables may be here

    removed = forget_dropped_databases(tmp_path)

    assert removed == ["test_dropped.sqlite-shm", "test_dropped.sqlite-wal", "test_ghost.sqlite"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bespoke_orders.sqlite",
        "bespoke_orders.sqlite-wal",
        "test_logged.sqlite",
        "test_logged.sqlite-wal",
    ]
