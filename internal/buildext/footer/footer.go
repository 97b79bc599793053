// Package footer writes the 512-byte metadata block DuckDB reads from the
// end of a loadable extension file before it loads it.
//
// Layout (all fields NUL-padded to 32 bytes, as DuckDB's
// ParsedExtensionMetaData reads them):
//
//	[0, 96)    three unused fields, zero
//	[96, 128)  ABI type: "C_STRUCT" (an extension using the C API struct)
//	[128, 160) extension version, e.g. "v0.1.0"
//	[160, 192) C API version the extension needs, e.g. "v1.2.0"
//	[192, 224) platform, e.g. "linux_amd64"
//	[224, 256) magic value "4"
//	[256, 512) signature: zero for an unsigned extension (the host must
//	           SET allow_unsigned_extensions = true)
package footer

import (
	"fmt"
	"os"
)

// Size is the length of the footer in bytes.
const Size = 512

const fieldSize = 32

// Metadata is what the footer records.
type Metadata struct {
	ExtensionVersion string // "v0.1.0"
	CAPIVersion      string // "v1.2.0"
	Platform         string // "linux_amd64"
}

// Bytes returns the footer for m.
func Bytes(m Metadata) ([]byte, error) {
	b := make([]byte, Size)
	fields := []struct {
		index int
		value string
	}{
		{3, "C_STRUCT"},
		{4, m.ExtensionVersion},
		{5, m.CAPIVersion},
		{6, m.Platform},
		{7, "4"},
	}
	for _, f := range fields {
		if len(f.value) == 0 || len(f.value) >= fieldSize {
			return nil, fmt.Errorf("extension footer: field %d %q must be 1..%d bytes", f.index, f.value, fieldSize-1)
		}
		copy(b[f.index*fieldSize:], f.value)
	}
	return b, nil
}

// Append appends the footer for m to the file at path.
func Append(path string, m Metadata) error {
	b, err := Bytes(m)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
