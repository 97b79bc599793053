package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/gen"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/report"
	"github.com/custseg/custseg/loader"
	"github.com/custseg/custseg/udf/kmeans"
)

// TestReportPairsSegmentsWithCustomers: every point of the report carries
// the segment of its own customer. On SQLite an index on segment makes
// `SELECT segment FROM customer_segments` a covering-index scan (rows in
// segment order) while the feature columns come in table order, so reading
// the two in separate queries and pairing them by position, as the report
// once did, gives customers other customers' segments; the test first
// checks that the two orders really differ there.
func TestReportPairsSegmentsWithCustomers(t *testing.T) {
	ctx := context.Background()
	csv := filepath.Join(t.TempDir(), "tx.csv")
	if _, err := gen.WriteFile(csv, gen.Options{Customers: 4300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := loader.Load(ctx, db.DB, []string{csv}, loader.Options{}); err != nil {
				t.Fatal(err)
			}
			fs, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := pipeline.FitRFM(ctx, db, "rfm", fs.AsOf); err != nil {
				t.Fatal(err)
			}
			res, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "pairs", K: 4, Transform: "log1p", Scale: "standard", NInit: 3})
			if err != nil {
				t.Fatal(err)
			}
			v, err := pipeline.Score(ctx, db, "pairs")
			if err != nil {
				t.Fatal(err)
			}
			m := res.Model
			if db.Kind == engine.SQLite {
				if _, err := db.Exec(`CREATE INDEX customer_segments_segment ON customer_segments (segment)`); err != nil {
					t.Fatal(err)
				}
				if wrong := positionalMismatches(t, db, m); wrong == 0 {
					t.Fatal("the covering index did not change the row order: the test cannot tell a positional pairing")
				} else {
					t.Logf("pairing by position would give %d customers a wrong segment", wrong)
				}
			}
			in, err := pipeline.ReportInput(ctx, db, v.Ref())
			if err != nil {
				t.Fatal(err)
			}
			var customers int
			if err := db.QueryRow(`SELECT count(*) FROM customer_segments`).Scan(&customers); err != nil {
				t.Fatal(err)
			}
			if len(in.Points) != customers {
				t.Fatalf("%d points for %d customers", len(in.Points), customers)
			}
			labels := make([]int, customers)
			for i, p := range in.Points {
				want, _, err := m.Assign(p.Values)
				if err != nil {
					t.Fatal(err)
				}
				if p.Segment != want {
					t.Fatalf("point %d %v: segment %d, the model assigns %d", i, p.Values, p.Segment, want)
				}
				labels[i] = want
			}
			// More customers than the silhouette plot draws: its sample is
			// kmeans.Sample's, with each customer's own segment.
			if customers <= pipeline.ReportSilhouetteSample {
				t.Fatalf("%d customers: the test needs more than %d to check the silhouette sample", customers, pipeline.ReportSilhouetteSample)
			}
			d := len(m.Features)
			_, want := kmeans.Sample(make([]float64, customers*d), labels, d, pipeline.ReportSilhouetteSample, m.Seed)
			if !slices.Equal(in.Labels, want) || len(in.Silhouettes) != len(want) {
				t.Errorf("silhouette sample: %d labels and %d values, not kmeans.Sample's %d labels", len(in.Labels), len(in.Silhouettes), len(want))
			}
			if in.SilhouetteOf != customers {
				t.Errorf("silhouette sample drawn from %d customers, want %d", in.SilhouetteOf, customers)
			}
			// The chart prints the model's stored silhouette with its method
			// (one figure in the whole report) and says the bars are a sample.
			index, err := report.Write(filepath.Join(t.TempDir(), "report"), in)
			if err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			sample := fmt.Sprintf("a sample of %d,%03d of %d,%03d customers", len(want)/1000, len(want)%1000, customers/1000, customers%1000)
			for _, s := range []string{"Dashed red line: the model&#39;s silhouette, " + m.SilhouetteText(), sample} {
				if !strings.Contains(string(page), s) {
					t.Errorf("index.html lacks %q", s)
				}
			}
		})
	}
}

// positionalMismatches reads features and segments in two unordered queries
// (the old report's way) and counts the rows whose paired segment is not
// the one the model assigns to the paired features.
func positionalMismatches(t *testing.T, db *engine.DB, m *kmeans.Model) int {
	t.Helper()
	column := func(q string, scan func() []any) {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(scan()...); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var values [][]float64
	column("SELECT "+strings.Join(m.Features, ", ")+" FROM customer_segments", func() []any {
		values = append(values, make([]float64, len(m.Features)))
		dest := make([]any, len(m.Features))
		for j := range dest {
			dest[j] = &values[len(values)-1][j]
		}
		return dest
	})
	var segments []int
	column("SELECT segment FROM customer_segments", func() []any {
		segments = append(segments, 0)
		return []any{&segments[len(segments)-1]}
	})
	if len(values) != len(segments) {
		t.Fatalf("%d feature rows, %d segments", len(values), len(segments))
	}
	wrong := 0
	for i, x := range values {
		if want, _, err := m.Assign(x); err != nil {
			t.Fatal(err)
		} else if want != segments[i] {
			wrong++
		}
	}
	return wrong
}
