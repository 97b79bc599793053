package clip

import "testing"

func TestText(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 5, "abcde…"},
		{"ééééé", 3, "é…"}, // é is 2 bytes: the cut backs off to a rune start
		{"x", 0, "…"},
	}
	for _, c := range cases {
		if got := Text(c.s, c.n); got != c.want {
			t.Errorf("Text(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
