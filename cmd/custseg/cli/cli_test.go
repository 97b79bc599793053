package cli_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/custseg/custseg/cmd/custseg/cli"
	"github.com/custseg/custseg/internal/engine"
)

// custseg runs the command line in-process and returns exit status, stdout
// and stderr.
func custseg(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Do(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// newDB creates an empty database at path, as load or run would: the
// other commands refuse a missing file.
func newDB(t *testing.T, path string) string {
	t.Helper()
	db, err := engine.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := custseg(t, "", args...)
	if code != 0 {
		t.Fatalf("custseg %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// TestRunPreparesPlainTables runs the main job on generated data on both
// engines, then reads the prepared tables the way a BI tool would: the
// stock sqlite3 shell with no extension loaded, and a DuckDB connection
// on which no custseg function is registered.
func TestRunPreparesPlainTables(t *testing.T) {
	for _, file := range []string{"shop.duckdb", "shop.db"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			dbPath := filepath.Join(dir, file)
			out := mustRun(t, "run", "--db", dbPath, "--demo-customers", "400", "--k-max", "5")
			for _, want := range []string{"RFM segments", "chosen: k =", "score: wrote customer_segments", "done in"} {
				if !strings.Contains(out, want) {
					t.Errorf("run output lacks %q:\n%s", want, out)
				}
			}
			// The report lands next to the database, every referenced file present.
			index := filepath.Join(dir, file+".report", "index.html")
			if !strings.Contains(out, "report: "+index) {
				t.Errorf("run did not print the report path %s:\n%s", index, out)
			}
			html, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			refs := regexp.MustCompile(`(?:src|href)="([^"#:]+)"`).FindAllStringSubmatch(string(html), -1)
			if len(refs) < 7 {
				t.Errorf("index.html references only %d files", len(refs))
			}
			for _, r := range refs {
				if st, err := os.Stat(filepath.Join(filepath.Dir(index), r[1])); err != nil || st.Size() == 0 {
					t.Errorf("index.html references %s: %v", r[1], err)
				}
			}
			// Running again loads nothing twice.
			out = mustRun(t, "run", "--db", dbPath, "--demo-customers", "400", "--k-max", "5")
			if !strings.Contains(out, "already in the database") {
				t.Errorf("second run did not skip the loaded file:\n%s", out)
			}
			// ... and adds no model version: the data and options are unchanged.
			for _, want := range []string{"rfm: unchanged (rfm@1 is current)", "train: unchanged (segments@1 is current)"} {
				if !strings.Contains(out, want) {
					t.Errorf("second run output lacks %q:\n%s", want, out)
				}
			}
			if got := mustRun(t, "sql", "--db", dbPath, "--format", "csv", "SELECT count(*) AS n FROM custseg_models"); got != "n\n2\n" {
				t.Errorf("after two runs on unchanged data custseg_models holds %q, want 2 versions", got)
			}
			const check = `SELECT (SELECT count(*) FROM customer_segments) = (SELECT count(*) FROM customer_features),
			        (SELECT sum(customers) FROM segment_profiles) = (SELECT count(*) FROM customer_segments),
			        (SELECT count(*) FROM customer_segments WHERE segment IS NULL OR segment_name IS NULL OR rfm_segment IS NULL) = 0,
			        (SELECT count(*) FROM customer_rfm_sql) = (SELECT count(*) FROM customer_rfm)`
			if file == "shop.db" {
				sqlite3, err := exec.LookPath("sqlite3")
				if err != nil {
					if os.Getenv("CI") != "" {
						t.Fatal("the sqlite3 shell is not installed")
					}
					t.Skip("sqlite3 shell not installed")
				}
				got, err := exec.Command(sqlite3, "-bail", dbPath, check+";").CombinedOutput()
				if err != nil || strings.TrimSpace(string(got)) != "1|1|1|1" {
					t.Fatalf("stock sqlite3 reading the prepared file: %v\n%s", err, got)
				}
				// Without the extension, the functions really are absent.
				got, err = exec.Command(sqlite3, dbPath, "SELECT rfm_segment(555);").CombinedOutput()
				if err == nil || !strings.Contains(string(got), "no such function") {
					t.Fatalf("stock sqlite3 had rfm_segment without the extension: %s", got)
				}
				return
			}
			plain, err := sql.Open("duckdb", dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			var a, b, c, d bool
			if err := plain.QueryRow(check).Scan(&a, &b, &c, &d); err != nil || !(a && b && c && d) {
				t.Fatalf("plain DuckDB reading the prepared file: %v %v %v %v %v", err, a, b, c, d)
			}
			if _, err := plain.Exec(`SELECT rfm_segment(555)`); err == nil {
				t.Fatal("a plain DuckDB connection had rfm_segment")
			}
		})
	}
}

// TestModelsCommands trains two versions and walks activate, rollback,
// show, rename and delete through the CLI, checking that the prepared
// table follows the active version.
func TestModelsCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.duckdb")
	mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "3")
	mustRun(t, "train", "--db", db, "--model", "segments", "--k", "4")
	segments := func() string {
		return mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT count(DISTINCT segment) AS k, min(model) AS model FROM customer_segments")
	}
	if got := segments(); !strings.Contains(got, "4,segments@2") {
		t.Fatalf("after training k=4: %s", got)
	}
	out := mustRun(t, "models", "rollback", "--db", db, "segments")
	if !strings.Contains(out, "segments@1 is now active") {
		t.Fatalf("rollback: %s", out)
	}
	if got := segments(); !strings.Contains(got, "3,segments@1") {
		t.Fatalf("after rollback: %s", got)
	}
	mustRun(t, "models", "activate", "--db", db, "segments@2")
	if got := segments(); !strings.Contains(got, "4,segments@2") {
		t.Fatalf("after activate: %s", got)
	}
	out = mustRun(t, "models", "list", "--db", db)
	for _, want := range []string{"rfm", "segments", "kmeans"} {
		if !strings.Contains(out, want) {
			t.Errorf("models list lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, "models", "show", "--db", db, "segments@2")
	for _, want := range []string{"centroids (original units)", "recency_days", "silhouette", "(exact)", "name from"} {
		if !strings.Contains(out, want) {
			t.Errorf("models show lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, "models", "rename", "--db", db, "segments", "0", "Our Best")
	if got := mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) FROM customer_segments WHERE segment = 0 AND segment_name = 'Our Best'"); strings.Contains(got, "\n0\n") {
		t.Fatalf("rename did not reach customer_segments: %s", got)
	}
	// The model says the name is the user's now.
	if out := mustRun(t, "models", "show", "--db", db, "segments"); !regexp.MustCompile(`(?m)^\s*0\s*\|\s*Our Best\s*\|\s*user\s*\|`).MatchString(out) {
		t.Errorf("models show after rename does not mark segment 0's name as the user's:\n%s", out)
	}
	if code, _, errOut := custseg(t, "", "models", "delete", "--db", db, "segments@2"); code == 0 || !strings.Contains(errOut, "active") {
		t.Fatalf("deleting the active version: exit %d %s", code, errOut)
	}
	mustRun(t, "models", "delete", "--db", db, "segments@1")
	if code, _, errOut := custseg(t, "", "models", "rollback", "--db", db, "segments"); code == 0 || !strings.Contains(errOut, "oldest") {
		t.Fatalf("rollback past the oldest: exit %d %s", code, errOut)
	}
}

// TestSQLFormatsAndErrors checks custseg sql on both engines: the same
// function results, JSON output, and a failing statement's exit status.
func TestSQLFormatsAndErrors(t *testing.T) {
	results := map[string]string{}
	for _, file := range []string{"q.duckdb", "q.db"} {
		db := newDB(t, filepath.Join(t.TempDir(), file))
		q := `SELECT rfm_segment(555) AS a, rfm_segment(111) AS b, rfm_score('{"kind":"rfm","recency_cuts":[10,20,30,40],"frequency_cuts":[1,2,3,4],"monetary_cuts":[10,20,30,40]}', 5, 5, 50) AS c`
		out := mustRun(t, "sql", "--db", db, "--format", "json", q)
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("%s: json output: %v\n%s", file, err, out)
		}
		if len(rows) != 1 || rows[0]["a"] != "Champions" || rows[0]["b"] != "Lost" || rows[0]["c"] != float64(555) {
			t.Fatalf("%s: %v", file, rows)
		}
		results[file] = out
		code, _, errOut := custseg(t, "", "sql", "--db", db, "SELECT rfm_segment(606)")
		if code == 0 || !strings.Contains(errOut, "rfm_segment:") {
			t.Fatalf("%s: bad code: exit %d, stderr %q", file, code, errOut)
		}
	}
	if results["q.duckdb"] != results["q.db"] {
		t.Fatalf("engines differ:\n%s\n%s", results["q.duckdb"], results["q.db"])
	}
}

// TestUsageErrors: clear messages and non-zero exits, nothing half-written.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"empty.db", "t.db"} {
		newDB(t, filepath.Join(dir, f))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"features"}, "--db FILE is required"},
		{[]string{"features", "--db", filepath.Join(dir, "x.csv")}, "cannot tell the engine"},
		{[]string{"features", "--db", filepath.Join(dir, "x.db"), "--engine", "oracle"}, "unknown engine"},
		{[]string{"features", "--db", filepath.Join(dir, "empty.db")}, "no customer"},
		{[]string{"features", "--db", filepath.Join(dir, "e.db"), "--as-of", "yesterday"}, "--as-of"},
		{[]string{"train", "--db", filepath.Join(dir, "t.db"), "--k", "many"}, "--k"},
		{[]string{"train", "--db", filepath.Join(dir, "t.db"), "--k", "3"}, "customer_features"},
		{[]string{"score", "--db", filepath.Join(dir, "t.db"), "--model", "nope"}, "nope"},
		{[]string{"generate"}, "--out"},
		{[]string{"load", "--db", filepath.Join(dir, "l.db"), filepath.Join(dir, "missing.csv")}, "missing.csv"},
	} {
		code, _, errOut := custseg(t, "", c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("custseg %s: exit %d, stderr %q; want non-zero and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

// TestRulesCheck: a shadowed custom rule set is refused, naming the rule.
func TestRulesCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"segment":"Active","r":[3,5]},{"segment":"VIP","r":[4,5],"f":[5,5]}]`), 0o644)
	code, _, errOut := custseg(t, "", "rfm", "rules", "--check", bad)
	if code == 0 || !strings.Contains(errOut, "VIP") || !strings.Contains(errOut, "Active") {
		t.Fatalf("shadowed rules: exit %d, %q", code, errOut)
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`[{"segment":"VIP","r":[4,5],"f":[5,5]},{"segment":"Active","r":[3,5]}]`), 0o644)
	out := mustRun(t, "rfm", "rules", "--check", good)
	if !strings.Contains(out, "555") || !strings.Contains(out, "VIP") || !strings.Contains(out, "Others") {
		t.Fatalf("rules table:\n%s", out)
	}
	if n := strings.Count(out, "\n"); n < 125 {
		t.Fatalf("rules --check listed %d lines, want all 125 codes", n)
	}
}

// TestDriftExitStatus: stable right after training (exit 0); a shifted
// population crosses the threshold and exits 3 for schedulers.
func TestDriftExitStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "3")
	out := mustRun(t, "drift", "--db", db, "--model", "segments")
	if !strings.Contains(out, "verdict: stable") {
		t.Fatalf("drift right after training:\n%s", out)
	}
	mustRun(t, "sql", "--db", db, "UPDATE customer_features SET recency_days = recency_days + 200")
	code, out, errOut := custseg(t, "", "drift", "--db", db, "--model", "segments")
	if code != 3 || !strings.Contains(out, "verdict: retrain") || !strings.Contains(errOut, "re-training advised") {
		t.Fatalf("shifted recency: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := custseg(t, "", "drift", "--db", db, "--model", "segments", "--threshold", "100"); code != 0 {
		t.Fatalf("with threshold 100 the exit status is %d, want 0", code)
	}
}

// TestSQLDotCommandArgument: a dot-command given as the query argument runs
// as one (no ';' appended).
func TestSQLDotCommandArgument(t *testing.T) {
	db := newDB(t, filepath.Join(t.TempDir(), "dot.db"))
	out := mustRun(t, "sql", "--db", db, ".tables")
	if !strings.Contains(out, "custseg_models") || !strings.Contains(out, "transactions") {
		t.Fatalf(".tables printed:\n%s", out)
	}
}

// TestFeaturesRescoresSegments: after features recomputes the customers
// (here as of an earlier date), customer_segments follows them.
func TestFeaturesRescoresSegments(t *testing.T) {
	db := filepath.Join(t.TempDir(), "f.duckdb")
	mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "3")
	out := mustRun(t, "features", "--db", db, "--as-of", "2011-06-01")
	if !strings.Contains(out, "customer_segments and segment_profiles rewritten with segments@1") {
		t.Fatalf("features did not re-score:\n%s", out)
	}
	got := mustRun(t, "sql", "--db", db, "--format", "csv",
		"SELECT (SELECT count(*) FROM customer_segments) = (SELECT count(*) FROM customer_features) AS same, (SELECT max(last_purchase) FROM customer_segments s JOIN customer_features f USING (customer_id)) < '2011-06-01' AS before")
	if !strings.Contains(got, "true,true") {
		t.Fatalf("customer_segments does not follow the features:\n%s", got)
	}
}

// TestTrainFromOtherTable: a model trained on rows that are not the
// customers is stored and the command succeeds, saying it did not score;
// prepared segments of another model are left as they were.
func TestTrainFromOtherTable(t *testing.T) {
	const pts = `CREATE TABLE pts AS
		WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60)
		SELECT (i % 3) * 10.0 + i * 0.01 AS x, (i % 3) * 5.0 - i * 0.01 AS y, i * 0.001 AS z FROM s`
	train := []string{"train", "--model", "pts", "--from", "pts", "--features", "x,y,z", "--transform", "none", "--scale", "none", "--k", "3"}
	for _, file := range []string{"p.duckdb", "p.db"} {
		t.Run(file, func(t *testing.T) {
			db := newDB(t, filepath.Join(t.TempDir(), file))
			mustRun(t, "sql", "--db", db, pts)
			out := mustRun(t, append(train, "--db", db)...)
			for _, want := range []string{"train: pts@1 (active): k=3 on 60 rows", "score: skipped (trained from pts, not customer_features)"} {
				if !strings.Contains(out, want) {
					t.Errorf("train output lacks %q:\n%s", want, out)
				}
			}
			if got := mustRun(t, "models", "list", "--db", db, "pts"); !strings.Contains(got, "kmeans") {
				t.Errorf("pts not stored:\n%s", got)
			}
			if code, _, errOut := custseg(t, "", "sql", "--db", db, "SELECT count(*) FROM customer_segments"); code == 0 {
				t.Errorf("customer_segments exists after training from pts (%s)", errOut)
			}
		})
	}
	// With prepared segments of another model, training from pts keeps them.
	db := filepath.Join(t.TempDir(), "both.db")
	mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "3")
	mustRun(t, "sql", "--db", db, pts)
	mustRun(t, append(train, "--db", db)...)
	if got := mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT min(model) AS m FROM customer_segments"); !strings.Contains(got, "segments@1") {
		t.Fatalf("customer_segments after training from pts: %s", got)
	}
	// activate of pts follows nothing either.
	if out := mustRun(t, "models", "activate", "--db", db, "pts@1"); strings.Contains(out, "score:") {
		t.Fatalf("activating pts@1 re-scored: %s", out)
	}
}

// TestErrorsNameFlags: errors about what a user typed name the flag.
func TestErrorsNameFlags(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "tx.csv")
	mustRun(t, "generate", "--customers", "20", "--out", csv)
	db := filepath.Join(dir, "l.db")
	mustRun(t, "load", "--db", db, csv)
	code, _, errOut := custseg(t, "", "load", "--db", db, csv)
	if code == 0 || !strings.Contains(errOut, "--replace loads it again") || strings.Contains(errOut, "Replace to") {
		t.Fatalf("second load: exit %d, %q", code, errOut)
	}
	if out := mustRun(t, "load", "--db", db, "--replace", csv); !strings.Contains(out, "replacing") {
		t.Fatalf("load --replace: %s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--db", db, "--k", "1"}, `"--k" flag: give a whole number of segments of at least 2, or auto`},
		{[]string{"train", "--db", db, "--transform", "sqrt"}, `--transform "sqrt": use log1p or none`},
		{[]string{"drift", "backtest", "--db", db, "--start", "2011-01-01", "--k", "0"}, `"--k" flag`},
		{[]string{"run", "--db", db, "--scale", "minmax"}, `--scale "minmax": use standard, robust or none`},
		{[]string{"run", "--db", db, "--demo-customers", "0"}, `--demo-customers must be positive, got 0`},
	} {
		code, _, errOut := custseg(t, "", c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("custseg %s: exit %d, stderr %q; want %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

// TestReadOnlyCommandsRefuseMissingDB: a mistyped --db is an error naming
// the file for every command that only reads, and creates nothing; load
// and run create the database.
func TestReadOnlyCommandsRefuseMissingDB(t *testing.T) {
	dir := t.TempDir()
	for _, file := range []string{"typo.duckdb", "typo.db"} {
		db := filepath.Join(dir, file)
		for _, args := range [][]string{
			{"sql", "SELECT 1"},
			{"shell"},
			{"features"},
			{"train", "--k", "3"},
			{"score"},
			{"report"},
			{"drift"},
			{"drift", "backtest", "--start", "2011-01-01"},
			{"models", "list"},
			{"models", "show", "segments"},
			{"models", "rollback", "segments"},
			{"models", "rename", "segments", "0", "X"},
		} {
			code, _, errOut := custseg(t, "", append(args, "--db", db)...)
			want := "no database at " + db + " (custseg load or custseg run creates one)"
			if code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("custseg %s --db %s: exit %d, stderr %q; want %q", strings.Join(args, " "), file, code, errOut, want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Fatalf("custseg %s created %s", strings.Join(args, " "), db)
			}
		}
	}
	csv := filepath.Join(dir, "tx.csv")
	mustRun(t, "generate", "--customers", "20", "--out", csv)
	db := filepath.Join(dir, "new.db")
	mustRun(t, "load", "--db", db, csv)
	if out := mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) > 0 AS loaded FROM transactions"); !strings.Contains(out, "true") && !strings.Contains(out, "1") {
		t.Fatalf("load did not create %s: %s", db, out)
	}
}

// TestDerivedFilesPerDatabase: r2.duckdb and r2.db in one folder each get
// their own demo data and report, named after the whole file name.
func TestDerivedFilesPerDatabase(t *testing.T) {
	dir := t.TempDir()
	for _, file := range []string{"r2.duckdb", "r2.db"} {
		out := mustRun(t, "run", "--db", filepath.Join(dir, file), "--demo-customers", "150", "--k", "3")
		index := filepath.Join(dir, file+".report", "index.html")
		demo := filepath.Join(dir, file+".demo.csv.gz")
		if !strings.Contains(out, "report: "+index) || !strings.Contains(out, "wrote demo data "+demo) {
			t.Fatalf("run --db %s did not write its own files:\n%s", file, out)
		}
	}
	for _, f := range []string{"r2.duckdb.report/index.html", "r2.db.report/index.html", "r2.duckdb.demo.csv.gz", "r2.db.demo.csv.gz", "r2.duckdb.demo.json", "r2.db.demo.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r2.report")); err == nil {
		t.Error("r2.report was written")
	}
}

// TestDemoDataFollowsItsParameters: other --demo-customers regenerate the
// demo data for a new database and are refused for one that holds the old.
func TestDemoDataFollowsItsParameters(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	demo := db + ".demo.csv.gz"
	customers := func() string {
		return mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM customer_features")
	}
	mustRun(t, "run", "--db", db, "--demo-customers", "150", "--k", "3")
	small := customers()
	if out := mustRun(t, "run", "--db", db, "--demo-customers", "150", "--k", "3"); !strings.Contains(out, "using existing demo data "+demo+" (150 customers, data seed 1)") {
		t.Fatalf("same parameters did not reuse the demo data:\n%s", out)
	}
	code, _, errOut := custseg(t, "", "run", "--db", db, "--demo-customers", "300", "--k", "3")
	if code == 0 || !strings.Contains(errOut, "150 customers, data seed 1") || !strings.Contains(errOut, "--demo-customers 300 --data-seed 1 needs a new --db") {
		t.Fatalf("other parameters on a loaded database: exit %d, %q", code, errOut)
	}
	if got := customers(); got != small {
		t.Fatalf("the refused run changed customer_features: %s, was %s", got, small)
	}
	// A new database next to the old demo file gets data for 300 customers.
	for _, f := range []string{db, db + "-journal", db + "-wal"} {
		os.Remove(f)
	}
	out := mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "3")
	if !strings.Contains(out, "wrote demo data "+demo+" for 300 customers, data seed 1") {
		t.Fatalf("other parameters did not regenerate the demo data:\n%s", out)
	}
	var nSmall, nBig int
	fmt.Sscanf(strings.TrimPrefix(small, "n\n"), "%d", &nSmall)
	fmt.Sscanf(strings.TrimPrefix(customers(), "n\n"), "%d", &nBig)
	if nSmall < 100 || nBig <= 150 || nBig > 300 {
		t.Fatalf("customers: %d for 150, %d for 300", nSmall, nBig)
	}
}

// TestPreparedTablesFollowOneModel: training another model on the
// customers leaves the prepared tables and the report with the model run
// trained; training, rolling back or scoring the followed model moves both.
func TestPreparedTablesFollowOneModel(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	index := filepath.Join(dir, "f.db.report", "index.html")
	follows := func(want string) {
		t.Helper()
		got := mustRun(t, "sql", "--db", db, "--format", "csv",
			"SELECT (SELECT min(model) FROM customer_segments) || ' ' || (SELECT min(model) FROM segment_profiles) AS m")
		if got != "m\n"+want+" "+want+"\n" {
			t.Fatalf("prepared tables follow %q, want %s", got, want)
		}
		html, err := os.ReadFile(index)
		if err != nil || !strings.Contains(string(html), want) {
			t.Fatalf("the report does not show %s (%v)", want, err)
		}
	}
	mustRun(t, "run", "--db", db, "--demo-customers", "150", "--k", "3")
	follows("segments@1")
	out := mustRun(t, "train", "--db", db, "--model", "repeaters", "--k", "4")
	if !strings.Contains(out, "score: skipped; customer_segments and segment_profiles follow segments@1 (custseg score --model repeaters moves them to this model)") {
		t.Fatalf("train of another model:\n%s", out)
	}
	follows("segments@1")
	out = mustRun(t, "train", "--db", db, "--model", "segments", "--k", "4")
	if !strings.Contains(out, "score: wrote customer_segments and segment_profiles with segments@2") || !strings.Contains(out, "report: "+index) {
		t.Fatalf("train of the followed model did not move the tables and the report:\n%s", out)
	}
	follows("segments@2")
	if out := mustRun(t, "models", "rollback", "--db", db, "segments"); !strings.Contains(out, "report: "+index) {
		t.Fatalf("rollback did not redraw the report:\n%s", out)
	}
	follows("segments@1")
	mustRun(t, "score", "--db", db, "--model", "repeaters")
	follows("repeaters@1")
	// Now training repeaters moves them, and segments does not.
	mustRun(t, "train", "--db", db, "--model", "segments", "--k", "5")
	follows("repeaters@1")
}

// TestPreparedTablesSameTextOnBothEngines: the same data gives the same
// prepared tables, value for value as text, on DuckDB and SQLite, with
// money in cents and shares to 4 decimals.
func TestPreparedTablesSameTextOnBothEngines(t *testing.T) {
	dir := t.TempDir()
	tables := map[string]string{}
	for _, file := range []string{"same.duckdb", "same.db"} {
		db := filepath.Join(dir, file)
		mustRun(t, "run", "--db", db, "--demo-customers", "300", "--k", "4")
		for _, q := range []string{
			"SELECT * FROM segment_profiles ORDER BY segment",
			"SELECT * FROM customer_segments ORDER BY customer_id",
			"SELECT * FROM customer_rfm ORDER BY customer_id",
		} {
			tables[file] += mustRun(t, "sql", "--db", db, "--format", "csv", q)
		}
		profiles := mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT share, revenue, revenue_share, mean_monetary, median_monetary, mean_frequency FROM segment_profiles")
		decimals := []int{4, 2, 4, 2, 2, 4}
		for _, line := range strings.Split(strings.TrimSpace(profiles), "\n")[1:] {
			for i, v := range strings.Split(line, ",") {
				if _, frac, ok := strings.Cut(v, "."); ok && len(frac) > decimals[i] {
					t.Errorf("%s: segment_profiles value %s has more than %d decimals", file, v, decimals[i])
				}
			}
		}
	}
	if tables["same.duckdb"] != tables["same.db"] {
		a, b := strings.Split(tables["same.duckdb"], "\n"), strings.Split(tables["same.db"], "\n")
		for i := range a {
			if i < len(b) && a[i] != b[i] {
				t.Fatalf("the engines' prepared tables differ, first at line %d:\nDuckDB %s\nSQLite %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("the engines' prepared tables differ in length: %d and %d lines", len(a), len(b))
	}
}
