package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/gen"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/loader"
)

// RunOptions are the flags of `custseg run`.
type RunOptions struct {
	*Root
	Load      LoadOptions
	Features  FeaturesOptions
	Train     TrainOptions
	Customers int
	Seed      int64
}

// NewCmdRun builds `custseg run`, the main job end to end.
func NewCmdRun(root *Root) *cobra.Command {
	opts := &RunOptions{Root: root}
	opts.Load.Root = root
	opts.Features.Root = root
	opts.Train.Root = root
	cmd := &cobra.Command{
		Use:   "run --db FILE [CSV...]",
		Short: "The whole job: load, features, RFM, segments, report",
		Long: `Runs the main job end to end on one database: loads the CSV files (with none,
generates demo data next to the database first), computes customer_features,
fits and applies the RFM model, trains a k-means segment model with k chosen
by silhouette (--k auto), writes the prepared tables customer_segments and
segment_profiles, writes the visual report next to the database (DB.report/)
and prints a summary. Content that is already
in the database is not loaded again, so run can be repeated.`,
		RunE: func(cmd *cobra.Command, files []string) error {
			return runAll(cmd, opts, files)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Load.Map, "map", nil, "map a table `column=Header` of the file (repeatable)")
	cmd.Flags().StringVar(&opts.Load.DateFormat, "date-format", "", "extra date `LAYOUT` tried first")
	cmd.Flags().StringVar(&opts.Load.Encoding, "encoding", "utf-8", "input `ENCODING`: utf-8 or latin-1")
	cmd.Flags().StringVar(&opts.Features.AsOf, "as-of", "", "reference `TIMESTAMP` for recency")
	cmd.Flags().IntVar(&opts.Customers, "demo-customers", 5000, "customers in generated demo data (no CSV given)")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 1, "random `SEED` for demo data")
	cmd.Flags().StringVar(&opts.Train.Model, "model", "segments", "registry `NAME` of the segment model")
	cmd.Flags().StringVar(&opts.Train.K, "k", "auto", "number of segments `N`, or auto")
	cmd.Flags().IntVar(&opts.Train.KMin, "k-min", 2, "smallest k tried by --k auto")
	cmd.Flags().IntVar(&opts.Train.KMax, "k-max", 8, "largest k tried by --k auto")
	opts.Train.Features = "recency_days,frequency,monetary"
	opts.Train.Transform, opts.Train.Scale, opts.Train.NInit = "log1p", "standard", 10
	return cmd
}

func runAll(cmd *cobra.Command, opts *RunOptions, files []string) error {
	out := cmd.OutOrStdout()
	start := time.Now()
	if opts.DB == "" {
		return fmt.Errorf("--db FILE is required (e.g. --db demo.duckdb)")
	}
	if len(files) == 0 {
		demo := strings.TrimSuffix(opts.DB, filepath.Ext(opts.DB)) + ".demo.csv.gz"
		if _, err := os.Stat(demo); err != nil {
			st, err := gen.WriteFile(demo, gen.Options{Customers: opts.Customers, Seed: opts.Seed})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "generate: no CSV given, wrote demo data %s (%d rows, %d customers, seed %d)\n", demo, st.Rows, st.Customers, opts.Seed)
		} else {
			fmt.Fprintf(out, "generate: using existing demo data %s\n", demo)
		}
		files = []string{demo}
	}
	db, err := opts.open()
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range files {
		err := loadFiles(cmd, &opts.Load, db, []string{f})
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
	if _, err := featuresAndRFM(cmd, db, fo, opts.Features.modelName()); err != nil {
		return err
	}
	if err := printRFMSummary(cmd, db); err != nil {
		return err
	}
	fmt.Fprintln(out)
	res, err := trainAndScore(cmd, db, &opts.Train)
	if err != nil {
		return err
	}
	if err := writeReport(cmd, db, res.Version.Ref(), ""); err != nil {
		return err
	}
	fmt.Fprintf(out, "done in %s: %s (%s)\n", time.Since(start).Round(time.Millisecond), opts.DB, db.Kind)
	return nil
}

func (opts *FeaturesOptions) modelName() string {
	if opts.Model == "" {
		return "rfm"
	}
	return opts.Model
}

// printRFMSummary prints customers, share and revenue per RFM segment.
func printRFMSummary(cmd *cobra.Command, db *engine.DB) error {
	rows, err := db.QueryContext(cmd.Context(), `
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
	fmt.Fprintln(cmd.OutOrStdout(), "\nRFM segments")
	_, err = output.Write(cmd.OutOrStdout(), rows, output.Table)
	return err
}
