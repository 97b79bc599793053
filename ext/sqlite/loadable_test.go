package sqlite_test

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/buildext"
)

// TestLoadableExtension builds custseg.so with BuildLoadable, checks that
// it carries no SQLite of its own (no defined sqlite3_* symbol but the
// entry point), and loads it in Debian's sqlite3 shell.
func TestLoadableExtension(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	so, err := buildext.BuildSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(so)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.DynamicSymbols()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	entry := false
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF || !strings.HasPrefix(s.Name, "sqlite3") {
			continue
		}
		if s.Name == "sqlite3_custseg_init" {
			entry = true
			continue
		}
		t.Errorf("custseg.so defines %s: it must use the host's SQLite only", s.Name)
	}
	if !entry {
		t.Errorf("custseg.so does not export sqlite3_custseg_init")
	}
	if _, err := os.Stat(strings.TrimSuffix(so, ".so") + ".h"); err == nil {
		t.Errorf("the c-shared header was left next to the library")
	}

	const shell = "/usr/bin/sqlite3"
	if _, err := os.Stat(shell); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (CI=true): apt-get install sqlite3", shell)
		}
		t.Skipf("skipped loading custseg.so into the stock shell: %s not installed; enable it with apt-get install sqlite3", shell)
	}
	// .load with and without the suffix; the functions answer, and errors
	// come back as SQL errors naming the function.
	script := ".load " + strings.TrimSuffix(so, ".so") + "\n" +
		".load " + so + "\n" +
		"SELECT rfm_segment(555), rfm_score('" + rfmSpec + "', 12, 4, 800);\n" +
		"SELECT rfm_segment(42);\n" +
		"SELECT sqlite_version();\n" +
		// The in-process build's internal batch function is not in the .so.
		"SELECT 'internal:' || count(*) FROM pragma_function_list WHERE name = 'custseg_insert_batch';\n"
	cmd := exec.Command(shell, ":memory:")
	cmd.Stdin = strings.NewReader(script)
	out, _ := cmd.CombinedOutput()
	got := string(out)
	for _, want := range []string{"Champions|444", "rfm_segment: rfm_code 42", "3.40.1", "internal:0"} {
		if !strings.Contains(got, want) {
			t.Errorf("shell output lacks %q:\n%s", want, got)
		}
	}
}
