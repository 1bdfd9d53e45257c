// Added by the Bespoke local stack (deploy/local/ferretdb/_patch).

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
// collection names (equality, or $eq/$lt/$lte/$gt/$gte with a string, number, date or
// boolean)
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
	case bool:
		// SQLite's ->> gives a JSON boolean as the integer 1 or 0.
		if v {
			return int64(1), true
		}

		return int64(0), true
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
