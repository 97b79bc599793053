package sqlite_test

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/catalog"
)

// kmSpec is a two-centroid k-means model over three log1p features.
const kmSpec = `{"kind":"kmeans","features":["recency_days","frequency","monetary"],"transform":"log1p","scaler":{"method":"none"},"k":2,"centroids":[[2,2,6],[5,0.5,4]],"segment_names":["Champions","Lost"]}`

// fuzzBytes hands out the fuzzer's bytes, then zeros.
type fuzzBytes []byte

func (b *fuzzBytes) byte() byte {
	if len(*b) == 0 {
		return 0
	}
	c := (*b)[0]
	*b = (*b)[1:]
	return c
}

func (b *fuzzBytes) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = b.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

func (b *fuzzBytes) text() string {
	n := int(b.byte()) % 24
	out := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, b.byte())
	}
	return string(out)
}

// maxFunctionArg is SQLITE_MAX_FUNCTION_ARG of mattn's SQLite 3.54.1 (the
// parser's own limit, reported by SQLite before any callback runs).
const maxFunctionArg = 1000

// FuzzArguments drives the registration layer with random argument vectors
// (random types, NULLs, NaN, ±Inf, text and blobs in numeric slots, up to
// SQLite's maximum argument count) through real SQL on one in-process
// connection: SQLite must never crash, and every failure must be an error
// whose message starts with the function's name.
func FuzzArguments(f *testing.F) {
	db := openDB(f)
	db.SetMaxOpenConns(1)
	insertModel(f, db, "rfm", 1, "rfm", rfmSpec, true)
	insertModel(f, db, "km", 1, "kmeans", kmSpec, true)
	insertModel(f, db, "bad", 1, "rfm", "{not json", true)
	fns := catalog.All()

	f.Add([]byte{0, 4, 7, 1, 2, 3})
	f.Add([]byte{1, 1, 8, 200})
	f.Add([]byte{2, 4, 7, 3, 3, 3})
	f.Add([]byte{3, 0xff, 200, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x7f})
	f.Add([]byte{5, 3, 4, 5, 'a', 'b', 'c', 'd', 'e', 5, 5})
	f.Add([]byte{9, 250, 0xff, 6, 1, 2, 3})
	f.Add([]byte{11, 3, 0, 3, 8, 1})

	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzBytes(data)
		fn := fns[int(in.byte())%len(fns)]
		n := int(in.byte()) % 10
		if c := in.byte(); c >= 0xf0 {
			// A huge argument list, up to SQLite's limit.
			n = 100 + int(binary.LittleEndian.Uint16([]byte{in.byte(), in.byte()}))%(maxFunctionArg-99)
		}
		args := make([]any, n)
		for i := range args {
			switch in.byte() % 10 {
			case 0:
				args[i] = nil
			case 1:
				args[i] = int64(in.u64())
			case 2:
				args[i] = math.Float64frombits(in.u64()) // any bit pattern: NaN, ±Inf, subnormals
			case 3:
				args[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.0, 1e308}[int(in.byte())%5]
			case 4:
				args[i] = in.text()
			case 5:
				args[i] = []string{"12", "1e3", " 7 ", "0x10", "NaN", ""}[int(in.byte())%6]
			case 6:
				args[i] = []byte(in.text())
			case 7:
				args[i] = []string{"rfm", "rfm@1", "rfm@9", "km", "bad", rfmSpec, kmSpec, "{", "@", "rfm@0"}[int(in.byte())%10]
			case 8:
				args[i] = int64(in.byte()) * 3
			default:
				args[i] = float64(in.byte()) / 7
			}
		}
		q := "SELECT " + fn.Name + "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		if fn.Kind == catalog.Aggregate {
			q += " FROM (SELECT 1 AS i UNION ALL SELECT 2) AS t"
		}
		if _, err := queryValue(db, q, args...); err != nil && !strings.HasPrefix(err.Error(), fn.Name+": ") {
			t.Fatalf("%s with %d arguments %v: error %q does not start with %q", fn.Name, n, shorten(args), err, fn.Name+": ")
		}
	})
}

func shorten(args []any) []any {
	if len(args) > 8 {
		return append(args[:8:8], "…")
	}
	return args
}
