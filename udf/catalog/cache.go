package catalog

import "sync"

// cache is a bounded map safe for concurrent use, shared by the resolved
// models (Call.Model), the compiled RFM rule sets (rfm_segment) and the
// parsed drift bins (psi, psi_bin): a query passes the same text on every
// row, and parsing it per row would cost more than the function itself.
//
// Every entry has a cost (cost(k, v), or 1 when cost is nil) and the costs
// together stay within limit. The eviction rule is the simplest one: an
// entry that does not fit empties the cache first. A query's working set is
// one or a few keys, so it is soon back, and no bookkeeping is paid per hit.
// An entry that costs more than limit on its own is not kept.
//
// Lookups take a read lock and values are computed by the caller outside
// any lock, so a slow or failing resolution never holds the cache; the
// locks are released by defer, so even a panicking key comparison (an
// interface key of a non-comparable dynamic type) cannot leave it locked.
type cache[K comparable, V any] struct {
	limit int
	cost  func(K, V) int

	mu   sync.RWMutex
	m    map[K]cached[V]
	used int
}

type cached[V any] struct {
	v    V
	cost int
}

// newCache returns an empty cache holding entries of total cost at most
// limit; a nil cost counts every entry as 1, making limit a number of
// entries.
func newCache[K comparable, V any](limit int, cost func(K, V) int) *cache[K, V] {
	return &cache[K, V]{limit: limit, cost: cost, m: map[K]cached[V]{}}
}

// get returns the value stored for k.
func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[k]
	return e.v, ok
}

// put stores v for k, replacing any value k had, after emptying the cache
// when v would not fit in what is left of the limit.
func (c *cache[K, V]) put(k K, v V) {
	cost := 1
	if c.cost != nil {
		cost = c.cost(k, v) // outside the lock
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.used -= old.cost
		delete(c.m, k)
	}
	if cost > c.limit {
		return
	}
	if c.used+cost > c.limit {
		clear(c.m)
		c.used = 0
	}
	c.m[k] = cached[V]{v, cost}
	c.used += cost
}

// reset drops every entry.
func (c *cache[K, V]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.used = 0
}

// size returns the number of entries.
func (c *cache[K, V]) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
