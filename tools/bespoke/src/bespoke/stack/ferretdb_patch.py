"""Apply our FerretDB patches (``deploy/local/ferretdb/_patch/``) to a copy of its module.

The patches make FerretDB v1's single-document writes atomic, as MongoDB's are, and its
indexes used; what each does and why is in ``docs/operations/local-stack.md`` and
``docs/decisions/0004-local-ferretdb-patches.md``. They are a unified diff of FerretDB's
own files plus whole new ``.go`` files at the paths they take in the module, so gofmt and
go vet see them as Go. The folder's name starts with ``_`` so that the Go tool leaves it
out of our wrapper module's own packages. Applied to a copy, never to the module cache.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from bespoke.stack.config import DEPLOY_LOCAL

MODULE = "github.com/FerretDB/FerretDB"
PATCH_DIR = DEPLOY_LOCAL / "ferretdb" / "_patch"
DIFF = PATCH_DIR / "ferretdb-v1.24.2.diff"


class PatchDoesNotApply(RuntimeError):
    """The FerretDB source is not the version the patches were written for."""


def patch_files() -> list[Path]:
    """Everything the patched build depends on, for its fingerprint."""
    return sorted(p for p in PATCH_DIR.rglob("*") if p.is_file())


def new_go_files() -> list[Path]:
    """The whole files the patches add, relative to the module's root."""
    return sorted(p.relative_to(PATCH_DIR) for p in PATCH_DIR.rglob("*.go"))


def patched_copy(source: Path, target: Path) -> Path:
    """Copy the FerretDB module at ``source`` to ``target`` and patch it; returns target."""
    if target.exists():
        shutil.rmtree(target, onerror=_make_writable_and_retry)
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    target.chmod(target.stat().st_mode | stat.S_IWUSR)
    applied = subprocess.run(
        ["patch", "--batch", "--forward", "--strip=1", "--input", str(DIFF)],
        cwd=target,
        capture_output=True,
        text=True,
    )
    if applied.returncode != 0:
        raise PatchDoesNotApply(
            f"{DIFF.name} does not apply to {source}; is it FerretDB v1.24.2?\n{applied.stdout}"
        )
    for relative in new_go_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PATCH_DIR / relative, target / relative)
    return target


def _make_writable_and_retry(func: object, path: str, _: object) -> None:
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    if callable(func):
        func(path)
