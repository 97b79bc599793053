package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/cmd/custseg/cli"
	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
)

// switchEnv makes the test binary a child that switches models on a
// database in a loop until it is killed.
const switchEnv = "CUSTSEG_TEST_SWITCH_MODELS"

// switchModels is the child: train, rollback, activate and rename over and
// over, each a custseg command of its own; a command that fails is
// written to the file named by errs.
func switchModels(db, errs string) {
	fmt.Println("looping")
	for i := 0; ; i++ {
		for _, args := range [][]string{
			{"train", "--db", db, "--k", fmt.Sprint(2 + i%2), "--n-init", "1", "--seed", fmt.Sprint(i + 1)},
			{"models", "rollback", "segments", "--db", db},
			{"models", "activate", "segments@1", "--db", db},
			{"models", "rename", "segments", "0", fmt.Sprintf("renamed %d", i), "--db", db},
		} {
			var errOut strings.Builder
			if code := cli.Do(args, strings.NewReader(""), io.Discard, &errOut); code != 0 {
				f, _ := os.OpenFile(errs, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				fmt.Fprintf(f, "custseg %s: exit %d: %s\n", strings.Join(args, " "), code, errOut.String())
				f.Close()
			}
		}
	}
}

// A model switch and the prepared tables it rewrites commit together: a
// process killed (SIGKILL) at random moments of train, models rollback,
// activate and rename leaves exactly one active version per name, and
// customer_segments and segment_profiles scored with the active version
// under its current segment names (issue #10 §2).
func TestKillTrials(t *testing.T) {
	if db := os.Getenv(switchEnv); db != "" {
		switchModels(db, db+".errors")
		return
	}
	const trials = 15
	for _, file := range []string{"k.duckdb", "k.db"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), file)
			mustRun(t, "run", "--db", path, "--demo-customers", "300", "--k", "2", "--n-init", "1")
			rng := rand.New(rand.NewSource(1))
			for trial := 0; trial < trials; trial++ {
				killAtRandom(t, path, time.Duration(50+rng.Intn(900))*time.Millisecond)
				checkSwitchInvariant(t, path, trial)
			}
			if b, err := os.ReadFile(path + ".errors"); err == nil {
				t.Errorf("commands failed in the child:\n%s", b)
			}
			db, err := engine.Open(path, "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if vs, err := registry.List(context.Background(), db.DB, "segments"); err != nil || len(vs) < 3 {
				t.Errorf("the trials trained %d versions (%v): the kills hit nothing", len(vs), err)
			}
		})
	}
}

// killAtRandom runs the child on path and kills it after it has looped
// for d.
func killAtRandom(t *testing.T, path string, d time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillTrials$")
	cmd.Env = append(os.Environ(), switchEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "looping\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	time.Sleep(d)
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
}

// checkSwitchInvariant opens the database a killed child left and checks
// that the prepared tables follow the one active version.
func checkSwitchInvariant(t *testing.T, path string, trial int) {
	t.Helper()
	ctx := context.Background()
	db, err := engine.Open(path, "")
	if err != nil {
		t.Fatalf("trial %d: reopening after the kill: %v", trial, err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, sum(CASE WHEN active THEN 1 ELSE 0 END) FROM custseg_models GROUP BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var active int
		if err := rows.Scan(&name, &active); err != nil {
			t.Fatal(err)
		}
		if active != 1 {
			t.Errorf("trial %d: %s has %d active versions", trial, name, active)
		}
	}
	rows.Close()
	v, err := registry.Get(ctx, db.DB, "segments")
	if err != nil {
		t.Fatal(err)
	}
	m, err := kmeans.ParseModel(v.Spec)
	if err != nil {
		t.Fatalf("trial %d: %s: %v", trial, v.Ref(), err)
	}
	for _, table := range []string{"customer_segments", "segment_profiles"} {
		rows, err := db.Query(`SELECT DISTINCT model, segment, segment_name FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var model, name string
			var seg int
			if err := rows.Scan(&model, &seg, &name); err != nil {
				t.Fatal(err)
			}
			if model != v.Ref() || seg >= m.K || name != m.SegmentNames[seg] {
				t.Errorf("trial %d: %s holds segment %d %q of %s; the active version is %s (names %q)", trial, table, seg, name, model, v.Ref(), m.SegmentNames)
			}
		}
		rows.Close()
	}
}
