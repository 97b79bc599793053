package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
)

// The SQLite file written is exactly the file named, whatever URI syntax
// its name holds.
func TestSQLitePathIsAPath(t *testing.T) {
	for _, name := range []string{"data/sales#2024.db", "pct%41.db", "z.db?mode=memory&a="} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name)
			db, err := engine.Open(path, "sqlite")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`CREATE TABLE marker (x INTEGER)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			var files []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					files = append(files, rel)
				}
				return err
			})
			if len(files) != 1 || files[0] != name {
				t.Fatalf("files written: %q, want just %q", files, name)
			}
			// Opened again, it is the same database.
			db, err = engine.Open(path, "sqlite")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if ok, err := db.HasTable(context.Background(), "marker"); err != nil || !ok {
				t.Errorf("reopened %q: HasTable(marker) = %v, %v", name, ok, err)
			}
		})
	}
}

func TestDuckDBPathWithQuestionMark(t *testing.T) {
	_, err := engine.Open(filepath.Join(t.TempDir(), "z.duckdb?threads=1"), "duckdb")
	if !errors.Is(err, engine.ErrPath) {
		t.Fatalf("Open = %v, want ErrPath", err)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct{ path, override, want string }{
		{"x.duckdb", "", "duckdb"}, {"x.DDB", "", "duckdb"}, {"x.sqlite3", "", "sqlite"}, {"x.csv", "sqlite", "sqlite"}, {"x.db", " DuckDB ", "duckdb"},
	} {
		if k, err := engine.Detect(c.path, c.override); err != nil || string(k) != c.want {
			t.Errorf("Detect(%q, %q) = %q, %v; want %q", c.path, c.override, k, err, c.want)
		}
	}
	for _, c := range [][2]string{{"x.csv", ""}, {"x.db", "oracle"}} {
		if _, err := engine.Detect(c[0], c[1]); !errors.Is(err, engine.ErrUnknownEngine) || !strings.HasPrefix(err.Error(), "engine: ") {
			t.Errorf("Detect(%q, %q) = %v, want engine: ... ErrUnknownEngine", c[0], c[1], err)
		}
	}
}

// ExecScript runs on a database, a transaction and a connection, binds
// ?1 wherever a statement uses it, and names the statement that fails.
func TestExecScript(t *testing.T) {
	ctx := context.Background()
	const script = `-- a comment first
CREATE TABLE s AS SELECT CAST(?1 AS TEXT) AS a, length(?1) AS n;
INSERT INTO s SELECT 'two; with a semicolon', 0;
`
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			ref := "seg'x@1" // a quote: it must travel as a value, not as SQL
			if err := engine.ExecScript(ctx, db.DB, script, ref); err != nil {
				t.Fatal(err)
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := engine.ExecScript(ctx, tx, `INSERT INTO s VALUES (?1, 3)`, "tx"); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			err = engine.ExecScript(ctx, conn, "INSERT INTO s VALUES ('conn', 4);\n\nSELECT nope FROM s;\nDROP TABLE s;")
			if err == nil || !strings.HasPrefix(err.Error(), "engine: statement at line 3: ") || !strings.HasSuffix(err.Error(), "\nSELECT nope FROM s") {
				t.Fatalf("ExecScript error %v, want one naming line 3", err)
			}
			rows, err := db.QueryContext(ctx, `SELECT a || ':' || CAST(n AS TEXT) FROM s`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				got = append(got, s)
			}
			sort.Strings(got)
			want := []string{"conn:4", "seg'x@1:7", "two; with a semicolon:0", "tx:3"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("rows %q, want %q", got, want)
			}
			for name, want := range map[string]bool{"s": true, "S": true, "custseg_models": true, "nosuch": false} {
				if ok, err := db.HasTable(ctx, name); err != nil || ok != want {
					t.Errorf("HasTable(%s) = %v, %v; want %v", name, ok, err, want)
				}
			}
		})
	}
}
