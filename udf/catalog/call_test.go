package catalog

import (
	"strings"
	"testing"
	"time"
)

// mapStore is a ModelStore whose dynamic type is not comparable: using it
// as a map key would panic.
type mapStore map[string]string

func (s mapStore) LookupModel(name string, version int64) (string, string, error) {
	spec, ok := s[name]
	if !ok {
		return "", "", ErrModelNotFound
	}
	return "rfm", spec, nil
}

// TestNonComparableStore: resolution through a store that cannot be a map
// key works (uncached), and never leaves the shared cache locked.
func TestNonComparableStore(t *testing.T) {
	store := mapStore{"m": `{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`}
	f := Lookup("rfm_score")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 3; i++ {
			v, err := f.CallScalar(&Call{Store: store}, []Value{TextValue("m"), IntValue(0), IntValue(5), IntValue(5)})
			if err != nil || v.Int != 555 {
				t.Errorf("call %d: %v %v", i, v, err)
			}
			if _, err := f.CallScalar(&Call{Store: store}, []Value{TextValue("nope"), IntValue(0), IntValue(5), IntValue(5)}); err == nil || !strings.Contains(err.Error(), "unknown model") {
				t.Errorf("unknown model: %v", err)
			}
		}
		Invalidate() // takes the write lock: would hang if a read lock leaked
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("model resolution hung: the shared cache lock leaked")
	}
}
