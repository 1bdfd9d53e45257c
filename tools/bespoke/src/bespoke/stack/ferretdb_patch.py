"""Make FerretDB v1's writes atomic, as MongoDB's are, and its indexes used, before building it.

FerretDB v1 (SQLite backend) runs an ``update``, ``findAndModify`` or ``delete`` as a
query, then a write in Go, with nothing between them: two concurrent updates of one
document can both match and the second overwrites the first (a lost update; we saw an
outbox's "sent" mark undone by a concurrent save, and ``$inc`` handing out one number
twice). Our services rely on MongoDB's single-document atomicity, so the local build
serialises those three commands per collection (one mutex each).

FerretDB v1 also answers every find but ``{_id: <string>}`` by reading and decoding the
whole collection, indexes or not: an order pool page over 1,000,000 orders would read
them all. The second part pushes conditions, sorts and limits on indexed fields down to
SQLite, on the expressions the indexes are built on (``PUSHDOWN_FILE``; the assumption it
makes is written there). Applied to a copy of the module, never to the Go module cache.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

PATCH_VERSION = "atomic-writes-2+pushdown-1+untracked-1"
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


FIELDS_FILE = """// Added by the Bespoke local stack (tools/bespoke/src/bespoke/stack/ferretdb_patch.py).

package metadata

import "regexp"

var plainField = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// FieldExpr is the SQL expression for a top-level field's value (a string, a number, or
// a date as milliseconds), shared by indexes and pushed-down filters and sorts so that
// SQLite matches one with the other. ok is false for a nested or unusual field name.
//
// `_id` keeps FerretDB's own expression (IDColumn: its JSON text), which `_id` lookups use.
func FieldExpr(field string) (expr string, ok bool) {
	if field == "_id" {
		return IDColumn, true
	}

	if !plainField.MatchString(field) {
		return "", false
	}

	return DefaultColumn + "->>'$." + field + "'", true
}
"""

PUSHDOWN_FILE = """// Added by the Bespoke local stack (tools/bespoke/src/bespoke/stack/ferretdb_patch.py).

package sqlite

import (
	"math"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// Pushdown of filters, sorts and limits on indexed fields to SQLite.
//
// FerretDB v1.24 pushes down only `{_id: <string>}`: every other find reads and decodes
// the whole collection. Here a filter's conditions on fields that some index of the
// collection names (equality, or $eq/$lt/$lte/$gt/$gte with a string, number or date)
// become a WHERE clause on the same expressions the indexes are built on, so SQLite
// answers them from the index. The handler still applies the whole filter, sort and
// limit to what comes back, so a condition left out only costs time.
//
// The limit (and so the sort) is pushed down only when every condition of the filter
// was pushed down and the sort is on such fields: then SQLite's first rows are the
// right ones. That relies on one assumption, which MongoDB does not make: an indexed
// field holds one scalar of one type in every document (no arrays, no mixed types).
// The Bespoke services index only such fields.

var pushedComparisons = map[string]string{"$eq": "=", "$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}

// indexedFields returns the top-level fields that some index of the collection names.
func indexedFields(meta *metadata.Collection) map[string]string {
	fields := map[string]string{}

	for _, index := range meta.Settings.Indexes {
		for _, key := range index.Key {
			if expr, ok := metadata.FieldExpr(key.Field); ok {
				fields[key.Field] = expr
			}
		}
	}

	return fields
}

// scalarArg returns the SQL value a pushed-down comparison uses for v.
func scalarArg(v any) (any, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}

		return v, true
	case time.Time:
		return v.UnixMilli(), true
	default:
		return nil, false
	}
}

// pushdownWhere returns the WHERE clause for the filter's pushable conditions, its
// arguments, and whether it holds every condition of the filter.
func pushdownWhere(filter *types.Document, meta *metadata.Collection) (string, []any, bool) {
	if filter.Len() == 0 {
		return "", nil, true
	}

	indexed := indexedFields(meta)
	exact := true

	var conds []string
	var args []any

	for _, key := range filter.Keys() {
		value := must.NotFail(filter.Get(key))

		if key == "_id" {
			switch value.(type) {
			case string, types.ObjectID:
				conds = append(conds, metadata.IDColumn+" = ?")
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(value))))
			default:
				exact = false
			}

			continue
		}

		expr, ok := indexed[key]
		if !ok {
			exact = false
			continue
		}

		if arg, ok := scalarArg(value); ok {
			conds = append(conds, expr+" = ?")
			args = append(args, arg)

			continue
		}

		operators, ok := value.(*types.Document)
		if !ok || operators.Len() == 0 {
			exact = false
			continue
		}

		for _, op := range operators.Keys() {
			sqlOp, known := pushedComparisons[op]
			arg, scalar := scalarArg(must.NotFail(operators.Get(op)))

			if !known || !scalar {
				exact = false
				continue
			}

			conds = append(conds, expr+" "+sqlOp+" ?")
			args = append(args, arg)
		}
	}

	if len(conds) == 0 {
		return "", nil, false
	}

	return " WHERE " + strings.Join(conds, " AND "), args, exact
}

// pushdownOrderBy returns the ORDER BY clause for a sort on indexed fields (or _id),
// and whether it could be built.
func pushdownOrderBy(sort *types.Document, meta *metadata.Collection) (string, bool) {
	indexed := indexedFields(meta)

	terms := make([]string, 0, sort.Len())

	for _, key := range sort.Keys() {
		expr, ok := indexed[key]
		if !ok {
			return "", false
		}

		switch must.NotFail(sort.Get(key)) {
		case int64(1):
			terms = append(terms, expr)
		case int64(-1):
			terms = append(terms, expr+" DESC")
		default:
			return "", false
		}
	}

	return " ORDER BY " + strings.Join(terms, ", "), true
}
"""

# (file, what it holds in v1.24.2, what it holds after the pushdown part)
PUSHDOWN_EDITS = [
    (
        "internal/backends/collection.go",
        """\tOnlyRecordIDs bool
\tComment       string
}
""",
        """\tOnlyRecordIDs bool
\tComment       string

\t// Added by the Bespoke local stack: the find's sort and limit, for a backend that
\t// can apply them itself when it applies the whole filter (see sqlite's pushdown).
\tBespokeSort  *types.Document
\tBespokeLimit int64
}
""",
    ),
    (
        "internal/backends/sqlite/collection.go",
        """\tvar whereClause string
\tvar args []any

\t// that logic should exist in one place
\t// TODO https://github.com/FerretDB/FerretDB/issues/3235
\tif params.Filter.Len() == 1 {
\t\tv, _ := params.Filter.Get("_id")
\t\tswitch v.(type) {
\t\tcase string, types.ObjectID:
\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
\t\t}
\t}

\tq += whereClause
\tq += prepareOrderByClause(params.Sort)

\tif params.Limit != 0 {
\t\tq += ` LIMIT ?`
\t\targs = append(args, params.Limit)
\t}
""",
        """\t// Bespoke local stack: conditions on indexed fields are pushed down (bespoke_pushdown.go).
\twhereClause, args, exact := pushdownWhere(params.Filter, meta)
\tsorted := true

\tq += whereClause

\tswitch {
\tcase params.Sort.Len() > 0:
\t\tq += prepareOrderByClause(params.Sort)
\tcase params.BespokeSort.Len() > 0:
\t\tvar orderBy string
\t\torderBy, sorted = pushdownOrderBy(params.BespokeSort, meta)
\t\tq += orderBy
\t}

\tlimit := params.Limit
\tif limit == 0 && exact && sorted && params.BespokeLimit > 0 {
\t\tlimit = params.BespokeLimit
\t}

\tif limit != 0 {
\t\tq += ` LIMIT ?`
\t\targs = append(args, limit)
\t}
""",
    ),
    (
        "internal/handler/msg_find.go",
        """\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {
\t\tqp.Limit = params.Limit
\t}
""",
        """\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {
\t\tqp.Limit = params.Limit
\t}

\t// Bespoke local stack: the backend may apply the sort and limit itself when it
\t// applies the whole filter (indexed fields only; see sqlite's bespoke_pushdown.go).
\tif !h.DisablePushdown && params.Skip == 0 && params.Limit > 0 {
\t\tif params.Sort.Len() > 0 && qp.Sort.Len() == 0 {
\t\t\tqp.BespokeSort = params.Sort
\t\t}

\t\tqp.BespokeLimit = params.Limit
\t}
""",
    ),
    (
        # Leak tracking: every iterator records its creator's stack in a pprof profile and
        # gets a finalizer that panics when it is collected unclosed. A debugging aid that
        # costs 13% of a find's CPU (profiled); debug builds keep it.
        "internal/util/resource/resource.go",
        """func Track(obj any, token *Token) {
\tcheckArgs(obj, token)
""",
        """func Track(obj any, token *Token) {
\tif !debugbuild.Enabled {
\t\treturn // Bespoke local stack: see ferretdb_patch.py
\t}

\tcheckArgs(obj, token)
""",
    ),
    (
        "internal/util/resource/resource.go",
        """func Untrack(obj any, token *Token) {
\tcheckArgs(obj, token)
""",
        """func Untrack(obj any, token *Token) {
\tif !debugbuild.Enabled {
\t\treturn // Bespoke local stack: see ferretdb_patch.py
\t}

\tcheckArgs(obj, token)
""",
    ),
    (
        "internal/backends/sqlite/metadata/registry.go",
        """\t\t\tcolumns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))
""",
        """\t\t\tcolumns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))
\t\t\tif expr, ok := FieldExpr(key.Field); ok {
\t\t\t\tcolumns[i] = expr // Bespoke local stack: what pushed-down queries use
\t\t\t}
""",
    ),
]


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
    for relative, before, after in PUSHDOWN_EDITS:
        file = target / relative
        text = file.read_text()
        if text.count(before) != 1:
            raise PatchDoesNotApply(f"{relative}: code to replace not found; is it FerretDB v1.24?")
        file.write_text(text.replace(before, after))
    (target / "internal/backends/sqlite/metadata/bespoke_fields.go").write_text(FIELDS_FILE)
    (target / "internal/backends/sqlite/bespoke_pushdown.go").write_text(PUSHDOWN_FILE)
    return target


def _make_writable_and_retry(func: object, path: str, _: object) -> None:
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    if callable(func):
        func(path)
