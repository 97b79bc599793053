// Package cli is the custseg command line: cobra commands that fill an
// Options struct and call library code. Nothing here calls os.Exit; Do
// returns the exit status.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
)

// IO carries the standard streams, so commands are testable.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Root holds what every command shares.
type Root struct {
	IO
	DB     string // --db FILE
	Engine string // --engine duckdb|sqlite
}

// exitError carries a specific exit status (e.g. 3 for drift).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Do runs the custseg command line with args and returns the exit status.
func Do(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := &Root{IO: IO{In: stdin, Out: stdout, ErrOut: stderr}}
	cmd := NewCmdRoot(root)
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "custseg:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(root *Root) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "custseg",
		Short: "Customer segmentation inside DuckDB and SQLite",
		Long: `custseg computes RFM features, trains segment models and classifies customers
inside the database, with SQL functions (rfm_score, rfm_segment, assign_segment,
silhouette, ...) and plain tables that BI tools can read.

A database is a file: .duckdb/.ddb opens DuckDB, .db/.sqlite/.sqlite3 opens
SQLite (--engine overrides). Start with:

  custseg run --db demo.duckdb          # generate demo data, load, score, train
  custseg sql --db demo.duckdb "SELECT * FROM segment_profiles"`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.PersistentFlags().StringVar(&root.DB, "db", "", "database `FILE` (.duckdb/.ddb = DuckDB, .db/.sqlite/.sqlite3 = SQLite)")
	cmd.PersistentFlags().StringVar(&root.Engine, "engine", "", "force the engine: duckdb or sqlite")
	cmd.AddCommand(
		NewCmdLoad(root),
		NewCmdFeatures(root),
		NewCmdRFM(root),
		NewCmdSQL(root),
		NewCmdShell(root),
		NewCmdGenerate(root),
		NewCmdRun(root),
		NewCmdTrain(root),
		NewCmdScore(root),
		NewCmdModels(root),
		NewCmdBuildExt(root),
		NewCmdDrift(root),
		NewCmdReport(root),
	)
	return cmd
}

// open opens --db, which every database command requires.
func (r *Root) open() (*engine.DB, error) {
	if r.DB == "" {
		return nil, fmt.Errorf("--db FILE is required (e.g. --db shop.duckdb)")
	}
	return engine.Open(r.DB, r.Engine)
}
