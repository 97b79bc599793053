// Package cli is the custseg command line: cobra commands that fill an
// Options struct and call library code. Nothing here calls os.Exit; Do
// returns the exit status.
//
// Every command is built by NewCmdX(f, runF): the command parses its flags
// into an XOptions and hands it to runF, or, when runF is nil, to the real
// run. A test passes its own runF to see the parsed Options without
// touching a database (the shape of cli/cli's commands).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// Factory carries what every command needs from outside itself: the
// streams and the database named on the command line (cli/cli's
// cmdutil.Factory).
type Factory struct {
	IO IO
	// DBPath and Engine hold the root's persistent --db and --engine flags
	// once the command line is parsed.
	DBPath string
	Engine string
}

// OpenDB opens --db (with --engine, if given), which every database
// command requires and which must exist: a command that only reads would
// otherwise create an empty database under a mistyped name.
func (f *Factory) OpenDB() (*engine.DB, error) { return f.openDB(true) }

// CreateDB opens --db like OpenDB, creating the database when it does not
// exist; only load and run create one.
func (f *Factory) CreateDB() (*engine.DB, error) { return f.openDB(false) }

func (f *Factory) openDB(mustExist bool) (*engine.DB, error) {
	if f.DBPath == "" {
		return nil, fmt.Errorf("--db FILE is required (e.g. --db shop.duckdb)")
	}
	// The engine first, so a name no engine opens says so rather than
	// "no database".
	kind, err := engine.Detect(f.DBPath, f.Engine)
	if err != nil {
		return nil, err
	}
	if mustExist {
		if _, err := os.Stat(f.DBPath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (custseg load or custseg run creates one)", f.DBPath)
		}
	}
	return engine.OpenKind(f.DBPath, kind)
}

// withDB opens the database with open, runs body on it and closes it.
func withDB(open func() (*engine.DB, error), body func(*engine.DB) error) error {
	db, err := open()
	if err != nil {
		return err
	}
	defer db.Close()
	return body(db)
}

// exitError carries a specific exit status (e.g. 3 for drift).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Do runs the custseg command line with args and returns the exit status.
func Do(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := &Factory{IO: IO{In: stdin, Out: stdout, ErrOut: stderr}}
	cmd := NewCmdRoot(f)
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
func NewCmdRoot(f *Factory) *cobra.Command {
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
	cmd.PersistentFlags().StringVar(&f.DBPath, "db", "", "database `FILE` (.duckdb/.ddb = DuckDB, .db/.sqlite/.sqlite3 = SQLite)")
	cmd.PersistentFlags().StringVar(&f.Engine, "engine", "", "force the `ENGINE`: duckdb or sqlite")
	cmd.AddCommand(
		NewCmdLoad(f, nil),
		NewCmdFeatures(f, nil),
		NewCmdRFM(f),
		NewCmdSQL(f, nil),
		NewCmdShell(f, nil),
		NewCmdGenerate(f, nil),
		NewCmdRun(f, nil),
		NewCmdTrain(f, nil),
		NewCmdScore(f, nil),
		NewCmdModels(f),
		NewCmdBuildExt(f, nil),
		NewCmdDrift(f, nil),
		NewCmdReport(f, nil),
		NewCmdClassify(f, nil),
	)
	return cmd
}
