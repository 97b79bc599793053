// Package sklearnsplit reads the data sets testdata/sklearn/tree_reference.py
// wrote for the classifier tests (udf/tree, udf/forest) to compare with
// scikit-learn: testdata/sklearn/tree_<name>.csv, columns set = train|test,
// the numeric features, y = the class.
package sklearnsplit

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
)

// Read reads dir/tree_<name>.csv into its train and test sets.
func Read(dir, name string) (train, test *dataset.Dataset, err error) {
	path := filepath.Join(dir, "tree_"+name+".csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) < 2 || len(recs[0]) < 3 {
		return nil, nil, fmt.Errorf("sklearnsplit: %s has no rows or no features", path)
	}
	head := recs[0]
	var fs []dataset.Feature
	for _, h := range head[1 : len(head)-1] {
		fs = append(fs, dataset.Feature{Name: h, Type: dataset.Numeric})
	}
	train, test = &dataset.Dataset{Features: fs}, &dataset.Dataset{Features: fs}
	for line, r := range recs[1:] {
		row := make([]dataset.Value, len(fs))
		for j := range fs {
			v, err := strconv.ParseFloat(r[j+1], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("sklearnsplit: %s line %d: %w", path, line+2, err)
			}
			row[j] = dataset.Num(v)
		}
		d := train
		if r[0] == "test" {
			d = test
		}
		d.Rows = append(d.Rows, row)
		d.Labels = append(d.Labels, r[len(r)-1])
	}
	return train, test, nil
}

// MustRead is Read for tests: it fails t on any error.
func MustRead(t testing.TB, dir, name string) (train, test *dataset.Dataset) {
	t.Helper()
	train, test, err := Read(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}
