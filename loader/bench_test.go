package loader

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Timing on the real file: go test -run XXX -bench . -benchtime 3x ./loader/

func BenchmarkLoadOnlineRetail(b *testing.B) {
	path := dataFile(b, "online_retail.csv.gz")
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := openDB(b, e.ext)
				b.StartTimer()
				if _, err := Load(context.Background(), db.DB, []string{path}, Options{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkDuckDBReadCSV is the reference: DuckDB's own CSV reader
// creating a table from the same file (types sniffed).
func BenchmarkDuckDBReadCSV(b *testing.B) {
	path, _ := filepath.Abs(dataFile(b, "online_retail.csv.gz"))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := openDB(b, ".duckdb")
		b.StartTimer()
		if _, err := db.Exec("CREATE TABLE t AS SELECT * FROM read_csv('" + path + "')"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkParseOnly is gunzip + record reading + conversion, no database.
func BenchmarkParseOnly(b *testing.B) {
	path := dataFile(b, "online_retail.csv.gz")
	for i := 0; i < b.N; i++ {
		src, err := openSource(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		rr := newRecordReader(src.r, DefaultMaxRecordBytes)
		hdr, _ := rr.next()
		lay, err := newLayout(append([]string(nil), hdr.fields...), nil)
		if err != nil {
			b.Fatal(err)
		}
		conv := &converter{l: lay, dates: newDateParser("")}
		var r row
		for {
			rec, err := rr.next()
			if err == io.EOF {
				break
			}
			if conv.convert(rec.fields, &r) != "" {
				b.Fatal("reject")
			}
		}
		src.f.Close()
	}
}

func BenchmarkGunzipOnly(b *testing.B) {
	path := dataFile(b, "online_retail.csv.gz")
	for i := 0; i < b.N; i++ {
		src, _ := openSource(path, nil)
		io.Copy(io.Discard, src.r)
		src.f.Close()
	}
	_ = os.Stdout
}
