package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/progress"
)

// ReportOptions are the flags of `custseg report`.
type ReportOptions struct {
	IO     IO
	OpenDB func() (*engine.DB, error)
	Model  string // --model NAME[@VERSION]
	Dir    string // --out; empty means DB.report next to the database
}

// NewCmdReport builds `custseg report`.
func NewCmdReport(f *Factory, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "report --db FILE --model NAME[@V] [--out DIR]",
		Short: "Write a visual segment report (PNG charts + index.html, readable offline)",
		Long: `Draws, with gonum/plot: inertia (elbow) and silhouette over k from the
training run, the silhouette plot per segment, segment sizes and revenue
shares, a scatter of two features coloured by segment, and the R x F heat map
of mean monetary value; plus index.html with the profile table and the model's
metadata. Needs no network to view. The default --out is DB.report/ next to
the database, named after the whole file name (shop.duckdb.report/); an
existing report there is replaced, any other non-empty folder is refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				return writeReport(cmd.Context(), opts.IO, db, opts.Model, opts.Dir)
			})
		},
	}
	addModelRefFlag(cmd, &opts.Model)
	cmd.Flags().StringVar(&opts.Dir, "out", "", "output `DIR` (default: next to the database, DB.report, e.g. shop.duckdb.report)")
	return cmd
}

func defaultReportDir(dbPath string) string { return derivedFile(dbPath, ".report") }

// writeReport writes the report of model into dir (default next to the
// database) and prints where.
func writeReport(ctx context.Context, streams IO, db *engine.DB, model, dir string) error {
	out := streams.Out
	if dir == "" {
		dir = defaultReportDir(db.Path)
	}
	bar := progress.New(streams.ErrOut, "report: drawing", progress.Count)
	index, err := pipeline.WriteReport(ctx, db, model, dir, bar.Set)
	bar.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "report: %s\n", index)
	return nil
}

// refreshReport redraws the report next to the database, if there is one,
// after the prepared tables it shows were rewritten (train, activate,
// rollback, rename), so it never describes a model they no longer follow.
func refreshReport(ctx context.Context, streams IO, db *engine.DB) error {
	if _, err := os.Stat(filepath.Join(defaultReportDir(db.Path), "index.html")); err != nil {
		return nil
	}
	ref, ok, err := pipeline.SegmentsModel(ctx, db)
	if err != nil || !ok {
		return err
	}
	return writeReport(ctx, streams, db, ref, "")
}
