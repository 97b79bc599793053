package dataset

import (
	"math"
	"strings"
	"testing"
)

func TestCheckAndEncode(t *testing.T) {
	fs := []Feature{{Name: "age", Type: Numeric}, {Name: "country", Type: Categorical}}
	d := &Dataset{Features: fs, Rows: [][]Value{{Num(30), Cat("UK")}, {Num(math.NaN()), Cat("")}, {Num(5), Cat("FR")}},
		Labels: []string{"b", "a", "b"}}
	e, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(e.Classes, ",") != "a,b" || e.Y[0] != 1 || strings.Join(e.Features[1].Categories, ",") != "FR,UK" ||
		e.Cat[1][0] != 1 || e.Cat[1][1] != -1 || !math.IsNaN(e.Num[0][1]) || e.Features[1].Code(Cat("DE")) != -1 {
		t.Errorf("encoded %+v", e)
	}
	for _, c := range []struct {
		edit func(d *Dataset)
		want string
	}{
		{func(d *Dataset) { d.Rows = nil; d.Labels = nil }, "no training rows"},
		{func(d *Dataset) { d.Labels = d.Labels[:2] }, "3 rows but 2 labels"},
		{func(d *Dataset) { d.Rows[2] = d.Rows[2][:1] }, "row 2 has 1 values, want 2"},
		{func(d *Dataset) { d.Rows[0][0] = Num(math.Inf(-1)) }, `row 0, feature "age": -Inf`},
		{func(d *Dataset) { d.Labels = []string{"a", "a", "a"} }, `one class ("a")`},
		{func(d *Dataset) { d.Labels[1] = "" }, "row 1 has an empty label"},
		{func(d *Dataset) { d.Features = []Feature{fs[0], {Name: "age", Type: Numeric}} }, `"age" appears twice`},
		{func(d *Dataset) { d.Features = []Feature{fs[0], {Name: "c", Type: "text"}} }, `type "text"`},
	} {
		d := &Dataset{Features: fs, Rows: [][]Value{{Num(30), Cat("UK")}, {Num(1), Cat("")}, {Num(5), Cat("FR")}}, Labels: []string{"b", "a", "b"}}
		c.edit(d)
		if _, err := d.Encode(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want an error naming %q", err, c.want)
		}
	}
}

func TestImpurities(t *testing.T) {
	if g := Gini([]float64{5, 5}); g != 0.5 {
		t.Errorf("Gini(5,5) = %v", g)
	}
	if h := Entropy([]float64{9, 5}); math.Abs(h-0.940285958670631) > 1e-12 { // Quinlan's weather root
		t.Errorf("Entropy(9,5) = %v", h)
	}
	if Entropy([]float64{0, 0}) != 0 || Gini(nil) != 0 || Argmax([]float64{2, 3, 3}) != 1 {
		t.Error("empty counts or argmax tie")
	}
}
