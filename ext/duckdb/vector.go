package duckdb

/*
#include "glue.h"
*/
import "C"

import (
	"math"
	"unsafe"

	"github.com/custseg/custseg/udf/catalog"
)

// Reading DuckDB vectors into catalog values and writing results back: the
// per-row work of the callbacks (callbacks.go), in Go, on pointers C hands
// over once per chunk.

// load reads the column pointers of chunk (one cgo call) and converts the
// whole chunk into w.vals, row-major, one column at a time so the type
// switch runs once per column rather than once per value. It returns the
// number of rows and columns.
func (w *worker) load(f *catalog.Function, chunk unsafe.Pointer) (rows, cols int, err error) {
	cols = int(C.cs_chunk_columns(chunk))
	if cap(w.cols) < cols {
		w.cols = make([]C.cs_column, cols)
	}
	w.cols = w.cols[:cols]
	var first *C.cs_column
	if cols > 0 {
		first = &w.cols[0]
	}
	rows = int(C.cs_chunk_read(chunk, first, C.uint64_t(cols)))
	if cap(w.vals) < rows*cols {
		w.vals = make([]catalog.Value, rows*cols)
	}
	w.vals = w.vals[:rows*cols]
	for c := range w.cols {
		if err := convertColumn(&w.cols[c], w.vals[c:], rows, cols); err != nil {
			return 0, 0, f.Errorf("%s has a DuckDB type custseg cannot read (type id %d)", f.ParamName(c), int(w.cols[c]._type))
		}
	}
	return rows, cols, nil
}

// args returns the arguments of row (valid until the next load).
func (w *worker) argsOf(row, cols int) []catalog.Value {
	return w.vals[row*cols : row*cols+cols : row*cols+cols]
}

// convertColumn writes the n values of col into dst[0], dst[stride], ...
func convertColumn(col *C.cs_column, dst []catalog.Value, n, stride int) error {
	p := col.data
	switch col._type {
	case C.CS_TYPE_BIGINT:
		src := unsafe.Slice((*int64)(p), n)
		for i, x := range src {
			dst[i*stride] = catalog.Value{Type: catalog.Integer, Int: x}
		}
	case C.CS_TYPE_DOUBLE:
		src := unsafe.Slice((*float64)(p), n)
		for i, x := range src {
			dst[i*stride] = catalog.Value{Type: catalog.Double, Float: x}
		}
	case C.CS_TYPE_VARCHAR:
		// The slot of a NULL row may hold garbage: never turn it into a
		// string header (the GC would see its pointer).
		for i := 0; i < n; i++ {
			if rowValid(col.validity, i) {
				dst[i*stride] = catalog.Value{Type: catalog.Text, Text: duckString(unsafe.Add(p, i*16))}
			} else {
				dst[i*stride] = catalog.Value{Type: catalog.Null}
			}
		}
		return nil
	default:
		for i := 0; i < n; i++ {
			v, err := readValue(col, i)
			if err != nil {
				if rowValid(col.validity, i) {
					return err
				}
				v = catalog.Value{Type: catalog.Null}
			}
			dst[i*stride] = v
		}
	}
	if col.validity != nil {
		// A NULL row's data slot holds garbage: overwrite its value.
		for i := 0; i < n; i++ {
			if !rowValid(col.validity, i) {
				dst[i*stride] = catalog.Value{Type: catalog.Null}
			}
		}
	}
	return nil
}

func rowValid(validity *C.uint64_t, row int) bool {
	if validity == nil {
		return true
	}
	word := *(*uint64)(unsafe.Add(unsafe.Pointer(validity), (row/64)*8))
	return word&(1<<(row%64)) != 0
}

// readValue converts element row of a flat vector (DuckDB's C API flattens
// constant vectors before calling) into a catalog.Value. Text aliases
// DuckDB's memory for the duration of the call.
func readValue(col *C.cs_column, row int) (catalog.Value, error) {
	p := col.data
	switch col._type {
	case C.CS_TYPE_BIGINT:
		return catalog.Value{Type: catalog.Integer, Int: *(*int64)(unsafe.Add(p, row*8))}, nil
	case C.CS_TYPE_DOUBLE:
		return catalog.Value{Type: catalog.Double, Float: *(*float64)(unsafe.Add(p, row*8))}, nil
	case C.CS_TYPE_VARCHAR:
		return catalog.Value{Type: catalog.Text, Text: duckString(unsafe.Add(p, row*16))}, nil
	case C.CS_TYPE_INTEGER:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_SMALLINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int16)(unsafe.Add(p, row*2)))}, nil
	case C.CS_TYPE_TINYINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int8)(unsafe.Add(p, row)))}, nil
	case C.CS_TYPE_UTINYINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint8)(unsafe.Add(p, row)))}, nil
	case C.CS_TYPE_USMALLINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint16)(unsafe.Add(p, row*2)))}, nil
	case C.CS_TYPE_UINTEGER:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_UBIGINT:
		u := *(*uint64)(unsafe.Add(p, row*8))
		if u > math.MaxInt64 {
			return catalog.Value{Type: catalog.Double, Float: float64(u)}, nil
		}
		return catalog.Value{Type: catalog.Integer, Int: int64(u)}, nil
	case C.CS_TYPE_BOOLEAN:
		b := int64(0)
		if *(*uint8)(unsafe.Add(p, row)) != 0 {
			b = 1
		}
		return catalog.Value{Type: catalog.Integer, Int: b}, nil
	case C.CS_TYPE_FLOAT:
		return catalog.Value{Type: catalog.Double, Float: float64(*(*float32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_HUGEINT:
		return hugeValue(unsafe.Add(p, row*16)), nil
	case C.CS_TYPE_DECIMAL:
		var raw float64
		switch col.internal {
		case C.CS_TYPE_SMALLINT:
			raw = float64(*(*int16)(unsafe.Add(p, row*2)))
		case C.CS_TYPE_INTEGER:
			raw = float64(*(*int32)(unsafe.Add(p, row*4)))
		case C.CS_TYPE_BIGINT:
			raw = float64(*(*int64)(unsafe.Add(p, row*8)))
		case C.CS_TYPE_HUGEINT:
			h := hugeValue(unsafe.Add(p, row*16))
			raw = h.Float
			if h.Type == catalog.Integer {
				raw = float64(h.Int)
			}
		default:
			return catalog.Value{}, errUnsupported
		}
		return catalog.Value{Type: catalog.Double, Float: raw / math.Pow10(int(col.scale))}, nil
	case C.CS_TYPE_SQLNULL:
		return catalog.Value{Type: catalog.Null}, nil
	}
	return catalog.Value{}, errUnsupported
}

// hugeValue reads a DuckDB HUGEINT {uint64 lower; int64 upper}.
func hugeValue(p unsafe.Pointer) catalog.Value {
	lower := *(*uint64)(p)
	upper := *(*int64)(unsafe.Add(p, 8))
	if (upper == 0 && lower <= math.MaxInt64) || (upper == -1 && lower > math.MaxInt64) {
		return catalog.Value{Type: catalog.Integer, Int: int64(lower)}
	}
	return catalog.Value{Type: catalog.Double, Float: float64(upper)*0x1p64 + float64(lower)}
}

// duckString reads a duckdb_string_t: {uint32 length; char inlined[12]} when
// length <= 12, else {uint32 length; char prefix[4]; char *ptr}.
func duckString(p unsafe.Pointer) string {
	n := *(*uint32)(p)
	if n == 0 {
		return ""
	}
	if n <= 12 {
		return unsafe.String((*byte)(unsafe.Add(p, 4)), int(n))
	}
	return unsafe.String(*(**byte)(unsafe.Add(p, 8)), int(n))
}

// output writes results into a DuckDB vector of the function's result type.
type output struct {
	vec      unsafe.Pointer
	data     unsafe.Pointer
	validity unsafe.Pointer // made writable on the first NULL
	typ      catalog.Type
	fn       *catalog.Function
}

func newOutput(f *catalog.Function, vec unsafe.Pointer) output {
	return output{vec: vec, data: C.cs_vector_data(vec), typ: f.Result, fn: f}
}

func (o *output) set(row int, v catalog.Value) error {
	if v.Type == catalog.Null {
		if o.validity == nil {
			o.validity = unsafe.Pointer(C.cs_vector_validity_writable(o.vec))
		}
		word := (*uint64)(unsafe.Add(o.validity, (row/64)*8))
		*word &^= 1 << (row % 64)
		return nil
	}
	if o.validity != nil {
		word := (*uint64)(unsafe.Add(o.validity, (row/64)*8))
		*word |= 1 << (row % 64)
	}
	switch o.typ {
	case catalog.Integer:
		var i int64
		switch v.Type {
		case catalog.Integer:
			i = v.Int
		case catalog.Double:
			if v.Float != math.Trunc(v.Float) || math.Abs(v.Float) >= 1<<63 {
				return o.fn.Errorf("internal error: result %v is not an integer", v.Float)
			}
			i = int64(v.Float)
		default:
			return o.fn.Errorf("internal error: result %v is not an integer", v)
		}
		*(*int64)(unsafe.Add(o.data, row*8)) = i
	case catalog.Double:
		var x float64
		switch v.Type {
		case catalog.Double:
			x = v.Float
		case catalog.Integer:
			x = float64(v.Int)
		default:
			return o.fn.Errorf("internal error: result %v is not a number", v)
		}
		*(*float64)(unsafe.Add(o.data, row*8)) = x
	case catalog.Text:
		if v.Type != catalog.Text {
			return o.fn.Errorf("internal error: result %v is not text", v)
		}
		C.cs_vector_assign_string(o.vec, C.uint64_t(row), (*C.char)(unsafe.Pointer(unsafe.StringData(v.Text))), C.uint64_t(len(v.Text)))
	default:
		return o.fn.Errorf("internal error: result type %v", o.typ)
	}
	return nil
}
