// Added by the Bespoke local stack (deploy/local/ferretdb/_patch).

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
