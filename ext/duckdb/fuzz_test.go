package duckdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/catalog"
)

// fuzzInput hands out the fuzzer's bytes; past the end it gives zeros.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = in.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

func (in *fuzzInput) text() string {
	n := int(in.byte()) % 24
	var s strings.Builder
	for i := 0; i < n; i++ {
		s.WriteByte(in.byte())
	}
	return s.String()
}

// literal renders one random argument as SQL text: NULLs, integers, any
// float bit pattern (NaN, ±Inf, subnormals), arbitrary text (invalid UTF-8
// included, as a blob cast), numeric-looking text, model references and
// corrupt model JSON.
func literal(in *fuzzInput, km string) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch in.byte() % 9 {
	case 0:
		return "NULL"
	case 1:
		return fmt.Sprintf("%d::BIGINT", int64(in.u64()))
	case 2:
		f := math.Float64frombits(in.u64())
		switch {
		case math.IsNaN(f):
			return "'NaN'::DOUBLE"
		case math.IsInf(f, 1):
			return "'Infinity'::DOUBLE"
		case math.IsInf(f, -1):
			return "'-Infinity'::DOUBLE"
		}
		return fmt.Sprintf("%v::DOUBLE", f)
	case 3:
		return quote(strings.ToValidUTF8(in.text(), "?"))
	case 4:
		return []string{"'12'", "'1e3'", "' 7 '", "'NaN'", "''"}[int(in.byte())%5]
	case 5:
		return quote([]string{"rfm", "rfm@1", "rfm@9", "km", "bad", rfmV1, km, "{", "@", "rfm@0"}[int(in.byte())%10])
	case 6:
		return fmt.Sprintf("%d", int(in.byte())*3)
	case 7:
		return fmt.Sprintf("%v", float64(in.byte())/7)
	}
	return "true"
}

// FuzzArguments drives every registered function with random argument
// vectors through real SQL, scalars and aggregates (GROUP BY too). The
// process must survive every call, and every error must be custseg's,
// naming the function, or DuckDB's own rejection before the call (no
// overload matches, a value that does not convert).
func FuzzArguments(f *testing.F) {
	db := openDB(f)
	km := kmSpecForFuzz()
	for _, stmt := range []string{
		`CREATE TABLE custseg_models (name TEXT, version BIGINT, kind TEXT, created_at TIMESTAMP, spec TEXT, active BOOLEAN, note TEXT)`,
		`INSERT INTO custseg_models VALUES ('rfm', 1, 'rfm', now(), '` + rfmV1 + `', true, NULL)`,
		`INSERT INTO custseg_models VALUES ('km', 1, 'kmeans', now(), '` + km + `', true, NULL)`,
		`INSERT INTO custseg_models VALUES ('bad', 1, 'rfm', now(), '{not json', true, NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			f.Fatal(err)
		}
	}
	fns := catalog.All()
	f.Add([]byte{0, 4, 5, 0, 1, 1, 2, 3})
	f.Add([]byte{1, 1, 6, 200})
	f.Add([]byte{2, 4, 5, 3, 2, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	f.Add([]byte{5, 4, 6, 1, 7, 9, 7, 10, 7, 11})
	f.Add([]byte{7, 40, 1, 2, 3})
	f.Add([]byte{10, 2, 3, 'a', 'b', 5, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{b: data}
		fn := fns[int(in.byte())%len(fns)]
		n := int(in.byte()) % 40 // up to 40 arguments: past every overload DuckDB has
		args := make([]string, n)
		for i := range args {
			args[i] = literal(in, km)
		}
		q := "SELECT " + fn.Name + "(" + strings.Join(args, ", ") + ")"
		if fn.Kind == catalog.Aggregate {
			q += " FROM range(3) t(g) GROUP BY g % 2"
		}
		rows, err := db.Query(q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if err == nil {
			return
		}
		msg := err.Error()
		ours := strings.Contains(msg, fn.Name+": ")
		rejected := strings.HasPrefix(msg, "Binder Error") || strings.HasPrefix(msg, "Conversion Error") ||
			strings.HasPrefix(msg, "Parser Error") || strings.HasPrefix(msg, "Out of Range Error")
		if !ours && !rejected {
			t.Fatalf("%s: unexpected error %q for\n%s", fn.Name, msg, q)
		}
	})
}

// kmSpecForFuzz is a small valid k-means model with three features.
func kmSpecForFuzz() string {
	return `{"kind":"kmeans","features":["recency_days","frequency","monetary"],"transform":"log1p",` +
		`"scaler":{"method":"standard","center":[3,1,5],"scale":[1,0.5,1.5]},"k":2,` +
		`"centroids":[[-1,-1,-1],[1,1,1]],"segment_names":["Low","High"],"metrics":{},"training_rows":10,"fingerprint":"x"}`
}
