package main

// FerretDB v1.24's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but filters
// it as `_ferretdb_sjson->'$._id'`. SQLite only uses an expression index for the same
// expression, so every `_id` lookup scans the whole collection (checked with EXPLAIN
// QUERY PLAN). This loop adds, to every collection table, an index on the expression the
// queries use. It only adds indexes; FerretDB's own metadata and data are untouched.
// Tables created by our patched build (_patch/, applied by `bespoke stack up`)
// already have their `_id` index on that expression and are left alone.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

func indexIDs(ctx context.Context, dataDir string, logger *slog.Logger) {
	ticker := time.NewTicker(2 * time.Second)
	defer ticker.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file, logger); err != nil {
				logger.Warn("cannot add _id index", "file", file, "error", err)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func indexFile(ctx context.Context, file string, logger *slog.Logger) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.tbl_name = t.name
			AND (i.name = t.name || '_bespoke_id' OR i.sql LIKE '%(_ferretdb_sjson->''$._id'')'))`)
	if err != nil {
		return err
	}

	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()

	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_bespoke_id", table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped meanwhile
			}
			return err
		}
		logger.Warn("added _id lookup index", "file", filepath.Base(file), "table", table)
	}
	return nil
}
