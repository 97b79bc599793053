package engine_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/engine"
)

// holdEnv makes the test binary a child that holds a DuckDB file open
// until its stdin closes.
const holdEnv = "CUSTSEG_TEST_HOLD_DUCKDB"

// holdFile starts a child process (this test binary) holding path open,
// and returns it once the file is held; closing the returned writer makes
// the child close the file and exit.
func holdFile(t *testing.T, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDuckDBLockWait$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("holding child said %q, %v", line, err)
	}
	return cmd, stdin
}

// DuckDB allows one process per file: Open waits for the other process
// for up to engine.LockWait, then fails naming it (issue #10 §8).
func TestDuckDBLockWait(t *testing.T) {
	if path := os.Getenv(holdEnv); path != "" {
		db, err := engine.Open(path, "")
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		fmt.Println("held")
		io.Copy(io.Discard, os.Stdin)
		db.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "l.duckdb")
	saved := engine.LockWait
	defer func() { engine.LockWait = saved }()

	cmd, release := holdFile(t, path)
	engine.LockWait = 300 * time.Millisecond
	start := time.Now()
	_, err := engine.Open(path, "")
	waited := time.Since(start)
	t.Log(err)
	want := fmt.Sprintf("process %d (", cmd.Process.Pid)
	if !errors.Is(err, engine.ErrLocked) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "one writing process per file") {
		t.Fatalf("open of a held file: %v; want ErrLocked naming %q", err, want)
	}
	if waited < 200*time.Millisecond || waited > 3*time.Second {
		t.Errorf("gave up after %s, want about %s", waited, engine.LockWait)
	}

	// Released while Open waits: Open succeeds.
	engine.LockWait = 10 * time.Second
	go func() { time.Sleep(300 * time.Millisecond); release.Close() }()
	db, err := engine.Open(path, "")
	if err != nil {
		t.Fatalf("open after the holder let go: %v", err)
	}
	db.Close()
	cmd.Wait()
}
