package catalog

import (
	"errors"
	"strings"
	"testing"
)

// TestParsedCache: one text is parsed once and shared, whatever memory it
// comes in; a text too large for the byte bound is still shared while it is
// the last one used; errors are not kept.
func TestParsedCache(t *testing.T) {
	parses := 0
	c := newParsedCache(100, func(text string) (int, int, error) {
		parses++
		if text == "bad" {
			return 0, 0, errors.New("bad text")
		}
		return len(text), 10, nil
	})
	a, err := c.get("abc")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.get(strings.Clone("abc"))
	if a != b || a.v != 3 || parses != 1 {
		t.Errorf("same text: entries %p %p, value %d, %d parses; want one shared entry, 1 parse", a, b, a.v, parses)
	}
	if _, err := c.get("xyz"); err != nil { // now the last one
		t.Fatal(err)
	}
	if b, _ := c.get("abc"); b != a || parses != 2 {
		t.Errorf("back to the first text: %p (want %p), %d parses (want 2)", b, a, parses)
	}

	big := strings.Repeat("x", 200) // over the bound: not in the cache
	p, _ := c.get(big)
	q, _ := c.get(strings.Clone(big))
	if p != q || parses != 3 || c.all.size() != 2 {
		t.Errorf("oversized text: %p %p, %d parses, %d cached; want one entry, 3 parses, 2 cached", p, q, parses, c.all.size())
	}

	for range 2 {
		if _, err := c.get("bad"); err == nil || err.Error() != "bad text" {
			t.Errorf("bad text: %v", err)
		}
	}
	if parses != 5 {
		t.Errorf("%d parses after two bad texts, want 5 (errors are not kept)", parses)
	}
}
