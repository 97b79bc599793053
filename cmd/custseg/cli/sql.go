package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/progress"
	"github.com/custseg/custseg/internal/repl"
	"github.com/custseg/custseg/udf/catalog"
)

// SQLOptions are the flags of `custseg sql` and `custseg shell`.
type SQLOptions struct {
	IO     IO
	OpenDB func() (*engine.DB, error)
	Query  string // the QUERY argument of sql; without it the statements come from standard input
	Format string // --format table|csv|json
}

// NewCmdSQL builds `custseg sql`.
func NewCmdSQL(f *Factory, runF func(*SQLOptions) error) *cobra.Command {
	opts := &SQLOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "sql --db FILE [--format table|csv|json] [QUERY]",
		Short: "Run SQL with every custseg function registered",
		Long: `Runs the SQL in QUERY, or read from standard input when QUERY is absent, with
every custseg function registered (rfm_score, rfm_segment, assign_segment,
silhouette, ...). Statements end with ';'. Exits non-zero if any statement
fails. Example:
  custseg sql --db shop.duckdb "SELECT rfm_segment, count(*) FROM customer_rfm GROUP BY 1"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Query = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			in := opts.IO.In
			if len(args) == 1 {
				q := strings.TrimSpace(opts.Query)
				if !strings.HasSuffix(q, ";") && !strings.HasPrefix(q, ".") {
					q += ";"
				}
				in = strings.NewReader(q + "\n")
			}
			return opts.run(cmd.Context(), in, false)
		},
	}
	addFormatFlag(cmd, &opts.Format)
	return cmd
}

func addFormatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVarP(format, "format", "f", "table", "output `FORMAT`: table, csv or json")
}

// NewCmdShell builds `custseg shell`.
func NewCmdShell(f *Factory, runF func(*SQLOptions) error) *cobra.Command {
	opts := &SQLOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "shell --db FILE",
		Short: "Interactive SQL shell with every custseg function registered",
		Long: `An interactive SQL shell (DuckDB or SQLite, by the file) with every custseg
function registered. Statements end with ';'; arrow keys walk the history,
kept in ~/.custseg_history. Type .help for the dot-commands (.tables,
.schema, .functions, .mode, .timer, .quit). With standard input not a
terminal, runs the statements it reads.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			// Interactive only when our stdin is the process's terminal: an
			// In that is not os.Stdin (tests, pipes) runs as a script.
			interactive := opts.IO.In == os.Stdin && repl.StdinIsTerminal() && progress.IsTerminal(opts.IO.Out)
			return opts.run(cmd.Context(), opts.IO.In, interactive)
		},
	}
	addFormatFlag(cmd, &opts.Format)
	return cmd
}

func (opts *SQLOptions) run(ctx context.Context, in io.Reader, interactive bool) error {
	format, err := output.ParseFormat(opts.Format)
	if err != nil {
		return err
	}
	db, err := opts.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	history := ""
	if home, err := os.UserHomeDir(); err == nil {
		history = filepath.Join(home, ".custseg_history")
	}
	return repl.Run(ctx, db.DB, repl.Options{
		In:            in,
		Out:           opts.IO.Out,
		Err:           opts.IO.ErrOut,
		Interactive:   interactive,
		HistoryFile:   history,
		Engine:        string(db.Kind),
		Format:        format,
		FunctionNames: catalog.Names(),
	})
}
