package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
generates demo data next to the database first, seeded by --data-seed),
computes customer_features, fits and applies the RFM model, trains a k-means
segment model (k chosen by silhouette unless --k N; the training flags mean
what they mean for train), writes the prepared tables customer_segments and
segment_profiles, writes the visual report next to the database (DB.report/)
and prints a summary. Content that is already in the database is not loaded
again, so run can be repeated.`,
		RunE: func(cmd *cobra.Command, files []string) error {
			opts.Files = files
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

// demoFile is where run keeps the demo data of a database.
func demoFile(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".demo.csv.gz"
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
		demo := demoFile(db.Path)
		if _, err := os.Stat(demo); err != nil {
			st, err := gen.WriteFile(demo, gen.Options{Customers: opts.DemoCustomers, Seed: opts.DataSeed})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "generate: no CSV given, wrote demo data %s (%d rows, %d customers, data seed %d)\n", demo, st.Rows, st.Customers, opts.DataSeed)
		} else {
			fmt.Fprintf(out, "generate: using existing demo data %s\n", demo)
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
	res, err := trainAndScore(ctx, opts.IO, db, to, true)
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
