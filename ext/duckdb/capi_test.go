package duckdb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCapiHeaderMatchesDuckDB compiles the prototypes of capi.h after the
// real duckdb.h of the duckdb-go-bindings module in use: a C compiler
// rejects any prototype that does not match ("conflicting types"), so a
// duckdb-go upgrade that changes a signature fails here, not at run time.
func TestCapiHeaderMatchesDuckDB(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/duckdb/duckdb-go-bindings").Output()
	if err != nil {
		t.Fatalf("locating duckdb-go-bindings: %v", err)
	}
	inc := filepath.Join(strings.TrimSpace(string(out)), "include")
	capi, err := os.ReadFile("capi.h")
	if err != nil {
		t.Fatal(err)
	}
	text := string(capi)
	start := strings.Index(text, "/* logical types */")
	end := strings.LastIndex(text, "#endif")
	if start < 0 || end < start {
		t.Fatal("capi.h: prototype section not found")
	}
	src := filepath.Join(t.TempDir(), "check.c")
	if err := os.WriteFile(src, []byte("#include \"duckdb.h\"\n"+text[start:end]), 0o644); err != nil {
		t.Fatal(err)
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	cmd := exec.Command(cc, "-Wall", "-Werror", "-fsyntax-only", "-I", inc, src)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("capi.h disagrees with %s/duckdb.h: %v\n%s", inc, err, msg)
	}
}
