package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/gen"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/loader"
)

// RunOptions are the flags and arguments of `custseg run`.
type RunOptions struct {
	IO            IO
	OpenDB        func() (*engine.DB, error)
	Files         []string
	Load          LoadFlags
	Features      FeatureFlags
	DemoCustomers int   // --demo-customers
	DataSeed      int64 // --data-seed: seeds the demo data, not k-means
	// Train holds --model and the training flags, as for train; it always
	// trains on customer_features.
	Train pipeline.TrainOptions
}

// NewCmdRun builds `custseg run`, the main job end to end.
func NewCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IO, OpenDB: f.CreateDB}
	cmd := &cobra.Command{
		Use:   "run --db FILE [CSV...]",
		Short: "The whole job: load, features, RFM, segments, report",
		Long: `Runs the main job end to end on one database: loads the CSV files (with none,
generates demo data next to the database first, DB.demo.csv.gz seeded by
--data-seed, with DB.demo.json recording --demo-customers and --data-seed:
other values generate it again, or are refused once it is loaded),
computes customer_features, fits and applies the RFM model, trains a k-means
segment model (k chosen by the elbow and the silhouette unless --k N; the training flags mean
what they mean for train), writes the prepared tables customer_segments and
segment_profiles, writes the visual report next to the database (DB.report/)
and prints a summary. Content that is already in the database is not loaded
again, so run can be repeated.`,
		RunE: func(cmd *cobra.Command, files []string) error {
			opts.Files = files
			if opts.DemoCustomers <= 0 {
				return fmt.Errorf("--demo-customers must be positive, got %d", opts.DemoCustomers)
			}
			if err := checkTraining(opts.Train); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runAll(cmd.Context(), opts)
		},
	}
	addLoadFlags(cmd, &opts.Load)
	addFeatureFlags(cmd, &opts.Features)
	cmd.Flags().IntVar(&opts.DemoCustomers, "demo-customers", 5000, "`N` customers in the generated demo data (no CSV given)")
	cmd.Flags().Int64Var(&opts.DataSeed, "data-seed", 1, "random `SEED` of the generated demo data (no CSV given); see --seed for k-means")
	cmd.Flags().StringVar(&opts.Train.Model, "model", pipeline.DefaultSegmentsModel, "registry `NAME` the new segment model version is stored under")
	addTrainingFlags(cmd, &opts.Train)
	return cmd
}

// derivedFile names a file run writes next to the database from the whole
// database file name, so that r2.duckdb and r2.db never share one.
func derivedFile(dbPath, suffix string) string { return dbPath + suffix }

// demoFile is where run keeps the demo data of a database, and demoParams
// the sidecar recording what generated it.
func demoFile(dbPath string) string   { return derivedFile(dbPath, ".demo.csv.gz") }
func demoParams(dbPath string) string { return derivedFile(dbPath, ".demo.json") }

// demoSpec is what the demo data was generated with.
type demoSpec struct {
	Customers int   `json:"customers"`
	Seed      int64 `json:"data_seed"`
}

func (d demoSpec) String() string {
	return fmt.Sprintf("%d customers, data seed %d", d.Customers, d.Seed)
}

// demoData returns the demo file of db generated with want: the existing
// one when it was generated with want, else a new one. Demo data generated
// otherwise that this database may already hold is not replaced: loading
// the new file would add its customers to the old ones.
func demoData(ctx context.Context, out io.Writer, db *engine.DB, want demoSpec) (string, error) {
	demo, params := demoFile(db.Path), demoParams(db.Path)
	if _, err := os.Stat(demo); err == nil {
		var have demoSpec
		b, err := os.ReadFile(params)
		recorded := err == nil && json.Unmarshal(b, &have) == nil
		if recorded && have == want {
			fmt.Fprintf(out, "generate: using existing demo data %s (%s)\n", demo, have)
			return demo, nil
		}
		var loaded int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM load_files`).Scan(&loaded); err != nil {
			return "", fmt.Errorf("run: %w", err)
		}
		switch {
		case loaded > 0 && !recorded:
			fmt.Fprintf(out, "generate: using existing demo data %s (its parameters were not recorded)\n", demo)
			return demo, nil
		case loaded > 0:
			return "", fmt.Errorf("run: %s holds data already loaded from %s (%s); demo data for --demo-customers %d --data-seed %d needs a new --db (or repeat those flags)",
				db.Path, demo, have, want.Customers, want.Seed)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	st, err := gen.WriteFile(demo, gen.Options{Customers: want.Customers, Seed: want.Seed})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(want)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(params, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("run: recording the demo parameters: %w", err)
	}
	fmt.Fprintf(out, "generate: no CSV given, wrote demo data %s for %s (%d rows, %d customers with purchases)\n", demo, want, st.Rows, st.Customers)
	return demo, nil
}

func runAll(ctx context.Context, opts *RunOptions) error {
	out := opts.IO.Out
	start := time.Now()
	db, err := opts.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	files := opts.Files
	if len(files) == 0 {
		demo, err := demoData(ctx, out, db, demoSpec{Customers: opts.DemoCustomers, Seed: opts.DataSeed})
		if err != nil {
			return err
		}
		files = []string{demo}
	}
	lo := &LoadOptions{IO: opts.IO, Load: opts.Load}
	for _, f := range files {
		err := loadFiles(ctx, lo, db, []string{f})
		if errors.Is(err, loader.ErrDuplicate) {
			fmt.Fprintf(out, "load: %s is already in the database; not loaded again\n", f)
			continue
		}
		if err != nil {
			return err
		}
	}
	fo, err := opts.Features.featureOptions()
	if err != nil {
		return err
	}
	if _, err := prepareFeatures(ctx, out, db, fo, pipeline.DefaultRFMModel); err != nil {
		return err
	}
	if err := printRFMSummary(ctx, out, db); err != nil {
		return err
	}
	fmt.Fprintln(out)
	to := opts.Train
	to.From = "" // the customers, so the prepared tables are scored
	res, err := trainAndScore(ctx, opts.IO, db, to, pipeline.ScoreAlways)
	if err != nil {
		return err
	}
	if err := writeReport(ctx, opts.IO, db, res.Version.Ref(), ""); err != nil {
		return err
	}
	fmt.Fprintf(out, "done in %s: %s (%s)\n", time.Since(start).Round(time.Millisecond), db.Path, db.Kind)
	return nil
}

// printRFMSummary prints customers, share and revenue per RFM segment.
func printRFMSummary(ctx context.Context, out io.Writer, db *engine.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT rfm_segment AS segment,
		       count(*) AS customers,
		       round(100.0 * count(*) / (SELECT count(*) FROM customer_rfm), 1) AS "share %",
		       round(avg(recency_days), 1) AS "avg recency d",
		       round(avg(frequency), 1) AS "avg frequency",
		       round(avg(monetary), 2) AS "avg monetary",
		       round(100.0 * sum(monetary) / (SELECT sum(monetary) FROM customer_rfm), 1) AS "revenue %"
		FROM customer_rfm
		GROUP BY rfm_segment
		ORDER BY sum(monetary) DESC`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(out, "\nRFM segments")
	_, err = output.Write(out, rows, output.Table)
	return err
}
