package sqltest_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/kmeans"

	custsql "github.com/custseg/custseg/sql"
)

// hugeSegmentModel is a valid k-means spec of several MB: k centroids of
// three features, each with a name.
func hugeSegmentModel(t *testing.T, k int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	m := &kmeans.Model{Kind: kmeans.Kind, Features: []string{"recency_days", "frequency", "monetary"},
		Transform: kmeans.TransformNone, Scaler: kmeans.Scaler{Method: kmeans.ScaleNone, Center: []float64{0, 0, 0}, Scale: []float64{1, 1, 1}},
		K: k, Metrics: map[string]float64{}}
	for i := 0; i < k; i++ {
		m.Centroids = append(m.Centroids, []float64{r.Float64() * 400, r.Float64() * 50, r.Float64() * 1e4})
		m.SegmentNames = append(m.SegmentNames, "segment "+strconv.Itoa(i))
	}
	spec, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestShellMemoryBounded repeats a statement over a model of several MB in
// the stock sqlite3 shell with the extension loaded, and reads the shell's
// peak RSS before it exits: the parsed model is shared by the statements,
// not parsed and kept again by each (issue 10 §5 saw 2.9 GB after 40).
func TestShellMemoryBounded(t *testing.T) {
	requireShell(t)
	so := loadable(t)
	path := t.TempDir() + "/huge.db"
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range custsql.Statements(custsql.Schema()) {
		if _, err := db.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	spec := hugeSegmentModel(t, 100_000)
	if _, err := db.Exec(`INSERT INTO custseg_models VALUES ('huge', 1, 'kmeans', '2026-01-01 00:00:00', ?, true, NULL)`, spec); err != nil {
		t.Fatal(err)
	}
	db.Close()

	const statements = 40
	cmd := exec.Command(shell, path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	fmt.Fprintf(in, ".load %s\n", strings.TrimSuffix(so, ".so"))
	for i := 0; i < statements; i++ {
		fmt.Fprintf(in, "SELECT assign_segment('huge', %d, 2, 3) >= 0;\n", i)
	}
	fmt.Fprintln(in, "SELECT 'done';")
	lines := bufio.NewScanner(out)
	ok := 0
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() && lines.Text() != "done" {
		if lines.Text() == "1" {
			ok++
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	in.Close()
	cmd.Wait()
	if ok != statements {
		t.Fatalf("%d of %d statements answered", ok, statements)
	}
	var peakKB int
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			peakKB, _ = strconv.Atoi(f[1])
		}
	}
	t.Logf("spec %d bytes; shell peak RSS %d kB after %d statements", len(spec), peakKB, statements)
	// One parsed model and its spec take a few tens of MB; one per
	// statement would take over 400 MB.
	if peakKB == 0 || peakKB > 250<<10 {
		t.Errorf("the shell's peak RSS is %d kB, want below 250 MB", peakKB)
	}
}
