"""FerretDB v1 on SQLite: the MongoDB wire protocol, built from a patched copy."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from pymongo import AsyncMongoClient

from bespoke.stack import ferretdb_patch
from bespoke.stack.components.component import Say, run_install
from bespoke.stack.components.go import GO_ENV, GoBinary, build_once, module_sources
from bespoke.stack.config import DEPLOY_LOCAL
from bespoke.stack.processes import ProcessSpec


class FerretDB(GoBinary):
    name = "ferretdb"
    module = "ferretdb"
    package = "."

    def install(self, say: Say) -> None:
        """Build our wrapper (``deploy/local/ferretdb``) against a patched copy of FerretDB."""
        module_dir = DEPLOY_LOCAL / self.module
        sources = module_sources(self.module)
        build_dir = self.config.stack_dir / "build"

        def build(go: str, log: Path) -> None:
            run_install([go, "mod", "download", ferretdb_patch.MODULE], module_dir, log, GO_ENV)
            found = subprocess.run(
                [go, "list", "-m", "-f", "{{.Dir}}", ferretdb_patch.MODULE],
                cwd=module_dir,
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, **GO_ENV},
            )
            ferretdb_patch.patched_copy(Path(found.stdout.strip()), build_dir / "ferretdb-src")
            main = build_dir / "ferretdb-main"
            shutil.rmtree(main, ignore_errors=True)
            main.mkdir(parents=True)
            for source in sources:
                shutil.copy2(source, main / source.name)
            with (main / "go.mod").open("a") as mod:
                mod.write(f"\nreplace {ferretdb_patch.MODULE} => ../ferretdb-src\n")
            run_install([go, "build", "-o", str(self.binary), "."], main, log, GO_ENV)

        build_once(self.config, self.name, sources + ferretdb_patch.patch_files(), build, say)

    def prepare(self) -> None:
        forget_dropped_databases(self.config.data_dir / "ferretdb")

    def spec(self) -> ProcessSpec:
        data = self.config.data_dir / "ferretdb"
        return self._spec(
            [
                str(self.binary),
                f"-listen={self.config.host}:{self.config.mongodb_port}",
                f"-data={data}",
            ],
            # Decoding documents allocates heavily; collecting less often halves the
            # garbage collector's share of a find (docs/performance.md).
            {"GOGC": "400"},
        )

    async def ready(self) -> bool:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            self.config.mongodb_url, serverSelectionTimeoutMS=1000
        )
        try:
            await client.admin.command("ping")
            return True
        except Exception:
            return False
        finally:
            await client.close()

    def address(self) -> str:
        return self.config.mongodb_url


def forget_dropped_databases(data: Path) -> list[str]:
    """Remove what a dropped database can leave in FerretDB's data folder, which would
    stop it from starting ("no such table: _ferretdb_collections"): the write-ahead log
    and shared-memory files of a database whose file is gone (a drop while connections
    were open), and a database file with no table at all (SQLite makes one from such a
    log on the next open; it holds nothing). Returns the names removed."""
    removed = []
    for leftover in sorted([*data.glob("*.sqlite-wal"), *data.glob("*.sqlite-shm")]):
        if not leftover.with_name(leftover.name.rsplit("-", 1)[0]).exists():
            leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
    for database in sorted(data.glob("*.sqlite")):
        log = Path(f"{database}-wal")
        if log.exists() and log.stat().st_size > 0:
            continue  # its tables may still be in its log
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables == 0:
            for path in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm"))):
                path.unlink(missing_ok=True)
            removed.append(database.name)
    return removed
