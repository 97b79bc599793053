package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/progress"
)

// ReportOptions are the flags of `custseg report`.
type ReportOptions struct {
	*Root
	Model string
	Out   string
}

// NewCmdReport builds `custseg report`.
func NewCmdReport(root *Root) *cobra.Command {
	opts := &ReportOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "report --db FILE --model NAME[@V] [--out DIR]",
		Short: "Write a visual segment report (PNG charts + index.html, readable offline)",
		Long: `Draws, with gonum/plot: inertia (elbow) and silhouette over k from the
training run, the silhouette plot per segment, segment sizes and revenue
shares, a scatter of two features coloured by segment, and the R x F heat map
of mean monetary value; plus index.html with the profile table and the model's
metadata. Needs no network to view. The default --out is DB.report/ next to
the database; an existing report there is replaced, any other non-empty
folder is refused.`,
		Args: cobra.NoArgs,
		RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, _ []string) error {
			return writeReport(cmd, db, opts.Model, opts.Out)
		}),
	}
	cmd.Flags().StringVar(&opts.Model, "model", "segments", "model `NAME` or NAME@VERSION")
	cmd.Flags().StringVar(&opts.Out, "out", "", "output `DIR` (default: next to the database, DB.report)")
	return cmd
}

func defaultReportDir(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".report"
}

func writeReport(cmd *cobra.Command, db *engine.DB, model, out string) error {
	if out == "" {
		out = defaultReportDir(db.Path)
	}
	bar := progress.New(cmd.ErrOrStderr(), "report: drawing", progress.Count)
	index, err := pipeline.WriteReport(cmd.Context(), db, model, out, bar.Set)
	bar.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", index)
	return nil
}
