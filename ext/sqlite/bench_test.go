package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/custseg/custseg/udf/rfm"
)

// benchRows is the size of the generated table the benchmarks scan:
// 200,000 by default, CUSTSEG_BENCH_ROWS=10000000 for the figure in
// docs/PERFORMANCE.md (the 10 million rows).
var benchRows = func() int {
	if n, err := strconv.Atoi(os.Getenv("CUSTSEG_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}()

// rfm_score_go: the same scoring through mattn's RegisterFunc (reflection
// per call), for comparison. The model is parsed once per reference.
var regFuncModels sync.Map

func rfmScoreGo(model string, r, f, m float64) (int64, error) {
	v, ok := regFuncModels.Load(model)
	if !ok {
		parsed, err := rfm.ParseModel(model)
		if err != nil {
			return 0, err
		}
		v, _ = regFuncModels.LoadOrStore(model, parsed)
	}
	return int64(v.(*rfm.Model).Code(r, f, m)), nil
}

func init() {
	sql.Register("sqlite3_regfunc", &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.RegisterFunc("rfm_score_go", rfmScoreGo, true)
		},
	})
}

// The rfmSpec cuts written as SQL: R = 5 - #cuts below r, F and M = 1 +
// #cuts below the value.
const plainRFM = `(CASE WHEN r > 120 THEN 1 WHEN r > 60 THEN 2 WHEN r > 30 THEN 3 WHEN r > 10 THEN 4 ELSE 5 END) * 100 +
	(CASE WHEN f > 5 THEN 5 WHEN f > 3 THEN 4 WHEN f > 2 THEN 3 WHEN f > 1 THEN 2 ELSE 1 END) * 10 +
	(CASE WHEN m > 1000 THEN 5 WHEN m > 500 THEN 4 WHEN m > 250 THEN 3 WHEN m > 100 THEN 2 ELSE 1 END)`

func benchDB(b *testing.B, driver string) *sql.DB {
	b.Helper()
	dir := b.TempDir()
	db, err := sql.Open(driver, "file:"+filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	stmts := []string{
		`CREATE TABLE custseg_models (name TEXT, version BIGINT, kind TEXT, created_at TIMESTAMP, spec TEXT, active BOOLEAN, note TEXT, PRIMARY KEY (name, version))`,
		`INSERT INTO custseg_models VALUES ('bench', 1, 'rfm', '2026-01-01', '` + rfmSpec + `', 1, NULL)`,
		`CREATE TABLE bench (r DOUBLE, f DOUBLE, m DOUBLE)`,
		fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %d)
			INSERT INTO bench SELECT (i * 37) %% 400, (i * 7) %% 13, ((i * 53) %% 2111) * 1.37 FROM s`, benchRows),
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			b.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

func benchSum(b *testing.B, db *sql.DB, q string) int64 {
	var sum int64
	if err := db.QueryRow(q).Scan(&sum); err != nil {
		b.Fatalf("%s: %v", q, err)
	}
	return sum
}

// BenchmarkRFMScore compares SELECT sum(score) over benchRows rows computed
// by custseg's rfm_score (C glue → one Go call per row), by the same rule
// as a plain SQL CASE expression, and by mattn's RegisterFunc. ns/row is
// the figure to read.
func BenchmarkRFMScore(b *testing.B) {
	db := benchDB(b, "sqlite3")
	regDB := benchDB(b, "sqlite3_regfunc")
	cases := []struct {
		name string
		db   *sql.DB
		q    string
	}{
		{"custseg", db, `SELECT sum(rfm_score('bench', r, f, m)) FROM bench`},
		{"custseg_inline_json", db, `SELECT sum(rfm_score('` + rfmSpec + `', r, f, m)) FROM bench`},
		{"plain_sql_case", db, `SELECT sum(` + plainRFM + `) FROM bench`},
		{"mattn_RegisterFunc", regDB, `SELECT sum(rfm_score_go('` + rfmSpec + `', r, f, m)) FROM bench`},
	}
	want := benchSum(b, db, cases[2].q)
	for _, c := range cases {
		if got := benchSum(b, c.db, c.q); got != want {
			b.Fatalf("%s: sum %d, plain SQL gives %d", c.name, got, want)
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				benchSum(b, c.db, c.q)
			}
			reportPerRow(b, cpuTime()-cpu0)
		})
	}
}

// BenchmarkRFMSegment measures a text result (rfm_segment copies its Go
// string into SQLite) on top of rfm_score: two custseg calls per row.
func BenchmarkRFMSegment(b *testing.B) {
	db := benchDB(b, "sqlite3")
	q := `SELECT sum(length(rfm_segment(rfm_score('bench', r, f, m)))) FROM bench`
	benchSum(b, db, q)
	cpu0 := cpuTime()
	for b.Loop() {
		benchSum(b, db, q)
	}
	reportPerRow(b, cpuTime()-cpu0)
}

// cpuTime is the process's user + system CPU time. On a machine shared
// with other work, CPU time per row is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportPerRow(b *testing.B, cpu time.Duration) {
	rows := float64(b.N) * float64(benchRows)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	b.ReportMetric(float64(cpu.Nanoseconds())/rows, "cpu-ns/row")
}
