package catalog

import (
	"strings"
	"sync/atomic"
)

// parsedCache holds values parsed from a text argument that a query passes
// on every row (psi's bins, rfm_segment's rules), so that each distinct text
// is parsed once and every row, group and thread shares the result.
//
// It is bounded by bytes, not entries, since one text may be megabytes
// long; and it remembers the entry used last, which a statement passing one
// text finds with one comparison instead of hashing the text again for the
// cache once per row or group.
type parsedCache[V any] struct {
	parse func(text string) (v V, size int, err error) // size: bytes v holds besides the text
	last  atomic.Pointer[parsedText[V]]
	all   *cache[string, *parsedText[V]]
}

// parsedText is one text with its parsed value; immutable once made, so it
// is shared without copying and compared by pointer.
type parsedText[V any] struct {
	text string
	v    V
	size int
}

func newParsedCache[V any](limit int, parse func(string) (V, int, error)) *parsedCache[V] {
	return &parsedCache[V]{
		parse: parse,
		all:   newCache[string, *parsedText[V]](limit, func(_ string, p *parsedText[V]) int { return len(p.text) + p.size }),
	}
}

// get returns the shared parsed value of text, parsing it on first use.
// Errors are not kept: a failing text fails its statement at once.
func (c *parsedCache[V]) get(text string) (*parsedText[V], error) {
	if p := c.last.Load(); p != nil && p.text == text {
		return p, nil
	}
	if p, ok := c.all.get(text); ok {
		c.last.Store(p)
		return p, nil
	}
	v, size, err := c.parse(text)
	if err != nil {
		return nil, err
	}
	p := &parsedText[V]{text: strings.Clone(text), v: v, size: size}
	c.all.put(p.text, p)
	c.last.Store(p)
	return p, nil
}
