package catalog

import (
	"fmt"
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

func TestValidModelName(t *testing.T) {
	long := strings.Repeat("a", MaxModelName+1)
	for _, c := range []struct {
		name string
		want string // "" for accepted, else a substring of the error
	}{
		{"rfm", ""},
		{"segments", ""},
		{"_x", ""},
		{"a.b-c_1", ""},
		{"A", ""},
		{strings.Repeat("a", MaxModelName), ""},
		{"", "model name is empty"},
		{`seg'x`, `model name "seg'x": use an ASCII letter or '_' first`},
		{"ség", `model name "ség": use an ASCII letter or '_' first`},
		{"1abc", `model name "1abc": use an ASCII letter or '_' first`},
		{"a b", `model name "a b": use an ASCII letter`},
		{"a@b", `model name "a@b": use an ASCII letter`},
		{"{", `model name "{": use an ASCII letter`},
		{"-a", `model name "-a": use an ASCII letter`},
		{".a", `model name ".a": use an ASCII letter`},
		{long, "is 129 bytes long: at most 128"},
	} {
		err := ValidModelName(c.name)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("ValidModelName(%q) = %v, want nil", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("ValidModelName(%.40q) = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestParseModelRefChecksName: every reference, with or without a version,
// goes through ValidModelName.
func TestParseModelRefChecksName(t *testing.T) {
	for _, c := range []struct {
		ref     string
		name    string
		version int64
		want    string
	}{
		{"rfm", "rfm", 0, ""},
		{"a.b-c_1@12", "a.b-c_1", 12, ""},
		{"seg'x@2", "", 0, `model reference "seg'x@2": model name "seg'x": use an ASCII letter`},
		{"ség", "", 0, `model reference "ség": model name "ség"`},
		{"1abc@1", "", 0, `model name "1abc"`},
		{"a@b@1", "", 0, `model name "a@b"`},
		{"@3", "", 0, `model reference "@3" has no name`},
		{"rfm@0", "", 0, "the version after @ must be a positive integer"},
		{"rfm@x", "", 0, "the version after @ must be a positive integer"},
	} {
		name, version, err := ParseModelRef(c.ref)
		if c.want == "" {
			if err != nil || name != c.name || version != c.version {
				t.Errorf("ParseModelRef(%q) = %q, %d, %v; want %q, %d, nil", c.ref, name, version, err, c.name, c.version)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseModelRef(%q) = %v, want an error containing %q", c.ref, err, c.want)
		}
	}
}

// TestFunctionsRefuseBadNames: a SQL function resolving a model name applies
// the same rule before asking the store.
func TestFunctionsRefuseBadNames(t *testing.T) {
	store := mapStore{}
	for _, fn := range []string{"rfm_score", "assign_segment"} {
		f := Lookup(fn)
		_, err := f.CallScalar(&Call{Store: store}, []Value{TextValue("seg'x"), IntValue(1), IntValue(2), IntValue(3)})
		if err == nil || !strings.Contains(err.Error(), `model name "seg'x": use an ASCII letter`) || !strings.HasPrefix(err.Error(), fn) {
			t.Errorf("%s('seg''x', ...) = %v, want an error of %s naming the rule", fn, err, fn)
		}
	}
}

// TestSpecSizeCap: a spec beyond MaxSpecBytes is refused with an error
// naming the function and the size, inline or from the registry.
func TestSpecSizeCap(t *testing.T) {
	huge := `{"kind":"rfm","pad":"` + strings.Repeat("x", MaxSpecBytes) + `"}`
	f := Lookup("rfm_score")
	args := []Value{TextValue(huge), IntValue(1), IntValue(2), IntValue(3)}
	_, err := f.CallScalar(&Call{}, args)
	want := fmt.Sprintf("rfm_score: model JSON is %d bytes: a model spec may be at most %d bytes", len(huge), MaxSpecBytes)
	if err == nil || err.Error() != want {
		t.Errorf("inline: %v\nwant %s", err, want)
	}
	args[0] = TextValue("big")
	_, err = f.CallScalar(&Call{Store: mapStore{"big": huge}}, args)
	if err == nil || !strings.HasPrefix(err.Error(), `rfm_score: model "big" is `+fmt.Sprint(len(huge))+" bytes") {
		t.Errorf("registry: %v", err)
	}
}

// TestModelsSharedAndBytesBounded: statements reading an unchanged spec
// share one parsed model; distinct large specs stay within the byte bound.
func TestModelsSharedAndBytesBounded(t *testing.T) {
	Invalidate()
	spec := `{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`
	store := mapStore{"m": spec}
	_, m1, err := (&Call{Store: store}).Model("m")
	if err != nil {
		t.Fatal(err)
	}
	_, m2, err := (&Call{Store: mapStore{"m": spec}}).Model("m")
	if err != nil || m1 != m2 {
		t.Fatalf("two statements reading one unchanged spec: %p %p %v; want one parsed model", m1, m2, err)
	}
	c := &Call{}
	for i := 0; i < 20; i++ {
		pad := strings.Repeat(" ", 2<<20+i) // a valid spec of ~2 MB, distinct each time: 20 exceed the bound
		if _, _, err := c.Model(spec[:len(spec)-1] + pad + "}"); err != nil {
			t.Fatal(err)
		}
		c.Reset()
	}
	models.mu.RLock()
	used := models.used
	models.mu.RUnlock()
	if used > modelCacheBytes {
		t.Fatalf("models cache holds %d bytes, bound %d", used, modelCacheBytes)
	}
}

// TestResetReadsRegistryAgain: a Call resolves a bare name once until
// Reset (a new statement), then reads the registry again.
func TestResetReadsRegistryAgain(t *testing.T) {
	v1 := `{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`
	v2 := `{"kind":"rfm","recency_cuts":[10,20,30,40],"frequency_cuts":[10,20,30,40],"monetary_cuts":[10,20,30,40]}`
	store := mapStore{"m": v1}
	c := &Call{Store: store}
	_, a, _ := c.Model("m")
	store["m"] = v2
	if _, b, _ := c.Model("m"); b != a {
		t.Fatal("one statement saw two versions")
	}
	c.Reset()
	if _, b, _ := c.Model("m"); b == a {
		t.Fatal("the next statement did not read the registry again")
	}
}
