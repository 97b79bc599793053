package catalog

import (
	"fmt"
	"sync"
)

// A model decoder turns a stored JSON spec into the value functions use
// (an *rfm.Model, a *kmeans.Model, ...). Each family registers its kind from
// an init function in this package, so the resolver needs no central switch.
var decoders = struct {
	sync.RWMutex
	m map[string]func(spec string) (any, error)
}{m: map[string]func(string) (any, error){}}

// RegisterModelKind makes DecodeModel handle kind.
func RegisterModelKind(kind string, decode func(spec string) (any, error)) {
	decoders.Lock()
	defer decoders.Unlock()
	decoders.m[kind] = decode
}

// DecodeModel decodes a model spec of the given kind.
func DecodeModel(kind, spec string) (any, error) {
	decoders.RLock()
	decode := decoders.m[kind]
	decoders.RUnlock()
	if decode == nil {
		return nil, fmt.Errorf("unknown model kind %q", kind)
	}
	return decode(spec)
}
