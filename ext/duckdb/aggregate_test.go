package duckdb

import (
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/cluster"
)

// pointsState collects (label, x1..xd) rows for the test aggregates below,
// which wrap the pure-Go batch metrics of udf/cluster.
type pointsState struct {
	fn     *catalog.Function
	labels []int
	x      []float64
	d      int
	merges *atomic.Int64
	metric func(x []float64, d int, labels []int) (float64, error)
}

func (s *pointsState) Step(c *catalog.Call, args []catalog.Value) error {
	l, err := s.fn.Int(args, 0)
	if err != nil {
		return err
	}
	d := len(args) - 1
	if s.d == 0 {
		s.d = d
	} else if s.d != d {
		return s.fn.Errorf("rows have %d and %d features", s.d, d)
	}
	for i := 1; i < len(args); i++ {
		x, err := s.fn.Float(args, i)
		if err != nil {
			return err
		}
		s.x = append(s.x, x)
	}
	s.labels = append(s.labels, int(l))
	return nil
}

func (s *pointsState) Merge(other catalog.AggregateState) error {
	o := other.(*pointsState)
	if o.d != 0 && s.d != 0 && o.d != s.d {
		return s.fn.Errorf("rows have %d and %d features", s.d, o.d)
	}
	if s.d == 0 {
		s.d = o.d
	}
	s.labels = append(s.labels, o.labels...)
	s.x = append(s.x, o.x...)
	s.merges.Add(1)
	return nil
}

func (s *pointsState) Final(c *catalog.Call) (catalog.Value, error) {
	if len(s.labels) == 0 {
		return catalog.NullValue(), nil
	}
	v, err := s.metric(s.x, s.d, s.labels)
	if err != nil {
		return catalog.Value{}, err
	}
	return catalog.DoubleValue(v), nil
}

// testAggregate builds an aggregate (label, x1, ..., xd) -> metric that
// counts its merges, to prove that DuckDB combined partial states.
func testAggregate(name string, metric func([]float64, int, []int) (float64, error)) (*catalog.Function, *atomic.Int64) {
	merges := new(atomic.Int64)
	f := &catalog.Function{
		Name:          name,
		Kind:          catalog.Aggregate,
		Params:        []catalog.Param{{Name: "label", Type: catalog.Integer}},
		Variadic:      &catalog.Param{Name: "x", Type: catalog.Double},
		MinVariadic:   1,
		MaxVariadic:   4,
		Result:        catalog.Double,
		Deterministic: true,
		Null:          catalog.SkipNullRows,
	}
	f.NewAggregate = func() catalog.AggregateState {
		return &pointsState{fn: f, merges: merges, metric: metric}
	}
	return f, merges
}

// blobsSQL creates table pts(g, label, x, y): n points in groups of
// n/groups, three well separated clusters per group, with coordinates from
// integer arithmetic (the same in every DuckDB version).
func blobsSQL(n, groups int) string {
	return fmt.Sprintf(`CREATE OR REPLACE TABLE pts AS
		SELECT i %% %d AS g, (i // 7) %% 3 AS label,
		       ((i * 7919) %% 1000) / 1000.0 + 3 * ((i // 7) %% 3) AS x,
		       ((i * 104729) %% 997) / 997.0 AS y
		FROM range(%d) t(i)`, groups, n)
}

func blobs(t testing.TB, db *sql.DB, n, groups int) {
	t.Helper()
	if _, err := db.Exec(blobsSQL(n, groups)); err != nil {
		t.Fatal(err)
	}
}

// batch reads pts back and computes metric per group with the pure-Go call.
func batch(t testing.TB, db *sql.DB, metric func([]float64, int, []int) (float64, error)) map[int64]float64 {
	t.Helper()
	rows, err := db.Query(`SELECT g, label, x, y FROM pts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	xs, ls := map[int64][]float64{}, map[int64][]int{}
	for rows.Next() {
		var g, l int64
		var x, y float64
		if err := rows.Scan(&g, &l, &x, &y); err != nil {
			t.Fatal(err)
		}
		xs[g] = append(xs[g], x, y)
		ls[g] = append(ls[g], int(l))
	}
	out := map[int64]float64{}
	for g := range xs {
		v, err := metric(xs[g], 2, ls[g])
		if err != nil {
			t.Fatal(err)
		}
		out[g] = v
	}
	return out
}

func TestAggregateGroupBy(t *testing.T) {
	db := openDB(t)
	f, _ := testAggregate("test_silhouette", cluster.Silhouette)
	if err := registerWith(db, []*catalog.Function{f}, nil); err != nil {
		t.Fatal(err)
	}
	blobs(t, db, 20000, 40)
	want := batch(t, db, cluster.Silhouette)
	rows, err := db.Query(`SELECT g, test_silhouette(label, x, y) FROM pts GROUP BY g`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var g int64
		var s float64
		if err := rows.Scan(&g, &s); err != nil {
			t.Fatal(err)
		}
		// Expected: udf/cluster.Silhouette on the same points (the batch
		// call); only the summation order differs.
		if math.Abs(s-want[g]) > 1e-9 {
			t.Errorf("group %d: silhouette %v, batch %v", g, s, want[g])
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(want) || seen != 40 {
		t.Fatalf("%d groups, want %d", seen, len(want))
	}
}

func TestAggregateParallelCombine(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1) // SET threads applies to the session
	f, merges := testAggregate("test_silhouette_simplified", cluster.SilhouetteSimplified)
	if err := registerWith(db, []*catalog.Function{f}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`SET threads = 2`); err != nil {
		t.Fatal(err)
	}
	blobs(t, db, 200000, 1)
	want := batch(t, db, cluster.SilhouetteSimplified)[0]
	var got float64
	if err := db.QueryRow(`SELECT test_silhouette_simplified(label, x, y) FROM pts`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	// Expected: udf/cluster.SilhouetteSimplified on the same 200k points.
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("parallel aggregate %v, batch %v", got, want)
	}
	if merges.Load() == 0 {
		t.Fatalf("DuckDB never combined partial states: the plan was not parallel")
	}
	t.Logf("200k rows, %d merges, simplified silhouette %.6f", merges.Load(), got)

	// An empty input gives NULL, a NULL row is skipped.
	var empty sql.NullFloat64
	if err := db.QueryRow(`SELECT test_silhouette_simplified(label, x, y) FROM pts WHERE x < -1`).Scan(&empty); err != nil {
		t.Fatal(err)
	}
	if empty.Valid {
		t.Fatalf("empty input: %v, want NULL", empty.Float64)
	}
	var withNull float64
	if err := db.QueryRow(`SELECT test_silhouette_simplified(label, x, y) FROM (SELECT * FROM pts UNION ALL SELECT 0, NULL, 1.0, 1.0)`).Scan(&withNull); err != nil {
		t.Fatal(err)
	}
	if math.Abs(withNull-want) > 1e-9 {
		t.Fatalf("with a NULL row %v, want %v", withNull, want)
	}
}

func TestAggregateErrors(t *testing.T) {
	db := openDB(t)
	f, _ := testAggregate("test_sil", cluster.Silhouette)
	if err := registerWith(db, []*catalog.Function{f}, nil); err != nil {
		t.Fatal(err)
	}
	// One cluster only: the metric's error, prefixed with the function name.
	_, err := db.Exec(`SELECT test_sil(1, i::DOUBLE) FROM range(10) t(i)`)
	if err == nil || !contains(err.Error(), "test_sil: ") {
		t.Fatalf("err = %v, want a test_sil error", err)
	}
	// Too many features for the registered overloads: DuckDB's binder error.
	if _, err := db.Exec(`SELECT test_sil(1, 1, 2, 3, 4, 5)`); err == nil {
		t.Fatal("6 arguments accepted")
	}
}

// catalogAggregate returns the catalog's aggregate name (label, x1, ..., xd).
func catalogAggregate(t *testing.T, name string) *catalog.Function {
	t.Helper()
	f := catalog.Lookup(name)
	if f == nil || f.Kind != catalog.Aggregate {
		t.Fatalf("the catalog has no aggregate %s", name)
	}
	return f
}

// TestCatalogMetricsGroupBy runs the catalog's cluster-quality aggregates
// with GROUP BY and compares each group with the pure-Go batch call of
// udf/cluster on the same points.
func TestCatalogMetricsGroupBy(t *testing.T) {
	db := openDB(t)
	blobs(t, db, 20000, 40)
	for name, metric := range map[string]func([]float64, int, []int) (float64, error){
		"silhouette":            cluster.Silhouette,
		"silhouette_simplified": cluster.SilhouetteSimplified,
		"davies_bouldin":        cluster.DaviesBouldin,
		"calinski_harabasz":     cluster.CalinskiHarabasz,
		"inertia":               cluster.Inertia,
	} {
		catalogAggregate(t, name)
		want := batch(t, db, metric)
		rows, err := db.Query(`SELECT g, ` + name + `(label, x, y) FROM pts GROUP BY g`)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		seen := 0
		for rows.Next() {
			var g int64
			var v float64
			if err := rows.Scan(&g, &v); err != nil {
				t.Fatal(err)
			}
			// Expected: the udf/cluster batch function; only the order of
			// the points (and so of the sums) differs.
			if tol := 1e-9 * (1 + abs(want[g])); abs(v-want[g]) > tol {
				t.Errorf("%s group %d: %v, batch %v", name, g, v, want[g])
			}
			seen++
		}
		rows.Close()
		if seen != 40 {
			t.Errorf("%s: %d groups, want 40", name, seen)
		}
	}
}

// TestCatalogSilhouetteParallel: the catalog's silhouette over 200k rows
// with two DuckDB threads (a parallel plan with combine), against the batch
// call. The points form 100 groups, so the O(n²) metric stays cheap.
func TestCatalogSilhouetteParallel(t *testing.T) {
	catalogAggregate(t, "silhouette")
	db := openDB(t)
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`SET threads = 2`); err != nil {
		t.Fatal(err)
	}
	blobs(t, db, 200000, 100)
	want := batch(t, db, cluster.Silhouette)
	rows, err := db.Query(`SELECT g, silhouette(label, x, y) FROM pts GROUP BY g`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var g int64
		var v float64
		if err := rows.Scan(&g, &v); err != nil {
			t.Fatal(err)
		}
		// Expected: udf/cluster.Silhouette on the same group.
		if abs(v-want[g]) > 1e-9 {
			t.Errorf("group %d: %v, batch %v", g, v, want[g])
		}
		seen++
	}
	if seen != 100 {
		t.Fatalf("%d groups", seen)
	}
	// Without GROUP BY: one state per thread, combined. The O(n) metrics run
	// over all 200k points (two row groups, so both threads scan).
	all := map[string]func([]float64, int, []int) (float64, error){
		"silhouette_simplified": cluster.SilhouetteSimplified,
		"davies_bouldin":        cluster.DaviesBouldin,
		"calinski_harabasz":     cluster.CalinskiHarabasz,
		"inertia":               cluster.Inertia,
	}
	if _, err := db.Exec(`CREATE TABLE pts_all AS SELECT 0 AS g, label, x, y FROM pts`); err != nil {
		t.Fatal(err)
	}
	for name, metric := range all {
		var x []float64
		var l []int
		r, err := db.Query(`SELECT label, x, y FROM pts_all`)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var lab int64
			var a, b float64
			if err := r.Scan(&lab, &a, &b); err != nil {
				t.Fatal(err)
			}
			x, l = append(x, a, b), append(l, int(lab))
		}
		r.Close()
		// Expected: the udf/cluster batch function on all 200k points.
		want, err := metric(x, 2, l)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		if err := db.QueryRow(`SELECT ` + name + `(label, x, y) FROM pts_all`).Scan(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if abs(got-want) > 1e-9*(1+abs(want)) {
			t.Errorf("%s over 200k rows: %v, batch %v", name, got, want)
		}
	}

	// Text labels go through the ANY parameter.
	var s1, s2 float64
	if err := db.QueryRow(`SELECT silhouette(label, x, y), silhouette('c' || label::VARCHAR, x, y) FROM pts WHERE g = 7`).Scan(&s1, &s2); err != nil {
		t.Fatal(err)
	}
	if abs(s1-want[7]) > 1e-9 || abs(s2-want[7]) > 1e-9 {
		t.Fatalf("integer labels %v, text labels %v, batch %v", s1, s2, want[7])
	}
}

func abs(x float64) float64 { return math.Abs(x) }

// TestPanicsBecomeErrors: a panic inside a callback (here: creating an
// aggregate state, outside the catalog's own recover) is an SQL error
// naming the function, and the process lives on.
func TestPanicsBecomeErrors(t *testing.T) {
	db := openDB(t)
	agg := &catalog.Function{
		Name:         "test_panicking_agg",
		Kind:         catalog.Aggregate,
		Params:       []catalog.Param{{Name: "x", Type: catalog.Double}},
		Result:       catalog.Double,
		Null:         catalog.SkipNullRows,
		NewAggregate: func() catalog.AggregateState { panic("boom") },
	}
	scalar := &catalog.Function{
		Name:   "test_panicking_scalar",
		Kind:   catalog.Scalar,
		Params: []catalog.Param{{Name: "x", Type: catalog.Double}},
		Result: catalog.Double,
		Scalar: func(*catalog.Call, []catalog.Value) (catalog.Value, error) { panic("bang") },
	}
	if err := registerWith(db, []*catalog.Function{agg, scalar}, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		`SELECT test_panicking_agg(i::DOUBLE) FROM range(10) t(i)`:    "test_panicking_agg: internal error: boom",
		`SELECT test_panicking_scalar(i::DOUBLE) FROM range(10) t(i)`: "test_panicking_scalar: internal error: bang",
	} {
		_, err := db.Exec(q)
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", q, err, want)
		}
	}
	var one int
	if err := db.QueryRow(`SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("database unusable after the panics: %v", err)
	}
}

// TestCatalogAggregateWindow: as a sliding window aggregate DuckDB builds a
// segment tree, combining the same partial states into several parents and
// finalizing states more than once; every window must still equal the
// batch call on its rows.
func TestCatalogAggregateWindow(t *testing.T) {
	catalogAggregate(t, "inertia")
	db := openDB(t)
	const n, width = 3000, 60
	blobs(t, db, n, 1)
	if _, err := db.Exec(`ALTER TABLE pts ADD COLUMN i BIGINT; UPDATE pts SET i = rowid`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT i, label, x, y, inertia(label, x, y) OVER (ORDER BY i ROWS BETWEEN %d PRECEDING AND CURRENT ROW) FROM pts ORDER BY i`, width-1))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var xs []float64
	var ls []int
	seen := 0
	for rows.Next() {
		var i, l int64
		var x, y, got float64
		if err := rows.Scan(&i, &l, &x, &y, &got); err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x, y)
		ls = append(ls, int(l))
		lo := len(ls) - width
		if lo < 0 {
			lo = 0
		}
		// Expected: udf/cluster.Inertia on the window's rows.
		want, err := cluster.Inertia(xs[2*lo:], 2, ls[lo:])
		if err != nil {
			t.Fatal(err)
		}
		if abs(got-want) > 1e-9*(1+want) {
			t.Fatalf("row %d: window inertia %v, batch %v", i, got, want)
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("%d rows", seen)
	}
}

// TestAnyParameterTypes: the ANY label of silhouette accepts every DuckDB
// type the binding converts, with the same result as integer labels; an
// unconvertible type is an error naming the function and the parameter.
func TestAnyParameterTypes(t *testing.T) {
	catalogAggregate(t, "silhouette")
	db := openDB(t)
	blobs(t, db, 3000, 1)
	var want float64
	if err := db.QueryRow(`SELECT silhouette(label, x, y) FROM pts`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{
		"label::TINYINT", "label::SMALLINT", "label::INTEGER", "label::UTINYINT", "label::USMALLINT",
		"label::UINTEGER", "label::UBIGINT", "label::HUGEINT", "label::DECIMAL(4,1)",
		"label::DECIMAL(20,2)", "label::DECIMAL(38,3)", "label::FLOAT", "label::DOUBLE", "'seg' || label::VARCHAR",
		"label = 1",
	} {
		var got float64
		q := `SELECT silhouette(` + expr + `, x, y) FROM pts`
		if expr == "label = 1" {
			// two clusters instead of three: compare with the same grouping
			q = `SELECT silhouette(label = 1, x, y) - silhouette((label = 1)::INTEGER, x, y) + ` + fmt.Sprint(want) + ` FROM pts`
		}
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if abs(got-want) > 1e-12 {
			t.Errorf("%s: %v, integer labels %v", expr, got, want)
		}
	}
	// A fractional label reaches the catalog, which rejects it.
	_, err := db.Exec(`SELECT silhouette((label + 0.5)::DECIMAL(4,1), x, y) FROM pts`)
	if err == nil || !contains(err.Error(), "silhouette: label") {
		t.Fatalf("label 0.5: err = %v", err)
	}
	_, err = db.Exec(`SELECT silhouette(DATE '2020-01-01' + label::INTEGER, x, y) FROM pts`)
	if err == nil || !contains(err.Error(), "silhouette: label has a DuckDB type custseg cannot read") {
		t.Fatalf("DATE label: err = %v", err)
	}
}

// TestCatalogAggregateManyGroups: 50k groups on two threads make DuckDB
// partition and move its aggregate hash tables; the 8-byte handle states
// must survive that (no lost, doubled or freed state).
func TestCatalogAggregateManyGroups(t *testing.T) {
	catalogAggregate(t, "inertia")
	db := openDB(t)
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`SET threads = 2`); err != nil {
		t.Fatal(err)
	}
	groups, n := 50000, 500000
	if raceEnabled {
		groups, n = 5000, 50000
	}
	blobs(t, db, n, groups)
	var count int64
	var got, want float64
	if err := db.QueryRow(`SELECT count(*), sum(v) FROM (SELECT g, inertia(label, x, y) AS v FROM pts GROUP BY g)`).Scan(&count, &got); err != nil {
		t.Fatal(err)
	}
	// Expected: the same inertia in plain SQL, DuckDB's own avg() per
	// (group, label) for the cluster means.
	if err := db.QueryRow(`SELECT sum((x - mx)^2 + (y - my)^2) FROM pts
		JOIN (SELECT g, label, avg(x) AS mx, avg(y) AS my FROM pts GROUP BY g, label) USING (g, label)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if count != int64(groups) || abs(got-want) > 1e-9*want {
		t.Fatalf("%d groups (want %d), total inertia %v, plain SQL %v", count, groups, got, want)
	}
}

// TestAggregateStatesReleased: every Go state DuckDB made us create is
// released through the destroy callback (its cgo.Handle deleted), so the
// garbage collector reclaims all of them after the query.
func TestAggregateStatesReleased(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`SET threads = 2`); err != nil {
		t.Fatal(err)
	}
	f, _ := testAggregate("test_released", cluster.Inertia)
	var created, collected atomic.Int64
	newState := f.NewAggregate
	f.NewAggregate = func() catalog.AggregateState {
		st := newState()
		created.Add(1)
		runtime.AddCleanup(st.(*pointsState), func(*atomic.Int64) { collected.Add(1) }, &collected)
		return st
	}
	if err := registerWith(db, []*catalog.Function{f}, nil); err != nil {
		t.Fatal(err)
	}
	blobs(t, db, 200000, 20000)
	var n int64
	var sum float64
	if err := db.QueryRow(`SELECT count(*), sum(v) FROM (SELECT g, test_released(label, x, y) AS v FROM pts GROUP BY g)`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	var total float64
	if err := db.QueryRow(`SELECT test_released(label, x, y) FROM pts`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for collected.Load() < created.Load() && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if created.Load() < 20000 || collected.Load() != created.Load() {
		t.Fatalf("%d states created, %d released", created.Load(), collected.Load())
	}
	t.Logf("%d groups: %d states created and released", n, created.Load())
}
