"""Make FerretDB v1's writes atomic, as MongoDB's are, before building it.

FerretDB v1 (SQLite backend) runs an ``update``, ``findAndModify`` or ``delete`` as a
query, then a write in Go, with nothing between them: two concurrent updates of one
document can both match and the second overwrites the first (a lost update; we saw an
outbox's "sent" mark undone by a concurrent save, and ``$inc`` handing out one number
twice). Our services rely on MongoDB's single-document atomicity, so the local build
serialises those three commands per collection (one mutex each). Applied to a copy
of the module, never to the Go module cache.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

PATCH_VERSION = "atomic-writes-2"
MODULE = "github.com/FerretDB/FerretDB"

LOCK_FILE = """// Added by the Bespoke local stack (tools/bespoke/src/bespoke/stack/ferretdb_patch.py).

package handler

import "sync"

// collectionLocks makes each update, findAndModify and delete atomic with respect to the
// others on the same collection, as single-document writes are in MongoDB.
var collectionLocks sync.Map

func lockCollection(db, collection string) func() {
	mu, _ := collectionLocks.LoadOrStore(db+"."+collection, &sync.Mutex{})
	m := mu.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}
"""

_LOCK = "\tunlock := lockCollection(params.DB, params.Collection)\n\tdefer unlock()\n"

# file -> where the command's parameters (database, collection) are known.
ENTRY_POINTS = {
    "internal/handler/msg_update.go": (
        "\tparams, err := common.GetUpdateParams(document, h.L)\n"
        "\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n"
    ),
    "internal/handler/msg_findandmodify.go": (
        "\tparams, err := common.GetFindAndModifyParams(document, h.L)\n"
        "\tif err != nil {\n\t\treturn nil, err\n\t}\n"
    ),
    "internal/handler/msg_delete.go": (
        "\tparams, err := common.GetDeleteParams(document, h.L)\n"
        "\tif err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n"
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
        file.write_text(text.replace(anchor, anchor + _LOCK))
    (target / "internal/handler/bespoke_writelock.go").write_text(LOCK_FILE)
    return target


def _make_writable_and_retry(func: object, path: str, _: object) -> None:
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    if callable(func):
        func(path)
