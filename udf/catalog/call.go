package catalog

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ModelStore reads the model registry (table custseg_models) of the database
// a function runs in. Each binding provides one per database (DuckDB) or per
// connection (SQLite); it must be safe for concurrent use. Pointer types
// are best: resolutions are cached per store value.
type ModelStore interface {
	// LookupModel returns the kind and JSON spec of model name at version;
	// version 0 means the active version. When there is no such model it
	// returns an error wrapping ErrModelNotFound.
	LookupModel(name string, version int64) (kind, spec string, err error)
}

// NameTTL bounds how long a model resolved by bare name ("rfm") is reused
// before the registry is asked again, so that a model trained by another
// process (the CLI while a shell is open) is picked up. Versioned references
// ("rfm@3") and inline JSON never change and are cached without expiry.
var NameTTL = 500 * time.Millisecond

// Call carries per-invocation context from a binding into a function: the
// database's model store and small caches. A binding creates one per thread
// of execution (per DuckDB chunk callback, per SQLite connection); a Call is
// not safe for concurrent use.
type Call struct {
	Store ModelStore

	lastRef   string
	lastModel any
	lastKind  string
	lastGen   uint64
	uses      int

	// Scratch is reusable space for implementations (feature vectors).
	Scratch []float64
}

// generation is bumped by Invalidate; a Call's one-entry cache is dropped
// when it changes (and Invalidate empties the shared models cache).
var generation atomic.Uint64

// Invalidate drops every cached model resolution. The registry code calls it
// after any write to custseg_models in this process.
func Invalidate() {
	generation.Add(1)
	models.reset()
}

type cacheKey struct {
	store ModelStore // nil for inline JSON
	ref   string
}

type cacheEntry struct {
	kind    string
	model   any
	expires time.Time // zero: never
}

// models is the shared cache of resolutions, across Calls and threads.
var models = newCache[cacheKey, cacheEntry](modelCacheMax, nil)

// modelCacheMax bounds the models cache (entries).
const modelCacheMax = 256

// recheckEvery is how many calls a Call reuses its last bare-name resolution
// before consulting the shared (TTL-bound) cache again; it keeps the per-row
// cost to a string compare.
const recheckEvery = 4096

// Model resolves a model reference: a registry name ("rfm"), a name with a
// version ("rfm@2"), or the model's JSON itself ("{...}"). It returns the
// model's kind and its decoded form (see DecodeModel).
func (c *Call) Model(ref string) (kind string, model any, err error) {
	gen := generation.Load()
	if c.lastModel != nil && gen == c.lastGen && ref == c.lastRef {
		c.uses++
		if c.uses < recheckEvery {
			return c.lastKind, c.lastModel, nil
		}
	}
	kind, model, err = c.resolve(ref)
	if err != nil {
		return "", nil, err
	}
	c.lastRef = strings.Clone(ref)
	c.lastKind, c.lastModel, c.lastGen, c.uses = kind, model, gen, 0
	return kind, model, nil
}

// modelOf resolves ref through c (a fresh Call when nil) for function f and
// checks that it is a model of kind want, decoded as M; noun names that kind
// in the error ("an rfm model").
func modelOf[M any](f *Function, c *Call, ref, want, noun string) (M, error) {
	var zero M
	if c == nil {
		c = &Call{}
	}
	kind, model, err := c.Model(ref)
	if err != nil {
		return zero, err
	}
	m, ok := model.(M)
	if kind != want || !ok {
		return zero, f.Errorf("model %s is a %s model, not %s", shortRef(ref), kind, noun)
	}
	return m, nil
}

// shortRef quotes a model reference for an error message, eliding the middle
// of inline JSON.
func shortRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if len(ref) > 60 {
		ref = ref[:40] + "…" + ref[len(ref)-10:]
	}
	return `"` + ref + `"`
}

func (c *Call) resolve(ref string) (string, any, error) {
	trimmed := strings.TrimSpace(ref)
	if trimmed == "" {
		return "", nil, fmt.Errorf("model reference is empty: give a model name, name@version or the model's JSON")
	}
	key := cacheKey{store: c.Store, ref: ref}
	isJSON := trimmed[0] == '{'
	if isJSON {
		key.store = nil
	}
	// A store whose dynamic type cannot be a map key would make the map
	// panic; such stores simply skip the shared cache.
	cacheable := key.store == nil || reflect.TypeOf(key.store).Comparable()
	now := time.Now()
	if cacheable {
		if e, ok := models.get(key); ok && (e.expires.IsZero() || now.Before(e.expires)) {
			return e.kind, e.model, nil
		}
	}

	var kind, spec string
	var expires time.Time
	if isJSON {
		k, err := specKind(trimmed)
		if err != nil {
			return "", nil, err
		}
		kind, spec = k, trimmed
	} else {
		name, version, err := ParseModelRef(trimmed)
		if err != nil {
			return "", nil, err
		}
		if c.Store == nil {
			return "", nil, fmt.Errorf("model %q: no model registry in this database (use the model's JSON instead)", trimmed)
		}
		kind, spec, err = c.Store.LookupModel(name, version)
		if err != nil {
			if errors.Is(err, ErrModelNotFound) {
				return "", nil, fmt.Errorf("unknown model %q (custseg models list shows the trained ones)", trimmed)
			}
			return "", nil, fmt.Errorf("model %q: %v", trimmed, err)
		}
		if version == 0 {
			expires = now.Add(NameTTL)
		}
	}
	model, err := DecodeModel(kind, spec)
	if err != nil {
		if isJSON {
			return "", nil, fmt.Errorf("corrupt model JSON: %v", err)
		}
		return "", nil, fmt.Errorf("model %q is corrupt: %v", trimmed, err)
	}
	if cacheable {
		key.ref = strings.Clone(key.ref)
		models.put(key, cacheEntry{kind: kind, model: model, expires: expires})
	}
	return kind, model, nil
}

// MaxModelName is the longest model name ValidModelName accepts.
const MaxModelName = 128

// ValidModelName is the one rule for model names, applied by the registry
// before anything is stored and by every SQL function and command that
// resolves a reference: an ASCII letter or '_' first, then ASCII letters,
// digits, '_', '-' or '.', at most MaxModelName bytes. Such a name needs no
// quoting anywhere and cannot be confused with a version ("name@2") or a
// JSON spec ("{...}").
func ValidModelName(name string) error {
	if name == "" {
		return fmt.Errorf("model name is empty")
	}
	if len(name) > MaxModelName {
		return fmt.Errorf("model name %.20q... is %d bytes long: at most %d", name, len(name), MaxModelName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if letter || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.') {
			continue
		}
		return fmt.Errorf("model name %q: use an ASCII letter or '_' first, then letters, digits, '_', '-' or '.'", name)
	}
	return nil
}

// ParseModelRef splits "name" or "name@version" (version >= 1) and checks
// the name with ValidModelName. Version 0 means "the active version".
func ParseModelRef(ref string) (name string, version int64, err error) {
	name = ref
	if i := strings.LastIndexByte(ref, '@'); i >= 0 {
		name = ref[:i]
		v, perr := strconv.ParseInt(ref[i+1:], 10, 64)
		if perr != nil || v < 1 {
			return "", 0, fmt.Errorf("model reference %q: the version after @ must be a positive integer", ref)
		}
		version = v
	}
	if name == "" {
		return "", 0, fmt.Errorf("model reference %q has no name", ref)
	}
	if err := ValidModelName(name); err != nil {
		return "", 0, fmt.Errorf("model reference %q: %w", ref, err)
	}
	return name, version, nil
}
