package progress

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// drive runs a bar through a whole job: 0, a third, a description
// change, the end, and Close.
func drive(b *Bar) {
	b.Set(0, 3_000_000)
	b.Set(1_000_000, 3_000_000)
	b.Describe("loading b.csv")
	b.Set(3_000_000, 3_000_000)
	b.Close()
}

// TestSilentOffTerminal: a buffer, a pipe and a regular file are not
// terminals, and get no bytes at all.
func TestSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	if b := New(&buf, "load", Bytes); b != nil {
		t.Fatal("New made a visible bar on a bytes.Buffer")
	} else {
		drive(b)
	}
	if buf.Len() != 0 {
		t.Errorf("a buffer got %q", buf.String())
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	drive(New(w, "load", Bytes))
	w.Close()
	if got, _ := io.ReadAll(r); len(got) != 0 {
		t.Errorf("a pipe got %q", got)
	}

	path := filepath.Join(t.TempDir(), "err.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	drive(New(f, "load", Bytes))
	f.Close()
	if got, _ := os.ReadFile(path); len(got) != 0 {
		t.Errorf("a file got %q", got)
	}
}

// TestBarOnTerminal drives a bar on a pseudo-terminal: New sees a
// terminal, and the screen shows the description, the byte counts and
// 100%, with the line ended.
func TestBarOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no pseudo-terminal under CI: %v", err)
		}
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if !IsTerminal(tty) {
		t.Fatal("IsTerminal(a pty) = false")
	}
	done := make(chan []byte)
	go func() {
		var out []byte
		b := make([]byte, 4096)
		for {
			n, err := ptmx.Read(b)
			out = append(out, b[:n]...)
			if err != nil { // EIO once the terminal side is closed
				done <- out
				return
			}
		}
	}()
	b := New(tty, "loading a.csv", Bytes)
	if b == nil {
		t.Fatal("New made a silent bar on a terminal")
	}
	drive(b)
	tty.Close()
	out := string(<-done)
	for _, want := range []string{"loading b.csv", "100%", "3.0/3.0 MB", "\r"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("terminal output %q does not end its line", out)
	}
}

// TestCountBar renders a count bar into a buffer (newBar skips the
// terminal check): every k tried shows, the end is 100 % and one newline.
func TestCountBar(t *testing.T) {
	var buf bytes.Buffer
	b := newBar(&buf, "train: k 2..4", Count)
	for k := int64(1); k <= 3; k++ {
		b.Set(k, 3)
	}
	b.Close()
	out := buf.String()
	if !strings.Contains(out, "train: k 2..4") || !strings.Contains(out, "3/3") || !strings.Contains(out, "100%") {
		t.Errorf("count bar %q", out)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Errorf("count bar %q: want its line ended once", out)
	}
}

// TestCloseUnfinished: a bar stopped part way (an error) still ends its
// line, so the error message starts on its own; one that never drew
// writes nothing.
func TestCloseUnfinished(t *testing.T) {
	var buf bytes.Buffer
	b := newBar(&buf, "load", Bytes)
	b.Close()
	if buf.Len() != 0 {
		t.Errorf("a bar that never drew wrote %q", buf.String())
	}
	b.Set(10, 100)
	b.Close()
	if out := buf.String(); !strings.HasPrefix(out, "\rload ") || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Errorf("unfinished bar %q", out)
	}
}
