package catalog

import (
	"fmt"
	"sync"
	"testing"
)

func TestCacheBoundAndEviction(t *testing.T) {
	c := newCache[string, int](3, nil)
	for i, k := range []string{"a", "b", "c"} {
		c.put(k, i)
	}
	if n := c.size(); n != 3 {
		t.Fatalf("3 puts in a cache of 3: %d entries", n)
	}
	for i, k := range []string{"a", "b", "c"} {
		if v, ok := c.get(k); !ok || v != i {
			t.Errorf("get(%q) = %d, %v; want %d, true", k, v, ok, i)
		}
	}
	// Replacing a key costs nothing more: nothing is evicted.
	c.put("b", 10)
	if v, _ := c.get("b"); v != 10 || c.size() != 3 {
		t.Errorf("after replacing b: get(b) = %d, %d entries; want 10, 3", v, c.size())
	}
	if _, ok := c.get("a"); !ok {
		t.Error("replacing b evicted a")
	}
	// A fourth key does not fit: the cache is emptied, then holds it alone.
	c.put("d", 4)
	if n := c.size(); n != 1 {
		t.Errorf("after the 4th key: %d entries, want 1", n)
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, ok := c.get(k); ok {
			t.Errorf("%q survived the eviction", k)
		}
	}
	if v, ok := c.get("d"); !ok || v != 4 {
		t.Errorf("get(d) = %d, %v; want 4, true", v, ok)
	}
	c.reset()
	if _, ok := c.get("d"); ok || c.size() != 0 {
		t.Errorf("reset left %d entries", c.size())
	}
}

// TestCacheCost: with a cost function the limit bounds the summed cost (as
// bytes would), and an entry dearer than the limit is not kept.
func TestCacheCost(t *testing.T) {
	c := newCache[string, []byte](10, func(k string, v []byte) int { return len(k) + len(v) })
	c.put("a", make([]byte, 4)) // 5
	c.put("b", make([]byte, 4)) // 10
	if c.size() != 2 {
		t.Fatalf("cost 10 of 10: %d entries, want 2", c.size())
	}
	c.put("a", make([]byte, 2)) // a: 5 → 3, total 8
	if c.size() != 2 || c.used != 8 {
		t.Errorf("after shrinking a: %d entries, cost %d; want 2, 8", c.size(), c.used)
	}
	c.put("c", make([]byte, 2)) // 3 more: 11 > 10 empties the cache
	if c.size() != 1 || c.used != 3 {
		t.Errorf("after c: %d entries, cost %d; want 1, 3", c.size(), c.used)
	}
	c.put("big", make([]byte, 8)) // 11 > limit alone: not kept, nothing evicted
	if _, ok := c.get("big"); ok {
		t.Error("an entry dearer than the limit was kept")
	}
	if _, ok := c.get("c"); !ok || c.used != 3 {
		t.Errorf("storing an oversized entry disturbed the others (cost %d)", c.used)
	}
	c.put("c", make([]byte, 20)) // replacing by an oversized value drops the key
	if _, ok := c.get("c"); ok || c.used != 0 {
		t.Errorf("an oversized replacement left c or cost %d", c.used)
	}
}

// TestCacheConcurrent hammers one small cache from several goroutines (run
// with -race): every hit must be the value stored for its key, and the bound
// must hold throughout.
func TestCacheConcurrent(t *testing.T) {
	const limit = 8
	c := newCache[string, string](limit, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint((g*7 + i) % 20)
				if v, ok := c.get(k); ok && v != "v"+k {
					t.Errorf("get(%s) = %q", k, v)
					return
				}
				c.put(k, "v"+k)
				if n := c.size(); n > limit {
					t.Errorf("%d entries in a cache of %d", n, limit)
					return
				}
				if i%500 == 0 {
					c.reset()
				}
			}
		}(g)
	}
	wg.Wait()
}
