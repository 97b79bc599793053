// Package progress draws the CLI's progress bars, with
// github.com/schollz/progressbar/v3, on a terminal and nowhere else: tests,
// pipes and files get no bytes at all, so no control characters.
//
// Libraries (loader, pipeline, report, udf) never print progress; they take
// a callback func(done, total int64), and the CLI passes Bar.Set.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Unit says how a bar shows its counts.
type Unit int

const (
	Count Unit = iota // "3/9"
	Bytes             // "12 MB/40 MB"
)

// width is the bar's width in cells: with the description and the counts
// it fits an 80-column terminal.
const width = 30

// throttle bounds the redraws to 10 a second: on a remote terminal every
// redraw costs a round of output.
const throttle = 100 * time.Millisecond

// Bar is one progress bar. A nil *Bar is a silent bar: every method does
// nothing, so callers need no "is it a terminal" branches.
type Bar struct {
	w           io.Writer
	description string
	unit        Unit

	mu    sync.Mutex
	pb    *progressbar.ProgressBar // made at the first Set, when the total is known
	drawn bool
}

// New returns a bar that draws on w if w is a terminal, and nil (silent)
// otherwise.
func New(w io.Writer, description string, unit Unit) *Bar {
	if !IsTerminal(w) {
		return nil
	}
	return newBar(w, description, unit)
}

// newBar draws on w whatever w is.
func newBar(w io.Writer, description string, unit Unit) *Bar {
	return &Bar{w: w, description: description, unit: unit}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Set shows done of total; it has the shape of the libraries' progress
// callbacks. A total that changes between calls resizes the bar; done is
// clamped to [0, total].
func (b *Bar) Set(done, total int64) {
	if b == nil || total <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb == nil {
		b.pb = progressbar.NewOptions64(total, b.options()...)
	} else if b.pb.GetMax64() != total {
		b.pb.ChangeMax64(total)
	}
	b.drawn = true
	b.pb.Set64(min(max(done, 0), total))
}

// Describe replaces the text before the bar (it shows at the next redraw).
func (b *Bar) Describe(description string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.description = description
	if b.pb != nil {
		b.pb.Describe(description)
	}
}

// Close ends the bar's line, complete or not (after an error the message
// starts on a line of its own). A bar that never drew writes nothing.
func (b *Bar) Close() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn && !b.pb.IsFinished() {
		fmt.Fprintln(b.w) // a finished bar ended its line in OptionOnCompletion
	}
	b.drawn = false
}

func (b *Bar) options() []progressbar.Option {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(b.description),
		progressbar.OptionSetWidth(width),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }),
		progressbar.OptionShowCount(),
	}
	if b.unit == Bytes {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowTotalBytes(true))
	}
	return opts
}
