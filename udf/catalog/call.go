package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ModelStore reads the model registry (table custseg_models) of the database
// a function runs in. Each binding provides one per database (DuckDB) or per
// connection (SQLite); it must be safe for concurrent use.
type ModelStore interface {
	// LookupModel returns the kind and JSON spec of model name at version;
	// version 0 means the active version. When there is no such model it
	// returns an error wrapping ErrModelNotFound.
	LookupModel(name string, version int64) (kind, spec string, err error)
}

// Call carries per-statement context from a binding into a function: the
// database's model store, the model references this statement has resolved,
// and scratch space. A binding gives every statement fresh resolutions
// (Reset or a new Call) so that one statement sees one version of a model
// and the next statement sees the registry as it is then; a Call is not safe
// for concurrent use (DuckDB: one per worker thread, pinned per statement).
type Call struct {
	Store ModelStore

	lastRef   string
	lastKind  string
	lastModel any

	// Scratch is reusable space for implementations (feature vectors).
	Scratch []float64
}

// Reset forgets the Call's resolutions: the next reference by bare name
// reads the registry again. Bindings call it when a statement starts.
func (c *Call) Reset() {
	c.lastRef, c.lastKind, c.lastModel = "", "", nil
}

// Pin makes ref resolve to kind and model until the next Reset or Pin: a
// binding that resolved ref once for the whole statement (DuckDB's bind)
// hands the result to every thread's Call.
func (c *Call) Pin(ref, kind string, model any) {
	c.lastRef, c.lastKind, c.lastModel = ref, kind, model
}

// Invalidate drops every parsed model. Parsed models are keyed by their
// spec, so a registry write never makes one wrong; the registry code calls
// this after writes only to release memory early.
func Invalidate() {
	models.reset()
}

// MaxSpecBytes caps the size of a model spec (inline JSON or a registry
// row) a function will parse: a larger one is refused with an error naming
// the function and the size, so a hostile or mistaken spec cannot make a
// query hold gigabytes.
const MaxSpecBytes = 16 << 20

// modelCacheBytes bounds the shared cache of parsed models by the estimated
// memory of its entries (modelCost), not by their count.
const modelCacheBytes = 64 << 20

// specKey names a parsed model by its content: the kind the registry row or
// the JSON declares, and the spec text itself. Statements that read an
// unchanged registry row, or repeat the same inline JSON, share one parsed
// model; a changed row is a different key.
type specKey struct {
	kind string // "" for inline JSON, whose kind is read from the spec
	spec string
}

type parsedModel struct {
	kind  string
	model any
}

// modelCost estimates the memory an entry holds: the spec text kept as the
// key plus its decoded form, which is no larger than the text for every
// model kind (numbers decode to 8 bytes; JSON spends more on each).
func modelCost(k specKey, _ parsedModel) int {
	return 2*len(k.spec) + 1024
}

// models is the shared cache of parsed models, across Calls, threads and
// statements.
var models = newCache[specKey, parsedModel](modelCacheBytes, modelCost)

// Model resolves a model reference: a registry name ("rfm"), a name with a
// version ("rfm@2"), or the model's JSON itself ("{...}"). It returns the
// model's kind and its decoded form (see DecodeModel). A reference is
// resolved once per statement: repeating the last one costs a string
// compare (pointer-equal when the engine passes the same bytes).
func (c *Call) Model(ref string) (kind string, model any, err error) {
	if c.lastModel != nil && ref == c.lastRef {
		return c.lastKind, c.lastModel, nil
	}
	kind, model, err = c.resolve(ref)
	if err != nil {
		return "", nil, err
	}
	c.Pin(strings.Clone(ref), kind, model)
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

// TakesModel reports whether f's first parameter is a model reference, the
// argument a binding may resolve once per statement.
func (f *Function) TakesModel() bool {
	return len(f.Params) > 0 && f.Params[0].Name == "model" && f.Params[0].Type == Text
}

// ResolveModel resolves ref against store without a statement's Call: the
// bindings that resolve once per statement (DuckDB's bind) use it and Pin
// the result into each thread's Call.
func ResolveModel(store ModelStore, ref string) (kind string, model any, err error) {
	return (&Call{Store: store}).resolve(ref)
}

// resolve reads ref: a registry lookup for a name (every time: the Call
// remembers the answer for its statement), then the parsed model from the
// shared cache, parsing the spec only when no statement has parsed the
// same text before.
func (c *Call) resolve(ref string) (string, any, error) {
	trimmed := strings.TrimSpace(ref)
	if trimmed == "" {
		return "", nil, fmt.Errorf("model reference is empty: give a model name, name@version or the model's JSON")
	}
	var key specKey
	if trimmed[0] == '{' {
		key.spec = trimmed
		if err := checkSpecSize("model JSON", len(trimmed)); err != nil {
			return "", nil, err
		}
	} else {
		name, version, err := ParseModelRef(trimmed)
		if err != nil {
			return "", nil, err
		}
		if c.Store == nil {
			return "", nil, fmt.Errorf("model %q: no model registry in this database (use the model's JSON instead)", trimmed)
		}
		kind, spec, err := c.Store.LookupModel(name, version)
		if err != nil {
			if errors.Is(err, ErrModelNotFound) {
				return "", nil, fmt.Errorf("unknown model %q (custseg models list shows the trained ones)", trimmed)
			}
			return "", nil, fmt.Errorf("model %q: %v", trimmed, err)
		}
		if err := checkSpecSize(fmt.Sprintf("model %q", trimmed), len(spec)); err != nil {
			return "", nil, err
		}
		key = specKey{kind: kind, spec: spec}
	}
	if e, ok := models.get(key); ok {
		return e.kind, e.model, nil
	}
	kind := key.kind
	if kind == "" {
		k, err := specKind(key.spec)
		if err != nil {
			return "", nil, err
		}
		kind = k
	}
	model, err := DecodeModel(kind, key.spec)
	if err != nil {
		if key.kind == "" {
			return "", nil, fmt.Errorf("corrupt model JSON: %v", err)
		}
		return "", nil, fmt.Errorf("model %q is corrupt: %v", trimmed, err)
	}
	// The spec may alias engine memory (a DuckDB vector) that is gone
	// after the statement; the cache keeps a copy.
	key.spec = strings.Clone(key.spec)
	models.put(key, parsedModel{kind: kind, model: model})
	return kind, model, nil
}

// checkSpecSize refuses a spec larger than MaxSpecBytes; what names the spec.
func checkSpecSize(what string, n int) error {
	if n > MaxSpecBytes {
		return fmt.Errorf("%s is %d bytes: a model spec may be at most %d bytes", what, n, MaxSpecBytes)
	}
	return nil
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
