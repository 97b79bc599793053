package buildext

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/custseg/custseg/internal/buildext/footer"
)

// The loadable extension is built against the C API headers of a pinned npm
// package: `npm pack duckdb@1.4.4` holds duckdb.h and duckdb_extension.h
// under package/src/duckdb/src/include/. Only the stable v1.2.0 part of the
// API struct is used, which DuckDB 1.2 and later (1.5.6 tested) accept.
const (
	headerPackage     = "duckdb@1.4.4"
	headerPackageSHA1 = "7878d3c20c23b0f6c583c1b389c2632f0de5b0b1" // npm's shasum of duckdb-1.4.4.tgz
	headerDir         = "package/src/duckdb/src/include/"

	// ExtensionVersion and CAPIVersion are written into the footer.
	ExtensionVersion = "v0.1.0"
	CAPIVersion      = "v1.2.0"
	// ExtensionFile is the file name DuckDB derives the entry point from:
	// custseg.duckdb_extension -> custseg_init_c_api.
	ExtensionFile = "custseg.duckdb_extension"
)

// BuildDuckDB builds the DuckDB extension into outDir and returns its
// path. It needs the custseg source tree, Go, gcc and (the first time, to
// fetch the headers) npm. Steps, equivalent to:
//
//	npm pack duckdb@1.4.4            # once, into $CACHE (os.UserCacheDir()/custseg/duckdb-1.4.4/include)
//	CGO_ENABLED=1 CGO_CFLAGS="-O2 -g -fvisibility=hidden -I$CACHE" go build -buildmode=c-shared \
//	    -tags custseg_duckdb_ext -trimpath -ldflags=-s -o $OUT/custseg.duckdb_extension ./ext/duckdb/loadable
//	# then footer.Append($OUT/custseg.duckdb_extension, {v0.1.0, v1.2.0, linux_amd64})
//
// Load it in DuckDB with SET allow_unsigned_extensions = true (shell:
// duckdb -unsigned) and LOAD '/abs/path/custseg.duckdb_extension'.
func BuildDuckDB(ctx context.Context, outDir string) (string, error) {
	platform, err := duckdbPlatform()
	if err != nil {
		return "", err
	}
	src, err := moduleRoot()
	if err != nil {
		return "", err
	}
	inc, err := headers(ctx)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	outDir, err = filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(outDir, ".custseg-build.so")
	defer os.Remove(tmp)
	defer os.Remove(strings.TrimSuffix(tmp, ".so") + ".h") // c-shared also writes a header
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-buildmode=c-shared", "-tags", "custseg_duckdb_ext",
		"-trimpath", "-ldflags=-s", "-o", tmp, "./ext/duckdb/loadable")
	cmd.Dir = src
	// -fvisibility=hidden: the library exports only custseg_init_c_api, so
	// its C glue can never bind to same-named symbols of a host process
	// (the custseg CLI, linked with -rdynamic, exports the in-process glue).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "CGO_CFLAGS=-O2 -g -fvisibility=hidden -I"+inc)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the DuckDB extension: %v\n%s", err, out)
	}
	if err := footer.Append(tmp, footer.Metadata{ExtensionVersion: ExtensionVersion, CAPIVersion: CAPIVersion, Platform: platform}); err != nil {
		return "", err
	}
	path := filepath.Join(outDir, ExtensionFile)
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return path, nil
}

// duckdbPlatform names the running platform as DuckDB's footer does.
func duckdbPlatform() (string, error) {
	switch runtime.GOOS + "_" + runtime.GOARCH {
	case "linux_amd64", "linux_arm64", "windows_amd64":
		return runtime.GOOS + "_" + runtime.GOARCH, nil
	case "darwin_amd64", "darwin_arm64":
		return "osx_" + runtime.GOARCH, nil
	}
	return "", fmt.Errorf("the DuckDB extension cannot be built for %s/%s", runtime.GOOS, runtime.GOARCH)
}

// headers returns a directory holding duckdb.h and duckdb_extension.h,
// fetching them with npm into the user cache directory the first time.
func headers(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "custseg", strings.ReplaceAll(headerPackage, "@", "-"), "include")
	if fileExists(filepath.Join(dir, "duckdb.h")) && fileExists(filepath.Join(dir, "duckdb_extension.h")) {
		return dir, nil
	}
	tmp, err := os.MkdirTemp("", "custseg-npm-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "npm", "pack", headerPackage, "--silent", "--pack-destination", tmp)
	cmd.Dir = tmp
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("fetching the DuckDB C API headers (npm pack %s): %v; install npm or put duckdb.h and duckdb_extension.h in %s", headerPackage, err, dir)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s printed no file name", headerPackage)
	}
	tgz := filepath.Join(tmp, lines[len(lines)-1])
	files, err := extractHeaders(tgz)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// extractHeaders checks the tarball against the pinned checksum and returns
// the two headers.
func extractHeaders(tgz string) (map[string][]byte, error) {
	raw, err := os.ReadFile(tgz)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(raw)
	if hex.EncodeToString(sum[:]) != headerPackageSHA1 {
		return nil, fmt.Errorf("%s: checksum %x, want %s", tgz, sum, headerPackageSHA1)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	want := map[string]bool{"duckdb.h": true, "duckdb_extension.h": true}
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, headerDir)
		if name != h.Name && want[name] {
			if files[name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
	if len(files) != len(want) {
		return nil, fmt.Errorf("%s: duckdb.h or duckdb_extension.h missing under %s", tgz, headerDir)
	}
	return files, nil
}
