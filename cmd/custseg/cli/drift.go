package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/drift"
)

// DriftOptions are the flags of `custseg drift`.
type DriftOptions struct {
	IO        IO
	OpenDB    func() (*engine.DB, error)
	Model     string // --model NAME[@VERSION]
	AsOf      string // --as-of, parsed by parseTimestamp
	Threshold float64
}

// exitDrift is the exit status when drift crosses the threshold, so a
// scheduler can re-train.
const exitDrift = 3

// NewCmdDrift builds `custseg drift` and its subcommand backtest.
func NewCmdDrift(f *Factory, runF func(*DriftOptions) error) *cobra.Command {
	opts := &DriftOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "drift --db FILE --model NAME [--as-of TIMESTAMP] [--threshold 0.2]",
		Short: "Compare today's customers with the model's training snapshot",
		Long: `Compares the customers' features now (customer_features), or as of a date
(computed from transactions with the default cleaning), with the training
snapshot stored in the model: the population stability index (PSI) of each
feature against the training bins, the shift in segment shares, and the mean
distance to the centroids.

  PSI = sum over bins of (actual - expected) * ln(actual / expected)

Verdict: PSI < 0.1 stable; up to --threshold watch; at or above it re-train.
Exit status 3 when the threshold is crossed, so schedulers can act.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return driftRun(cmd.Context(), opts)
		},
	}
	addModelRefFlag(cmd, &opts.Model)
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "compute the features as of `TIMESTAMP` instead of using customer_features")
	addThresholdFlag(cmd, &opts.Threshold)
	cmd.AddCommand(NewCmdBacktest(f, nil))
	return cmd
}

func addThresholdFlag(cmd *cobra.Command, t *float64) {
	cmd.Flags().Float64Var(t, "threshold", drift.DefaultThreshold, "PSI at which re-training is advised")
}

func driftRun(ctx context.Context, opts *DriftOptions) error {
	do := pipeline.DriftOptions{Model: opts.Model, Threshold: opts.Threshold}
	if opts.AsOf != "" {
		t, err := parseTimestamp(opts.AsOf)
		if err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
		do.AsOf = t
	}
	db, err := opts.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := pipeline.Drift(ctx, db, do)
	if err != nil {
		return err
	}
	printDrift(opts.IO.Out, res)
	if res.Report.Level == drift.Retrain {
		return &exitError{code: exitDrift, err: fmt.Errorf("drift: re-training advised for %s (%s)", res.Version.Ref(), res.Report.Reason)}
	}
	return nil
}

func printDrift(out io.Writer, res pipeline.DriftResult) {
	fmt.Fprintf(out, "drift of %s: %d customers as of %s vs %s's training snapshot\n\n", res.Version.Ref(), res.Rows, res.AsOf, res.Version.Ref())
	var rows [][]string
	for _, f := range res.Report.Features {
		rows = append(rows, []string{f.Feature, fmt.Sprintf("%.4f", f.PSI), f.Level})
	}
	output.WriteTable(out, []string{"feature", "PSI", "level"}, rows, []bool{false, true, false})
	fmt.Fprintln(out)
	rows = nil
	for _, s := range res.Shares {
		rows = append(rows, []string{strconv.Itoa(s.Segment), s.Name, pct(s.TrainShare), pct(s.NowShare), fmt.Sprintf("%+.1f", 100*(s.NowShare-s.TrainShare))})
	}
	output.WriteTable(out, []string{"segment", "name", "train %", "now %", "shift pts"}, rows, []bool{true, false, true, true, true})
	fmt.Fprintf(out, "\nmean distance to centroid: %s at training, %.4f now\n", fmtNaN(res.TrainMeanDistance), res.NowMeanDistance)
	fmt.Fprintf(out, "verdict: %s — %s\n", res.Report.Level, res.Report.Reason)
}

func pct(x float64) string { return fmt.Sprintf("%.1f", 100*x) }

func fmtNaN(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", x)
}

// BacktestOptions are the flags of `custseg drift backtest`.
type BacktestOptions struct {
	IO     IO
	OpenDB func() (*engine.DB, error)
	Start  string // --start, parsed by parseTimestamp
	// Train holds --model (the baseline's registry name) and the training
	// flags, as for train.
	Train     pipeline.TrainOptions
	Threshold float64
}

// NewCmdBacktest builds `custseg drift backtest`.
func NewCmdBacktest(f *Factory, runF func(*BacktestOptions) error) *cobra.Command {
	opts := &BacktestOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "backtest --db FILE --start DATE [--model NAME] [--k N|auto]",
		Short: "Replay the transactions month by month: when would re-training have been advised?",
		Long: `Trains a baseline model (stored as --model, default "backtest"; the training
flags mean what they mean for train) on the customer features as of --start,
then computes the features as of the first day of every following month and
prints their drift against that baseline: PSI per feature, the largest shift
in segment shares, the mean distance to the centroids and the verdict.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTraining(opts.Train); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return backtestRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Start, "start", "", "baseline `DATE`: the model is trained on the features as of then")
	cmd.Flags().StringVar(&opts.Train.Model, "model", pipeline.DefaultBacktestModel, "registry `NAME` for the baseline model")
	addTrainingFlags(cmd, &opts.Train)
	addThresholdFlag(cmd, &opts.Threshold)
	return cmd
}

func backtestRun(ctx context.Context, opts *BacktestOptions) error {
	start, err := parseTimestamp(opts.Start)
	if err != nil {
		return fmt.Errorf("--start: %w", err)
	}
	db, err := opts.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	v, series, err := pipeline.Backtest(ctx, db, pipeline.BacktestOptions{Model: opts.Train.Model, Start: start, Train: opts.Train, Threshold: opts.Threshold})
	if err != nil {
		return err
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "baseline %s: trained on the customers as of %s\n\n", v.Ref(), start.Format("2006-01-02"))
	var rows [][]string
	header := []string{"as of", "customers"}
	align := []bool{false, true}
	for i, r := range series {
		if i == 0 {
			for _, f := range r.Result.Report.Features {
				header = append(header, "PSI "+f.Feature)
				align = append(align, true)
			}
			header = append(header, "max share shift", "mean dist", "verdict")
			align = append(align, true, true, false)
		}
		row := []string{r.AsOf.Format("2006-01-02"), strconv.Itoa(r.Result.Rows)}
		for _, f := range r.Result.Report.Features {
			row = append(row, fmt.Sprintf("%.3f", f.PSI))
		}
		row = append(row, fmt.Sprintf("%.1f pts", 100*r.Result.MaxShareShift), fmt.Sprintf("%.3f", r.Result.NowMeanDistance), r.Result.Report.Level)
		rows = append(rows, row)
	}
	if err := output.WriteTable(out, header, rows, align); err != nil {
		return err
	}
	for _, r := range series {
		if r.Result.Report.Level == drift.Retrain {
			fmt.Fprintf(out, "\nre-training first advised as of %s: %s\n", r.AsOf.Format("2006-01-02"), r.Result.Report.Reason)
			return nil
		}
	}
	fmt.Fprintln(out, "\nno month crossed the threshold")
	return nil
}
