package loader_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/loader"
)

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "custseg")
	defer os.RemoveAll(dir)
	db, err := engine.Open(filepath.Join(dir, "shop.duckdb"), "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	sums, err := loader.Load(context.Background(), db.DB, []string{"../testdata/loader/bad.csv"}, loader.Options{
		// Progress: os.Stderr, when stderr is a terminal.
	})
	if err != nil {
		log.Fatal(err) // nothing was loaded
	}
	for _, s := range sums {
		fmt.Println(s.Records, "records:", s.Loaded, "loaded,", s.Rejected, "rejected,", s.Blank, "blank lines")
	}
	var line int64
	var reason string
	db.QueryRow("SELECT line, reason FROM load_rejects ORDER BY line LIMIT 1").Scan(&line, &reason)
	fmt.Println(line, reason)
	// Output:
	// 13 records: 5 loaded, 8 rejected, 2 blank lines
	// 6 quantity: "abc" is not an integer
}
