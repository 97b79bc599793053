package output

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSON appends v as a JSON value: numbers as numbers (exact for big
// integers and decimals), NaN and ±Inf as null (JSON has no spelling for
// them), times as "YYYY-MM-DD HH:MM:SS" strings, UUIDs and intervals as
// their text, non-UTF-8 bytes as
// "\x…" hex strings, lists as arrays, maps and structs as objects.
func appendJSON(b []byte, v any, kind colKind) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int32, int16, int8, int, uint64, uint32, uint16, uint8, uint:
		return fmt.Append(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return append(b, FormatFloat(x)...)
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendJSONString(b, x)
	case []byte:
		s, _, _ := text(x, kind)
		return appendJSONString(b, s)
	case time.Time:
		return appendJSONString(b, formatTime(x, kind))
	case *big.Int:
		return x.Append(b, 10)
	case decimal:
		return append(b, x.String()...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e, plainCol)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x[k], plainCol)
		}
		return append(b, '}')
	}
	if keys, vals, ok := orderedMap(v); ok {
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			ks, _, _ := text(k, plainCol)
			b = appendJSONString(b, ks)
			b = append(b, ':')
			b = appendJSON(b, vals[i], plainCol)
		}
		return append(b, '}')
	}
	if iv, ok := interval(v); ok {
		return appendJSONString(b, iv)
	}
	if x, ok := v.(fmt.Stringer); ok {
		return appendJSONString(b, x.String())
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map {
		// duckdb.Map is map[any]any: keys shown as text, sorted.
		type kv struct {
			k string
			v any
		}
		var kvs []kv
		for it := rv.MapRange(); it.Next(); {
			ks, _, _ := text(it.Key().Interface(), plainCol)
			kvs = append(kvs, kv{ks, it.Value().Interface()})
		}
		slices.SortFunc(kvs, func(a, c kv) int {
			if a.k < c.k {
				return -1
			}
			if a.k > c.k {
				return 1
			}
			return 0
		})
		b = append(b, '{')
		for i, e := range kvs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e.k)
			b = append(b, ':')
			b = appendJSON(b, e.v, plainCol)
		}
		return append(b, '}')
	}
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		b = append(b, '[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, rv.Index(i).Interface(), plainCol)
		}
		return append(b, ']')
	}
	if j, err := json.Marshal(v); err == nil {
		return append(b, j...)
	}
	return appendJSONString(b, fmt.Sprint(v))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Unlike encoding/json it
// leaves <, > and & alone: the output is data, not HTML.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// orderedMap unpacks duckdb-go's OrderedMap (DuckDB MAP values), whose
// Keys and Values methods have pointer receivers.
func orderedMap(v any) (keys, vals []any, ok bool) {
	type ordered interface {
		Keys() []any
		Values() []any
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		return nil, nil, false
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	om, ok := p.Interface().(ordered)
	if !ok {
		return nil, nil, false
	}
	return om.Keys(), om.Values(), true
}
