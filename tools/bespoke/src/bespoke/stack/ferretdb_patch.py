"""Make FerretDB v1's writes atomic, as MongoDB's are, before building it.

FerretDB v1 (SQLite backend) runs an ``update``, ``findAndModify`` or ``delete`` as a
query, then a write in Go, with nothing between them: two concurrent updates of one
document can both match and the second overwrites the first (a lost update; we saw an
outbox's "sent" mark undone by a concurrent save, and ``$inc`` handing out one number
twice). Our services rely on MongoDB's single-document atomicity, so the local build
serialises those three commands with one mutex. SQLite serialises writers anyway, so
little is lost. Applied to a copy of the module, never to the Go module cache.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

PATCH_VERSION = "atomic-writes-1"
MODULE = "github.com/FerretDB/FerretDB"

LOCK_FILE = """// Added by the Bespoke local stack (tools/bespoke/src/bespoke/stack/ferretdb_patch.py).

package handler

import "sync"

// writeLock makes each update, findAndModify and delete atomic with respect to the
// others, as single-document writes are in MongoDB.
var writeLock sync.Mutex
"""

# (file, the function's first line) -> the lock goes right after it.
ENTRY_POINTS = {
    "internal/handler/msg_update.go": (
        "func (h *Handler) MsgUpdate(connCtx context.Context, msg *wire.OpMsg) "
        "(*wire.OpMsg, error) {\n"
    ),
    "internal/handler/msg_findandmodify.go": (
        "func (h *Handler) MsgFindAndModify(connCtx context.Context, msg *wire.OpMsg) "
        "(*wire.OpMsg, error) {\n"
    ),
    "internal/handler/msg_delete.go": (
        "func (h *Handler) MsgDelete(connCtx context.Context, msg *wire.OpMsg) "
        "(*wire.OpMsg, error) {\n"
    ),
}


class PatchDoesNotApply(RuntimeError):
    """The FerretDB source is not the version this patch was written for."""


def patched_copy(source: Path, target: Path) -> Path:
    """Copy the FerretDB module at ``source`` to ``target`` and patch it; returns target."""
    if target.exists():
        shutil.rmtree(target, onerror=_make_writable_and_retry)
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    target.chmod(target.stat().st_mode | stat.S_IWUSR)
    for relative, anchor in ENTRY_POINTS.items():
        file = target / relative
        text = file.read_text()
        if text.count(anchor) != 1:
            raise PatchDoesNotApply(f"{relative}: entry point not found; is it FerretDB v1.24?")
        file.write_text(
            text.replace(anchor, anchor + "\twriteLock.Lock()\n\tdefer writeLock.Unlock()\n\n")
        )
    (target / "internal/handler/bespoke_writelock.go").write_text(LOCK_FILE)
    return target


def _make_writable_and_retry(func: object, path: str, _: object) -> None:
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    if callable(func):
        func(path)
