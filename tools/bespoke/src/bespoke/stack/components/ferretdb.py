"""FerretDB v1 on SQLite: the MongoDB wire protocol, built from a patched copy."""

from __future__ import annotations

import os
import shutil
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
