// Command custseg-bench runs custseg and a peer (scikit-learn, DuckDB's own
// SQL, the sqlite3 shell) side by side on the same data, in the same run,
// and prints one table per target: peer time, custseg time, their ratio and
// whether the answers agree.
//
//	go run ./bench/cmd/custseg-bench silhouette --n 200000
//	go run ./bench/cmd/custseg-bench kmeans     --n 1000000
//	go run ./bench/cmd/custseg-bench autok      --customers 1000000
//	go run ./bench/cmd/custseg-bench load
//	go run ./bench/cmd/custseg-bench features   --rows 50000000
//
// Data files and databases go to --work (default $TMPDIR/custseg-bench) and
// are reused between runs; nothing is written inside the repository. The
// custseg binary is built once per run with `go build` (so compile time is
// never timed) unless --custseg names one. See docs/PERFORMANCE.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// env is what every subcommand shares.
type env struct {
	root    string // repository root (holds go.mod)
	work    string // data and databases
	custseg string // binary
	python  string
	out     io.Writer
}

type command struct {
	name, usage string
	run         func(e *env, args []string) error
}

var commands = []command{
	{"silhouette", "exact silhouette: custseg cluster.Silhouette vs sklearn silhouette_score", runSilhouette},
	{"kmeans", "custseg train --from TABLE (whole command) vs sklearn KMeans", runKMeans},
	{"autok", "custseg train --k auto on synthetic customers (custseg alone) + silhouette error bars", runAutoK},
	{"load", "custseg load vs DuckDB read_csv and the sqlite3 shell's .import", runLoad},
	{"features", "custseg features (+ RFM scoring) vs the same plain SQL in DuckDB", runFeatures},
}

func main() {
	if err := mainErr(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "custseg-bench:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: custseg-bench [--work DIR] [--custseg BIN] COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nCOMMAND --help lists its flags. Results and method: docs/PERFORMANCE.md.")
}

func mainErr(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("custseg-bench", flag.ContinueOnError)
	work := fs.String("work", filepath.Join(os.TempDir(), "custseg-bench"), "`DIR` for generated data and databases (reused)")
	bin := fs.String("custseg", "", "custseg `BINARY` to time (default: go build ./cmd/custseg into DIR)")
	python := fs.String("python", "/usr/bin/python3", "`PYTHON` with scikit-learn for the peers")
	fs.Usage = func() { usage(fs.Output()) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		usage(out)
		return errors.New("no command")
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "exec-sql" { // internal: the plain-DuckDB peer as its own process
		return execSQL(rest, out)
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		usage(out)
		return fmt.Errorf("unknown command %q", name)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	e := &env{root: root, work: *work, custseg: *bin, python: *python, out: out}
	if e.custseg == "" {
		e.custseg = filepath.Join(e.work, "custseg")
		fmt.Fprintf(out, "building %s ...\n", e.custseg)
		b := exec.Command("go", "build", "-o", e.custseg, "./cmd/custseg")
		b.Dir, b.Stdout, b.Stderr = root, os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/custseg: %w", err)
		}
	}
	printMachine(out)
	return cmd.run(e, rest)
}

// repoRoot walks up from the working directory to the directory holding
// the custseg go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/custseg/custseg") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the custseg repository (no go.mod of github.com/custseg/custseg above the working directory)")
		}
		dir = parent
	}
}

// printMachine states what the figures were measured on.
func printMachine(w io.Writer) {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.Index(l, ":")+1:])
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	fmt.Fprintf(w, "machine: %d CPUs (GOMAXPROCS %d), %s, %s RAM; %s; load average %s; %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), model, mem, runtime.Version(), loadAvg(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// procRun is one timed child process.
type procRun struct {
	wall   time.Duration
	maxRSS int64 // KiB, from getrusage of the child
	stdout string
}

// timeProc runs name args with stdin (may be nil), timing the whole
// process: start-up, work and exit. stderr passes through (progress).
func timeProc(stdin io.Reader, name string, args ...string) (procRun, error) {
	c := exec.Command(name, args...)
	var out strings.Builder
	c.Stdout, c.Stderr, c.Stdin = &out, os.Stderr, stdin
	t0 := time.Now()
	err := c.Run()
	r := procRun{wall: time.Since(t0), stdout: out.String()}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		r.maxRSS = ru.Maxrss
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, r.stdout)
	}
	return r, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func durs(d []time.Duration) string {
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = fmt.Sprintf("%.2f", v.Seconds())
	}
	return strings.Join(parts, " ")
}

// row is one line of a result table.
type row struct {
	target                string
	peer, custseg         time.Duration
	peerRuns, custsegRuns []time.Duration
	agree                 string
	ok                    bool
}

// printTable writes rows as the side-by-side table every command ends with.
// ratio = peer / custseg: above 1 means custseg is faster.
func printTable(w io.Writer, peerName string, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\ntarget\t%s\tcustseg\tratio peer/custseg\tanswers agree\n", peerName)
	for _, r := range rows {
		verdict := "NO"
		if r.ok {
			verdict = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f×\t%s: %s\n", r.target, secs(r.peer), secs(r.custseg),
			r.peer.Seconds()/r.custseg.Seconds(), verdict, r.agree)
	}
	tw.Flush()
	for _, r := range rows {
		if len(r.peerRuns) > 1 || len(r.custsegRuns) > 1 {
			fmt.Fprintf(w, "runs (s), %s: peer [%s] custseg [%s] (medians above)\n", r.target, durs(r.peerRuns), durs(r.custsegRuns))
		}
	}
	fmt.Fprintf(w, "load average after: %s\n", loadAvg())
}

// fileExists reports whether path is a regular file.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
