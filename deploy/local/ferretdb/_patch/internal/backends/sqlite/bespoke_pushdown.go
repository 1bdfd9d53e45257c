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
// collection names (equality, $eq/$lt/$lte/$gt/$gte or $in with strings, numbers, dates
// or booleans; `_id` by equality or $in with strings or ObjectIDs, and compared with
// strings) become a WHERE clause on the same expressions the indexes are built on, so
// SQLite answers them from the index. The handler still applies the whole filter, sort
// and limit to what comes back, so a condition left out only costs time.
//
// The limit (and so the sort) is pushed down only when every condition of the filter
// was pushed down and the sort is on such fields: then SQLite's first rows are the
// right ones. That relies on two assumptions, which MongoDB does not make, and which
// the Bespoke services' data meets:
//   - an indexed field holds one scalar of one type in every document (no arrays, no
//     mixed types);
//   - `_id`, which FerretDB stores as its JSON text, holds strings that JSON writes as
//     they are and that sort after the quote: no quote, backslash, control character,
//     space or '!'. Then the JSON texts sort as the strings do (as a sort by `_id`,
//     pushed down by upstream FerretDB too, already assumes).

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

// idArg returns the SQL value an `_id` condition uses for v (FerretDB's JSON of a string
// or an ObjectID; false for any other type, which is left to FerretDB).
func idArg(v any) (any, bool) {
	switch v.(type) {
	case string, types.ObjectID:
		return string(must.NotFail(sjson.MarshalSingleValue(v))), true
	default:
		return nil, false
	}
}

// maxInList is the longest $in list pushed down, well within SQLite's parameter limit.
const maxInList = 1000

// inList returns the SQL values of the $in list of an operator document when every
// element converts with arg; false otherwise, for an empty list (which SQLite's IN
// cannot hold), or for one longer than maxInList.
func inList(v any, arg func(any) (any, bool)) ([]any, bool) {
	operators, ok := v.(*types.Document)
	if !ok || operators.Len() == 0 {
		return nil, false
	}

	listed, err := operators.Get("$in")
	if err != nil {
		return nil, false
	}

	array, ok := listed.(*types.Array)
	if !ok || array.Len() == 0 || array.Len() > maxInList {
		return nil, false
	}

	values := make([]any, 0, array.Len())

	for i := 0; i < array.Len(); i++ {
		value, ok := arg(must.NotFail(array.Get(i)))
		if !ok {
			return nil, false
		}

		values = append(values, value)
	}

	return values, true
}

// placeholders returns n SQL parameters, comma-separated.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// idBound returns the SQL value `_id` is compared with for v: strings only (the order
// of FerretDB's JSON texts is the strings' own; see the assumptions above).
func idBound(v any) (any, bool) {
	if _, ok := v.(string); !ok {
		return nil, false
	}

	return idArg(v)
}

// conditions returns the SQL conditions on expr of one field's value: equality with a
// scalar, or an operator document ($in, and the comparisons of pushedComparisons), each
// argument converted by inArg (for $in) or bound (the others); their arguments; and
// whether they hold the whole value.
func conditions(expr string, value any, inArg, bound func(any) (any, bool)) ([]string, []any, bool) {
	if arg, ok := bound(value); ok {
		return []string{expr + " = ?"}, []any{arg}, true
	}

	operators, ok := value.(*types.Document)
	if !ok || operators.Len() == 0 {
		return nil, nil, false
	}

	whole := true

	var conds []string
	var args []any

	for _, op := range operators.Keys() {
		if op == "$in" {
			list, listed := inList(operators, inArg)
			if !listed {
				whole = false
				continue
			}

			conds = append(conds, expr+" IN ("+placeholders(len(list))+")")
			args = append(args, list...)

			continue
		}

		sqlOp, known := pushedComparisons[op]
		arg, converted := bound(must.NotFail(operators.Get(op)))

		if !known || !converted {
			whole = false
			continue
		}

		conds = append(conds, expr+" "+sqlOp+" ?")
		args = append(args, arg)
	}

	return conds, args, whole
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

		var keyConds []string
		var keyArgs []any
		var whole bool

		if key == "_id" {
			if id, ok := idArg(value); ok { // a string or an ObjectID
				keyConds, keyArgs, whole = []string{metadata.IDColumn + " = ?"}, []any{id}, true
			} else {
				keyConds, keyArgs, whole = conditions(metadata.IDColumn, value, idArg, idBound)
			}
		} else if expr, ok := indexed[key]; ok {
			keyConds, keyArgs, whole = conditions(expr, value, scalarArg, scalarArg)
		}

		conds = append(conds, keyConds...)
		args = append(args, keyArgs...)
		exact = exact && whole
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

// pushedParts says which parts of a query went to SQLite.
type pushedParts struct {
	filter, sort, limit bool
}

// pushdownClauses returns what follows a query's SELECT: the WHERE clause of the filter's
// pushable conditions, the ORDER BY (the handler's own sort, or a find's sort on indexed
// fields) and the LIMIT (the handler's, or a find's when the whole filter and its sort
// went), with their arguments. Query and Explain both build their SQL with it, so an
// explain shows the plan a find gets.
func pushdownClauses(
	meta *metadata.Collection, filter, sort, findSort *types.Document, limit, findLimit int64,
) (string, []any, pushedParts) {
	where, args, exact := pushdownWhere(filter, meta)
	sorted := true

	var orderBy string

	switch {
	case sort.Len() > 0:
		orderBy = prepareOrderByClause(sort)
	case findSort.Len() > 0:
		orderBy, sorted = pushdownOrderBy(findSort, meta)
	}

	if limit == 0 && exact && sorted && findLimit > 0 {
		limit = findLimit
	}

	clauses := where + orderBy

	if limit != 0 {
		clauses += ` LIMIT ?`
		args = append(args, limit)
	}

	return clauses, args, pushedParts{filter: where != "", sort: orderBy != "", limit: limit != 0}
}
