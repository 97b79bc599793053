package udf_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/custseg/custseg"

// forbidden are import paths (or prefixes ending in "/") that would tie the
// math to a database engine or to cgo.
var forbidden = []string{"C", "runtime/cgo", "database/sql", "github.com/duckdb/", "github.com/mattn/", "github.com/ncruces/"}

func isForbidden(path string) bool {
	for _, f := range forbidden {
		if path == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(path, f)) || strings.Contains(path, "ncruces") {
			return true
		}
	}
	return false
}

// testFixtures are pure-Go test helpers outside udf/ that udf tests may
// use (they read the real data files; the check below still applies to
// their own dependencies).
var testFixtures = []string{module + "/internal/retailfixture"}

// allowed: the standard library, gonum, the project's own udf packages and
// the test fixtures.
func allowed(p listedPackage) bool {
	path := p.ImportPath
	if i := strings.IndexByte(path, ' '); i >= 0 { // "pkg [pkg.test]" test variants
		path = path[:i]
	}
	path = strings.TrimSuffix(strings.TrimSuffix(path, ".test"), "_test") // test mains, external test packages
	return p.Standard ||
		path == "gonum.org/v1/gonum" || strings.HasPrefix(path, "gonum.org/v1/gonum/") ||
		path == module+"/udf" || strings.HasPrefix(path, module+"/udf/") ||
		slices.Contains(testFixtures, path)
}

type listedPackage struct {
	ImportPath   string
	Standard     bool
	DepOnly      bool
	CgoFiles     []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Incomplete   bool
	Error        *struct{ Err string }
}

// TestUdfImportsNoDriverNorCgo lists every package under udf/ with all its
// dependencies (tests included) and fails if any of them is outside the
// standard library, gonum and udf/, imports a database driver or
// database/sql, or uses cgo.
func TestUdfImportsNoDriverNorCgo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	cmd := exec.Command("go", "list", "-deps", "-test", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	own := 0
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Error != nil {
			t.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		if !p.DepOnly {
			own++
		}
		if !allowed(p) {
			t.Errorf("%s is a dependency of udf/: only the standard library, gonum and udf packages are allowed", p.ImportPath)
		}
		if isForbidden(strings.Fields(p.ImportPath)[0]) {
			t.Errorf("%s is a dependency of udf/ (database drivers and cgo are not allowed there)", p.ImportPath)
		}
		if len(p.CgoFiles) > 0 && !p.Standard {
			t.Errorf("%s uses cgo (%v)", p.ImportPath, p.CgoFiles)
		}
		if p.DepOnly {
			continue // its own imports are in the dependency list already
		}
		for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range list {
				if isForbidden(imp) {
					t.Errorf("%s imports %s (database drivers and cgo are not allowed under udf/)", p.ImportPath, imp)
				}
			}
		}
	}
	if own == 0 {
		t.Fatal("go list found no udf packages")
	}
	t.Logf("%d udf packages (with test variants) checked", own)
}

// The checker itself: the patterns it must reject and accept.
func TestImportRules(t *testing.T) {
	for _, c := range []struct {
		path string
		bad  bool
	}{
		{"C", true}, {"runtime/cgo", true}, {"database/sql", true}, {"database/sql/driver", false},
		{"github.com/duckdb/duckdb-go/v2", true}, {"github.com/mattn/go-sqlite3", true},
		{"github.com/ncruces/go-sqlite3", true}, {"math", false}, {"gonum.org/v1/gonum/mat", false},
	} {
		if got := isForbidden(c.path); got != c.bad {
			t.Errorf("isForbidden(%q) = %v, want %v", c.path, got, c.bad)
		}
	}
	if allowed(listedPackage{ImportPath: "github.com/spf13/cobra"}) || !allowed(listedPackage{ImportPath: module + "/udf/rfm [" + module + "/udf/rfm.test]"}) ||
		!allowed(listedPackage{ImportPath: module + "/udf.test"}) || allowed(listedPackage{ImportPath: module + "/internal/engine"}) {
		t.Error("allowed() misclassifies")
	}
}
