package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/progress"
	"github.com/custseg/custseg/loader"
)

// LoadOptions are the flags of `custseg load`.
type LoadOptions struct {
	*Root
	Map        []string
	DateFormat string
	Encoding   string
	Replace    bool
	NoProgress bool
}

// NewCmdLoad builds `custseg load`.
func NewCmdLoad(root *Root) *cobra.Command {
	opts := &LoadOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "load --db FILE [flags] CSV...",
		Short: "Load transaction CSV files (plain or gzip) into table transactions",
		Long: `Loads CSV files (plain or .gz) into table transactions. The UCI Online Retail
and Online Retail II headers are recognised; any other layout is mapped with
--map column=Header (columns: invoice_no, stock_code, description, quantity,
invoice_date, unit_price, customer_id, country, and amount for files with an
amount instead of quantity x price).

A record that cannot be parsed goes to load_rejects(source, line, reason, raw)
with its physical line number (header = line 1); nothing is dropped silently.
Each load is one transaction. The same file content is refused a second time
unless --replace.

Example, CDNOW (no invoice column; frequency becomes distinct purchase days):
  custseg load --db cd.duckdb --map customer_id=customer_id --map invoice_date=date \
      --map amount=dollar_value ../shared/data/cdnow_master.csv.gz`,
		Args: cobra.MinimumNArgs(1),
		RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, files []string) error {
			return loadFiles(cmd, opts, db, files)
		}),
	}
	cmd.Flags().StringArrayVar(&opts.Map, "map", nil, "map a table `column=Header` of the file (repeatable)")
	cmd.Flags().StringVar(&opts.DateFormat, "date-format", "", "extra date `LAYOUT` tried first (Go layout, e.g. 02.01.2006 15:04)")
	cmd.Flags().StringVar(&opts.Encoding, "encoding", "utf-8", "input `ENCODING`: utf-8 or latin-1")
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "load content that was loaded before, replacing its rows")
	cmd.Flags().BoolVar(&opts.NoProgress, "no-progress", false, "no progress bar even on a terminal")
	return cmd
}

func (opts *LoadOptions) loaderOptions() (loader.Options, error) {
	lo := loader.Options{DateFormat: opts.DateFormat, Encoding: opts.Encoding, Replace: opts.Replace}
	for _, m := range opts.Map {
		col, header, ok := strings.Cut(m, "=")
		if !ok || col == "" || header == "" {
			return lo, fmt.Errorf("--map %q: use column=Header, e.g. --map customer_id=\"Customer ID\"", m)
		}
		if lo.Map == nil {
			lo.Map = map[string]string{}
		}
		lo.Map[strings.TrimSpace(col)] = header
	}
	return lo, nil
}

func loadFiles(cmd *cobra.Command, opts *LoadOptions, db *engine.DB, files []string) error {
	lo, err := opts.loaderOptions()
	if err != nil {
		return err
	}
	var bar *progress.Bar
	if !opts.NoProgress {
		what := files[0]
		if len(files) > 1 {
			what = fmt.Sprintf("%d files", len(files))
		}
		bar = progress.New(opts.ErrOut, "load "+what, progress.Bytes)
	}
	if bar != nil {
		lo.Progress = bar.Set
	}
	sums, err := loader.Load(cmd.Context(), db.DB, files, lo)
	bar.Close()
	for _, s := range sums {
		fmt.Fprintln(cmd.OutOrStdout(), "load:", s.String())
	}
	return err
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
