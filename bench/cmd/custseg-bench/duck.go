package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // plain DuckDB: the peers use no custseg function

	"github.com/custseg/custseg/udf/kmeans"
)

// openDuck opens a DuckDB file with the plain driver (no custseg functions).
func openDuck(path string) (*sql.DB, error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// execScript runs the ;-separated statements of script (no ; inside
// literals in the scripts used here).
func execScript(db *sql.DB, script string) error {
	for _, stmt := range strings.Split(script, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			return fmt.Errorf("%w\nin: %s", err, stmt)
		}
	}
	return nil
}

// execSQL is the hidden subcommand `exec-sql --db FILE --file SCRIPT`: the
// plain-DuckDB peer run as its own process, so that its wall time (start-up,
// open, work, close) and max RSS compare with a custseg command's.
func execSQL(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("exec-sql", flag.ContinueOnError)
	dbPath := fs.String("db", "", "DuckDB `FILE`")
	file := fs.String("file", "", "SQL `SCRIPT` file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	script, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	t0 := time.Now()
	db, err := openDuck(*dbPath)
	if err != nil {
		return err
	}
	if err := execScript(db, string(script)); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "exec-sql: %s\n", time.Since(t0))
	return nil
}

// latestModel reads the newest stored version of model name from a
// custseg database.
func latestModel(dbPath, name string) (*kmeans.Model, error) {
	db, err := openDuck(dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var spec string
	if err := db.QueryRowContext(context.Background(),
		`SELECT spec FROM custseg_models WHERE name = ? ORDER BY version DESC LIMIT 1`, name).Scan(&spec); err != nil {
		return nil, fmt.Errorf("reading model %s from %s: %w", name, dbPath, err)
	}
	m, err := kmeans.ParseModel(spec)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	return m, nil
}

// scalarInt runs a query returning one integer.
func scalarInt(db *sql.DB, q string) (int64, error) {
	var v int64
	err := db.QueryRow(q).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	return v, nil
}
