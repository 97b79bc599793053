package sqltest_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/custseg/custseg/ext/sqlite" // mattn's driver with the custseg functions on every connection
	"github.com/custseg/custseg/internal/buildext"

	sqltest "github.com/custseg/custseg/sql/test"
)

func sqliteFiles() []sqltest.File { return append(sqltest.Portable(), sqltest.SQLiteOnly()...) }

// TestSQLFilesInProcess runs every file through database/sql and mattn's
// SQLite, whose connections get the functions from ext/sqlite's
// auto-extension.
func TestSQLFilesInProcess(t *testing.T) {
	for _, f := range sqliteFiles() {
		t.Run(f.Name, func(t *testing.T) {
			db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			for _, st := range sqltest.Statements(f.Text) {
				where := fmt.Sprintf("%s:%d", f.Name, st.Line)
				if !st.Query {
					if _, err := db.Exec(st.SQL); err != nil {
						t.Errorf("%s: %v\n%s", where, err, st.SQL)
					}
					continue
				}
				checkQuery(t, db, where, st.SQL)
			}
		})
	}
}

func checkQuery(t *testing.T, db *sql.DB, where, q string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, q)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		n++
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Errorf("%s: row %d: %v", where, n, err)
			return
		}
		if err := sqltest.CheckRow(cols, vals); err != nil {
			t.Errorf("%s: row %d: %v\n%s", where, n, err, q)
		}
	}
	if err := rows.Err(); err != nil {
		t.Errorf("%s: %v\n%s", where, err, q)
	} else if n == 0 {
		t.Errorf("%s: the query returned no rows (it checks nothing)\n%s", where, q)
	}
}

const shell = "/usr/bin/sqlite3"

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
	buildDir  string
)

// loadable builds custseg.so once per test binary, with the same function
// `custseg build-ext` uses.
func loadable(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "custseg-sqltest-")
		if buildErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		builtPath, buildErr = buildext.BuildSQLite(ctx, buildDir)
	})
	if buildErr != nil {
		t.Fatalf("BuildLoadable: %v", buildErr)
	}
	return builtPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// requireShell fails the test under CI=true when Debian's sqlite3 shell is
// missing (CI installs it), and skips it elsewhere, saying how to enable it.
func requireShell(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(shell); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: CI must install sqlite3 (.ci/run does)", shell)
		}
		t.Skipf("%s not installed: skipping; apt-get install sqlite3 enables it", shell)
	}
}

var nearLine = regexp.MustCompile(`near line (\d+): (.*)`)

// TestSQLFilesInShell runs every file in Debian's sqlite3 shell after
// `.load`ing the freshly built extension: the path an analyst uses.
func TestSQLFilesInShell(t *testing.T) {
	requireShell(t)
	so := loadable(t)
	for _, f := range sqliteFiles() {
		t.Run(f.Name, func(t *testing.T) { runInShell(t, so, f) })
	}
}

// runInShell feeds the shell a script: settings, .load, then each
// statement preceded by a marker line, so that output rows and "near line
// N" errors map back to the statement of the file.
func runInShell(t *testing.T, so string, f sqltest.File) {
	stmts := sqltest.Statements(f.Text)
	var script strings.Builder
	line := 0
	emit := func(s string) {
		script.WriteString(s)
		script.WriteByte('\n')
		line += strings.Count(s, "\n") + 1
	}
	emit(".bail off")
	emit(".headers off")
	emit(".mode quote")
	// .load with the path without its suffix, as the README tells analysts.
	emit(".load " + strings.TrimSuffix(so, filepath.Ext(so)))
	starts := make([]int, len(stmts)) // script line of each statement
	for i, st := range stmts {
		emit(".print @@stmt " + strconv.Itoa(i))
		starts[i] = line + 1
		// On its own line, so that a comment ending the statement does not hide it.
		emit(st.SQL + "\n;")
	}
	cmd := exec.Command(shell, filepath.Join(t.TempDir(), "t.db"))
	cmd.Stdin = strings.NewReader(script.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	stmtAt := func(scriptLine int) int {
		idx := -1
		for i, s := range starts {
			if s <= scriptLine {
				idx = i
			}
		}
		return idx
	}
	describe := func(i int) string {
		if i < 0 {
			return f.Name + " (before the first statement)"
		}
		return fmt.Sprintf("%s:%d\n%s", f.Name, stmts[i].Line, stmts[i].SQL)
	}
	failed := map[int]bool{} // statements the shell reported an error for
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if l == "" {
			continue
		}
		if m := nearLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			failed[stmtAt(n)] = true
			t.Errorf("sqlite3 shell: %s\nat %s", m[2], describe(stmtAt(n)))
			continue
		}
		t.Errorf("sqlite3 shell: %s", l)
	}
	if runErr != nil && stderr.Len() == 0 {
		t.Errorf("sqlite3 shell: %v", runErr)
	}

	rows := make([]int, len(stmts))
	cur := -1
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "@@stmt ") {
			cur, _ = strconv.Atoi(strings.TrimPrefix(l, "@@stmt "))
			continue
		}
		if l == "" || cur < 0 {
			continue
		}
		rows[cur]++
		if !stmts[cur].Query {
			t.Errorf("unexpected output %q from %s", l, describe(cur))
			continue
		}
		// Quote mode prints integer 1 as 1, so a passing row is "1,1,...".
		for j, v := range strings.Split(l, ",") {
			if v != "1" {
				t.Errorf("row %d, column %d is %s, not true: %q\nat %s", rows[cur], j+1, v, l, describe(cur))
				break
			}
		}
	}
	for i, st := range stmts {
		if st.Query && rows[i] == 0 && !failed[i] {
			t.Errorf("the query returned no rows (it checks nothing)\nat %s", describe(i))
		}
	}
}
