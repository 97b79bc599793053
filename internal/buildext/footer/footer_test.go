package footer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The expected layout is the one DuckDB 1.5.6 accepted in the spike recorded
// in the project's engine notes (a file without it fails to load with
// "metadata at the end of the file is invalid").
func TestLayout(t *testing.T) {
	b, err := Bytes(Metadata{ExtensionVersion: "v0.1.0", CAPIVersion: "v1.2.0", Platform: "linux_amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 512 {
		t.Fatalf("len %d", len(b))
	}
	field := func(i int) []byte { return b[i*32 : (i+1)*32] }
	want := map[int]string{0: "", 1: "", 2: "", 3: "C_STRUCT", 4: "v0.1.0", 5: "v1.2.0", 6: "linux_amd64", 7: "4"}
	for i, w := range want {
		exp := make([]byte, 32)
		copy(exp, w)
		if !bytes.Equal(field(i), exp) {
			t.Errorf("field %d = %q, want %q NUL-padded", i, field(i), w)
		}
	}
	if !bytes.Equal(b[256:], make([]byte, 256)) {
		t.Error("signature bytes not zero")
	}
	if _, err := Bytes(Metadata{ExtensionVersion: "", CAPIVersion: "v1.2.0", Platform: "linux_amd64"}); err == nil {
		t.Error("empty version accepted")
	}
	if _, err := Bytes(Metadata{ExtensionVersion: "v0.1.0", CAPIVersion: "v1.2.0", Platform: string(make([]byte, 32))}); err == nil {
		t.Error("32-byte platform accepted (no room for the NUL)")
	}
}

func TestAppend(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.duckdb_extension")
	if err := os.WriteFile(p, []byte("ELF..."), 0o644); err != nil {
		t.Fatal(err)
	}
	m := Metadata{ExtensionVersion: "v0.1.0", CAPIVersion: "v1.2.0", Platform: "linux_amd64"}
	if err := Append(p, m); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	foot, _ := Bytes(m)
	if !bytes.Equal(got, append([]byte("ELF..."), foot...)) {
		t.Fatal("file is not content + footer")
	}
}
