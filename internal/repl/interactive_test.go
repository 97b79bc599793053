package repl

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain doubles as the shell under test: with CUSTSEG_REPL_HELPER set,
// the test binary runs a session on its terminal (a tmux pane), interactive
// because StdinIsTerminal says so.
func TestMain(m *testing.M) {
	if driver := os.Getenv("CUSTSEG_REPL_HELPER"); driver != "" {
		// Like custseg's root command: ctx is cancelled by the first Ctrl-C.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		db, err := sql.Open(driver, "")
		if err == nil {
			err = Run(ctx, db, Options{Interactive: StdinIsTerminal(), Engine: "test " + driver,
				HistoryFile: os.Getenv("CUSTSEG_REPL_HISTORY"), FunctionNames: []string{"rfm_score"}})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "run:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tmuxPane drives a program in a detached tmux session on a private server.
type tmuxPane struct {
	t      *testing.T
	socket string
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (p *tmuxPane) screen() string { return p.tmux("capture-pane", "-p", "-S", "-200", "-t", "s") }

// typeLine types text literally, then presses Enter.
func (p *tmuxPane) typeLine(text string) {
	p.typeText(text)
	p.tmux("send-keys", "-t", "s", "Enter")
}

// typeText types text; ';' goes as a hex key because tmux reads an
// argument ending in ';' as a command separator.
func (p *tmuxPane) typeText(text string) {
	for i, part := range strings.Split(text, ";") {
		if i > 0 {
			p.tmux("send-keys", "-t", "s", "-H", "3b")
		}
		if part != "" {
			p.tmux("send-keys", "-t", "s", "-l", part)
		}
	}
}

func (p *tmuxPane) keys(keys ...string) { p.tmux(append([]string{"send-keys", "-t", "s"}, keys...)...) }

// waitFor waits until the screen satisfies ok.
func (p *tmuxPane) waitFor(what string, ok func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := p.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) waitCount(text string, n int) string {
	p.t.Helper()
	return p.waitFor(fmt.Sprintf("%d× %q", n, text), func(s string) bool { return strings.Count(s, text) >= n })
}

// TestInteractiveTerminal runs the shell in a real pseudo-terminal (tmux):
// prompts, a multi-line statement, history recall with the Up arrow, Ctrl-C
// on a half-typed line and on a running query, an SQL error, Ctrl-D, and the
// history file.
func TestInteractiveTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing: CI must install it (.ci/run does)")
		}
		t.Skip("tmux not installed: skipping; apt-get install tmux enables it")
	}
	for _, c := range []struct{ driver, endless, noColumn string }{
		{"sqlite3", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;",
			"Error: no such column: nope"},
		{"duckdb", "SELECT count(*) FROM range(1000000000000) a, range(1000000) b;",
			`Error: Binder Error: Referenced column "nope"`},
	} {
		t.Run(c.driver, func(t *testing.T) { interactive(t, c.driver, c.endless, c.noColumn) })
	}
}

func interactive(t *testing.T, driver, endless, noColumn string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(t.TempDir(), "history")
	os.WriteFile(hist, []byte("SELECT 'from an earlier session';\n"), 0o600)
	p := &tmuxPane{t: t, socket: fmt.Sprintf("custseg-repl-test-%d-%s", os.Getpid(), driver)}
	cmd := fmt.Sprintf("env CUSTSEG_REPL_HELPER=%s CUSTSEG_REPL_HISTORY=%s %s; echo EXITED $?; sleep 60", driver, hist, exe)
	p.tmux("new-session", "-d", "-s", "s", "-x", "160", "-y", "50", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })

	p.waitFor("banner and prompt", func(s string) bool {
		return strings.Contains(s, "custseg shell on test "+driver) && strings.Contains(s, "custseg>")
	})
	p.typeLine("SELECT 40+2 AS answer;")
	p.waitFor("the answer", func(s string) bool { return strings.Contains(s, "     42\n(1 row)") })

	p.typeLine("SELECT 'multi' ||")
	p.waitFor("continuation prompt", func(s string) bool { return strings.Contains(s, "   ...>") })
	p.typeLine("'line' AS m;")
	p.waitFor("multi-line result", func(s string) bool { return strings.Contains(s, " multiline\n(1 row)") })

	// capture-pane drops trailing blanks, so prompts are matched without theirs.
	// Ctrl-C drops a half-typed line.
	p.typeText("SELECT 'never' AS n")
	p.waitCount("'never'", 1)
	p.keys("C-c")
	p.typeLine(".mode csv")
	p.waitCount("custseg>", 5)

	// Up twice recalls the multi-line statement (stored as one line); it runs in CSV mode.
	p.keys("Up", "Up")
	p.waitFor("recalled statement", func(s string) bool {
		return strings.Contains(s, "custseg> SELECT 'multi' || 'line' AS m;")
	})
	p.keys("Enter")
	p.waitFor("CSV result", func(s string) bool { return strings.Contains(s, "\nm\nmultiline\n") })

	// Ctrl-C interrupts a running statement, and the shell carries on even
	// though the helper's ctx is cancelled by that Ctrl-C.
	p.typeLine(endless)
	time.Sleep(300 * time.Millisecond)
	p.keys("C-c")
	p.waitFor("interrupted", func(s string) bool { return strings.Contains(s, "Error: interrupted") })

	p.typeLine("SELECT nope;")
	p.waitFor("SQL error", func(s string) bool { return strings.Contains(s, noColumn) })
	p.typeLine("SELECT 'still here' AS s;")
	s := p.waitFor("shell survives errors", func(s string) bool { return strings.Contains(s, "\ns\nstill here\n") })
	if strings.Contains(s, "\nnever\n") || strings.Contains(s, " never\n") {
		t.Errorf("the line cancelled with Ctrl-C ran:\n%s", s)
	}

	p.keys("C-d")
	p.waitFor("clean exit", func(s string) bool { return strings.Contains(s, "EXITED 0") })

	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT 'from an earlier session';\nSELECT 40+2 AS answer;\nSELECT 'multi' || 'line' AS m;\n.mode csv\n"
	if !strings.HasPrefix(string(data), want) || strings.Contains(string(data), "never") {
		t.Errorf("history file:\n%s\nwant it to start:\n%s", data, want)
	}
}
