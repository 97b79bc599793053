package retailfixture

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// DataDir is the shared real-data folder: ../shared/data beside the
// repository root (the data lives next to the repository, never inside it).
func DataDir() string {
	_, here, _, _ := runtime.Caller(0) // <root>/internal/retailfixture/data.go
	return filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "data")
}

// DataFile returns the path of the real data file name in DataDir. When it
// is absent the test fails under CI (CI must have shared/ beside the
// repository) and is skipped elsewhere.
func DataFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(DataDir(), name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: CI must have ../shared/data beside the repository", p)
		}
		t.Skipf("real data %s not present: skipping", p)
	}
	return p
}

// Customers is Features of the UCI Online Retail file in DataDir, for tests
// (fails or skips as DataFile does).
func Customers(t testing.TB) (rows []float64, n int) {
	t.Helper()
	return Datasets[0].Customers(t)
}

// Dataset is one of the real files in DataDir with the reader of its
// features.
type Dataset struct {
	Name, File string
	Features   func(path string) ([]float64, int, error)
}

// Datasets are the three real files (see DataDir's README).
var Datasets = []Dataset{
	{"Online Retail", "online_retail.csv.gz", Features},
	{"Online Retail II", "online_retail_ii_2009_2010.csv.gz", Features},
	{"CDNOW", "cdnow_master.csv.gz", CDNOWFeatures},
}

// Customers returns the dataset's customer features (fails or skips as
// DataFile does).
func (ds Dataset) Customers(t testing.TB) (rows []float64, n int) {
	t.Helper()
	rows, n, err := ds.Features(DataFile(t, ds.File))
	if err != nil {
		t.Fatal(err)
	}
	return rows, n
}
