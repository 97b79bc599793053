package buildext

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// LoadablePackage is the Go package of the loadable extension.
const LoadablePackage = "github.com/custseg/custseg/ext/sqlite/loadable"

// LoadableTag is the build tag that switches ext/sqlite/sqlitefn to the
// loadable-extension form (sqlite3ext.h, calls through sqlite3_api).
const LoadableTag = "custseg_loadable"

// BuildSQLite builds the SQLite loadable extension into outDir/custseg.so
// and returns its path. It runs, in the custseg source tree:
//
//	CGO_ENABLED=1 CGO_CFLAGS="-I$(go list -m -f '{{.Dir}}' github.com/mattn/go-sqlite3)" \
//	  go build -tags custseg_loadable -buildmode=c-shared -trimpath -ldflags='-s -w' \
//	  -o OUTDIR/custseg.so ./ext/sqlite/loadable
//
// The -I gives sqlite3ext.h from mattn's module, so libsqlite3-dev is not
// needed (when go list cannot find the module, the system header is used).
// The result loads in the sqlite3 shell with `.load OUTDIR/custseg` and
// contains no SQLite of its own. It needs the go command and a C compiler.
func BuildSQLite(ctx context.Context, outDir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	out := filepath.Join(abs, "custseg"+sharedLibSuffix())
	goCmd := goCommand()

	env := append(os.Environ(), "CGO_ENABLED=1")
	list := exec.CommandContext(ctx, goCmd, "list", "-m", "-f", "{{.Dir}}", "github.com/mattn/go-sqlite3")
	list.Dir = root
	if dir, err := list.Output(); err == nil && strings.TrimSpace(string(dir)) != "" {
		inc := "-I" + strings.TrimSpace(string(dir))
		env = append(env, "CGO_CFLAGS="+strings.TrimSpace(os.Getenv("CGO_CFLAGS")+" "+inc))
	}

	cmd := exec.CommandContext(ctx, goCmd, "build", "-tags", LoadableTag, "-buildmode=c-shared",
		"-trimpath", "-ldflags=-s -w", "-o", out, "./ext/sqlite/loadable")
	cmd.Dir = root
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the SQLite extension: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	// c-shared also writes a C header next to the library; nobody needs it.
	_ = os.Remove(strings.TrimSuffix(out, filepath.Ext(out)) + ".h")
	return out, nil
}

func sharedLibSuffix() string {
	switch runtime.GOOS {
	case "darwin":
		return ".dylib"
	case "windows":
		return ".dll"
	}
	return ".so"
}
