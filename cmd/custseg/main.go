// Command custseg computes RFM features, trains segment models and scores
// customers inside DuckDB or SQLite. See `custseg --help`.
package main

import (
	"os"

	"github.com/custseg/custseg/cmd/custseg/cli"
)

func main() {
	os.Exit(cli.Do(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
