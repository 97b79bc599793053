// Package buildext builds custseg's loadable extensions (SQLite's custseg.so
// and DuckDB's custseg.duckdb_extension) from the source tree: build tooling
// for `custseg build-ext` and the host tests, kept out of the bindings in ext/.
package buildext

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// goCommand prefers the go command of the toolchain that built this binary.
func goCommand() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// moduleRoot finds the custseg source tree: $CUSTSEG_SRC, the working
// directory or one of its parents, else the tree this file was compiled from.
func moduleRoot() (string, error) {
	if d := os.Getenv("CUSTSEG_SRC"); d != "" {
		if isCustsegModule(d) {
			return d, nil
		}
		return "", fmt.Errorf("CUSTSEG_SRC=%s is not the custseg source tree (no go.mod of module github.com/custseg/custseg)", d)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if isCustsegModule(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("building an extension needs the custseg source tree (go.mod of module github.com/custseg/custseg): run it inside a checkout or set CUSTSEG_SRC")
}

func isCustsegModule(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "module" && f[1] == "github.com/custseg/custseg" {
			return true
		}
	}
	return false
}
