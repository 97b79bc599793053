// Package clip shortens user-supplied text quoted in error messages, so that
// a hostile argument (a megabyte segment name, a JSON key as long as the
// spec) cannot make an error as large as itself.
package clip

import "unicode/utf8"

// Bounds for Text: a name quoted in a message (a segment, a feature), and a
// whole message from a decoder, which may quote the input.
const (
	Name    = 40
	Message = 300
)

// Text returns s when it is at most n bytes long, else its first n bytes or
// fewer (cut at a rune boundary) followed by "…".
func Text(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
