package duckdb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/buildext"

	custsql "github.com/custseg/custseg/sql"
	sqltest "github.com/custseg/custseg/sql/test"
	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/cluster"
)

// hostInstall is the one command that installs the host's npm packages
// (@duckdb/node-api and its libduckdb.so); the lock file lists every
// platform, so it leaves the work tree clean. Not `npm ci`: see .ci/run.
const hostInstall = "(cd ext/duckdb/testhost && npm install --no-audit --no-fund)"

// needHost skips, saying what and how to enable it, when the node host is
// not installed; under CI=true a missing host is a failure.
func needHost(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := os.Stat(filepath.Join("testhost", "node_modules", "@duckdb", "node-api")); err != nil {
		missing = "the npm DuckDB test host is not installed"
	} else if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true): run %s from the repository root", missing, hostInstall)
	}
	t.Skipf("skipped the stock-DuckDB host test: %s; enable it with %s from the repository root", missing, hostInstall)
}

type hostStatement struct {
	SQL   string `json:"sql"`
	Line  int    `json:"line"`
	Query bool   `json:"query"`

	wantErr string // checked on the Go side only
}

type hostFile struct {
	Name       string          `json:"name"`
	Statements []hostStatement `json:"statements"`
}

type hostOutput struct {
	Version string `json:"version"`
	Files   []struct {
		Name    string `json:"name"`
		Results []struct {
			Line    int      `json:"line"`
			Error   string   `json:"error"`
			Columns []string `json:"columns"`
			Rows    [][]any  `json:"rows"`
		} `json:"results"`
	} `json:"files"`
}

// runHost builds the extension and runs files in the node host.
func runHost(t *testing.T, files []hostFile) hostOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	ext, err := buildext.BuildDuckDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %s in %v", ext, time.Since(start))
	in, _ := json.Marshal(map[string]any{"extension": ext, "files": files})
	cmd := exec.CommandContext(ctx, "node", "host.mjs")
	cmd.Dir = "testhost"
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node host: %v\n%s", err, stderr.String())
	}
	var res hostOutput
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("host output: %v\n%s", err, out)
	}
	return res
}

// TestSQLFilesInHost loads the built extension into a stock DuckDB
// (libduckdb.so 1.5.6 from npm) and runs every portable sql/test file.
func TestSQLFilesInHost(t *testing.T) {
	needHost(t)
	var files []hostFile
	for _, f := range sqltest.Portable() {
		hf := hostFile{Name: f.Name}
		for _, st := range sqltest.Statements(f.Text) {
			hf.Statements = append(hf.Statements, hostStatement{SQL: st.SQL, Line: st.Line, Query: st.Query})
		}
		files = append(files, hf)
	}
	if len(files) == 0 {
		t.Fatal("no sql/test/*.sql files")
	}
	files = append(files, hostChecks(t))
	res := runHost(t, files)
	t.Logf("host DuckDB %s", res.Version)
	if len(res.Files) != len(files) {
		t.Fatalf("host ran %d files of %d", len(res.Files), len(files))
	}
	checkHost(t, files, res)
}

// checkHost applies the sql/test rules to the host's results: statements
// succeed, queries return rows whose every column is true; a statement with
// wantErr must fail with an error containing it.
func checkHost(t *testing.T, files []hostFile, res hostOutput) {
	t.Helper()
	for i, f := range res.Files {
		stmts := files[i].Statements
		if len(f.Results) != len(stmts) {
			t.Errorf("%s: %d results for %d statements", f.Name, len(f.Results), len(stmts))
		}
		for j, r := range f.Results {
			if j < len(stmts) && stmts[j].wantErr != "" {
				if !strings.Contains(r.Error, stmts[j].wantErr) {
					t.Errorf("%s:%d: error %q, want one containing %q", f.Name, r.Line, r.Error, stmts[j].wantErr)
				}
				continue
			}
			if r.Error != "" {
				t.Errorf("%s:%d: %s", f.Name, r.Line, r.Error)
				continue
			}
			if j >= len(stmts) || !stmts[j].Query {
				continue
			}
			if len(r.Rows) == 0 {
				t.Errorf("%s:%d: query returned no rows", f.Name, r.Line)
			}
			for k, row := range r.Rows {
				vals := make([]any, len(row))
				for c, v := range row {
					if x, ok := v.(float64); ok && x == 1 {
						v = int64(1)
					}
					vals[c] = v
				}
				if err := sqltest.CheckRow(r.Columns, vals); err != nil {
					t.Errorf("%s:%d: row %d: %v\n%s", f.Name, r.Line, k+1, err, stmts[j].SQL)
				}
			}
		}
	}
}

// hostChecks are extra statements for the stock host: errors carry the
// function name, and the registry is read through the extension's own
// connection (a table created after LOAD, a model inserted after a failed
// lookup).
func hostChecks(t *testing.T) hostFile {
	q := func(sql string) hostStatement { return hostStatement{SQL: sql, Query: true} }
	e := func(sql, want string) hostStatement { return hostStatement{SQL: sql, wantErr: want} }
	f := hostFile{Name: "host checks", Statements: []hostStatement{
		hostRegistered(),
		e(`SELECT rfm_segment(42)`, "rfm_segment: rfm_code 42"),
		e(`SELECT rfm_score('nosuch', 1, 2, 3)`, "rfm_score: unknown model"),
		q(`SELECT rfm_segment(NULL) IS NULL, rfm_score(NULL, 1, 2, 3) IS NULL`),
		e(`SELECT rfm_score('host_late', 12, 4, 800)`, "rfm_score: unknown model"),
		{SQL: custsqlSchemaModels},
		{SQL: `INSERT INTO custseg_models VALUES ('host_late', 1, 'rfm', now(), '` + rfmV1 + `', true, NULL)`},
		{SQL: `INSERT INTO custseg_models VALUES ('host_broken', 1, 'rfm', now(), '{"kind":"rfm"', true, NULL)`},
		// 444: see TestRegisterRfmScore.
		q(`SELECT rfm_score('host_late', 12, 4, 800) = 444, rfm_score('host_late@1', 12, 4, 800) = 444`),
		e(`SELECT rfm_score('host_broken', 12, 4, 800)`, `rfm_score: model "host_broken" is corrupt`),
		q(`SELECT sum(rfm_score('host_late', i % 200, i % 7, i % 1500)) > 0 FROM range(300000) t(i)`),
	}}
	// silhouette with GROUP BY on two threads, against udf/cluster's batch
	// call on the same points (read back from an in-process DuckDB).
	db := openDB(t)
	blobs(t, db, 20000, 20)
	want := batch(t, db, cluster.Silhouette)
	var vals []string
	for g, v := range want {
		vals = append(vals, fmt.Sprintf("(%d, %.17g)", g, v))
	}
	f.Statements = append(f.Statements,
		hostStatement{SQL: `SET threads = 2`},
		hostStatement{SQL: blobsSQL(20000, 20)},
		q(`SELECT count(*) = 20, bool_and(abs(s - e) < 1e-9) FROM
			(SELECT g, silhouette(label, x, y) AS s FROM pts GROUP BY g) JOIN (VALUES `+strings.Join(vals, ", ")+`) v(g, e) USING (g)`),
		q(`SELECT abs(silhouette('c' || label::VARCHAR, x, y) - silhouette(label, x, y)) < 1e-12 FROM pts`),
	)
	for i := range f.Statements {
		f.Statements[i].Line = i + 1
	}
	return f
}

// custsqlSchemaModels is the custseg_models DDL of sql/schema.sql.
var custsqlSchemaModels = func() string {
	for _, st := range custsql.Statements(custsql.Schema()) {
		if strings.Contains(st, "custseg_models") {
			return st
		}
	}
	panic("sql/schema.sql has no custseg_models")
}()

// hostRegistered checks in the host that every catalog function exists.
func hostRegistered() hostStatement {
	var names []string
	for _, f := range catalog.All() {
		names = append(names, "'"+f.Name+"'")
	}
	return hostStatement{Query: true, SQL: fmt.Sprintf(`SELECT count(DISTINCT function_name) = %d FROM duckdb_functions() WHERE function_name IN (%s)`,
		len(names), strings.Join(names, ", "))}
}
