package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/repl"
	"github.com/custseg/custseg/udf/catalog"
)

// SQLOptions are the flags of `custseg sql` and `custseg shell`.
type SQLOptions struct {
	*Root
	Format string
}

// NewCmdSQL builds `custseg sql`.
func NewCmdSQL(root *Root) *cobra.Command {
	opts := &SQLOptions{Root: root}
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
			in := opts.In
			if len(args) == 1 {
				q := strings.TrimSpace(args[0])
				if !strings.HasSuffix(q, ";") && !strings.HasPrefix(q, ".") {
					q += ";"
				}
				in = strings.NewReader(q + "\n")
			}
			return opts.run(cmd, in, false)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "table", "output `FORMAT`: table, csv or json")
	return cmd
}

// NewCmdShell builds `custseg shell`.
func NewCmdShell(root *Root) *cobra.Command {
	opts := &SQLOptions{Root: root}
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
			// Interactive only when our stdin is the process's terminal: an
			// In that is not os.Stdin (tests, pipes) runs as a script.
			interactive := opts.In == os.Stdin && repl.StdinIsTerminal() && isTerminal(opts.Out)
			return opts.run(cmd, opts.In, interactive)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "table", "output `FORMAT`: table, csv or json")
	return cmd
}

func (opts *SQLOptions) run(cmd *cobra.Command, in interface{ Read([]byte) (int, error) }, interactive bool) error {
	format, err := output.ParseFormat(opts.Format)
	if err != nil {
		return err
	}
	db, err := opts.open()
	if err != nil {
		return err
	}
	defer db.Close()
	history := ""
	if home, err := os.UserHomeDir(); err == nil {
		history = filepath.Join(home, ".custseg_history")
	}
	return repl.Run(cmd.Context(), db.DB, repl.Options{
		In:            in,
		Out:           opts.Out,
		Err:           opts.ErrOut,
		Interactive:   interactive,
		HistoryFile:   history,
		Engine:        string(db.Kind),
		Format:        format,
		FunctionNames: catalog.Names(),
	})
}
