package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/gen"
)

// GenerateOptions are the flags of `custseg generate`.
type GenerateOptions struct {
	IO        IO
	Customers int
	Rows      int64  // --rows: approximate rows, overrides Customers
	Seed      int64  // seeds the data (run calls it --data-seed)
	File      string // --out
}

// NewCmdGenerate builds `custseg generate`.
func NewCmdGenerate(f *Factory, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "generate --customers N --seed S --out FILE.csv[.gz]",
		Short: "Write realistic synthetic transactions (Online Retail layout)",
		Long: `Writes synthetic transactions in the UCI Online Retail CSV layout: several
customer types (champions, loyal, new, at risk, lost, big one-off spenders,
wholesale) with different recency, frequency and spend, multi-line invoices,
some cancellations (C invoices) and some rows with no customer id. The same
seed gives the same bytes. A .gz name writes gzip. The file appears only when
complete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.File == "" {
				return fmt.Errorf("--out FILE is required (e.g. --out demo.csv.gz)")
			}
			if opts.Rows > 0 {
				opts.Customers = gen.CustomersForRows(opts.Rows)
			}
			if opts.Customers <= 0 {
				return fmt.Errorf("--customers must be positive, got %d", opts.Customers)
			}
			if runF != nil {
				return runF(opts)
			}
			start := time.Now()
			st, err := gen.WriteFile(opts.File, gen.Options{Customers: opts.Customers, Seed: opts.Seed})
			if err != nil {
				return err
			}
			fmt.Fprintf(opts.IO.Out, "generate: %s: %d rows, %d invoices, %d customers (seed %d) in %s\n",
				opts.File, st.Rows, st.Invoices, st.Customers, opts.Seed, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Customers, "customers", 5000, "number of customers `N`")
	cmd.Flags().Int64Var(&opts.Rows, "rows", 0, "approximate number of rows `N` instead of --customers")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 1, "random `SEED`; the same seed gives the same file")
	cmd.Flags().StringVar(&opts.File, "out", "", "output `FILE` (.csv or .csv.gz)")
	return cmd
}
