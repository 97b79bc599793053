// Package output renders query results for a terminal (an aligned table) or
// for a script (CSV, JSON), from the value types of both database drivers:
// mattn/go-sqlite3 (int64, float64, string, []byte, time.Time, bool, nil)
// and duckdb-go (the same plus smaller ints, *big.Int, decimals, lists,
// maps, structs).
package output

import (
	"bufio"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Format is an output format.
type Format string

const (
	Table Format = "table" // aligned columns for people
	CSV   Format = "csv"   // RFC 4180 with a header row
	JSON  Format = "json"  // an array of objects, one per row
)

// Formats lists the formats ParseFormat accepts.
var Formats = []Format{Table, CSV, JSON}

// ParseFormat returns the format named s (case-insensitive).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Formats, f) {
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q: use table, csv or json", s)
}

// MaxCellWidth is the display width beyond which a table cell is cut and
// ends in "…" (CSV and JSON are never cut).
const MaxCellWidth = 60

// Write reads rows to the end and renders them to w, returning the number
// of data rows. A result without columns (CREATE, INSERT in SQLite) writes
// nothing. Table output holds all rows in memory to size the columns; CSV
// and JSON stream row by row. The caller still closes rows.
func Write(w io.Writer, rows *sql.Rows, format Format) (int, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		for rows.Next() {
		}
		return 0, rows.Err()
	}
	dateOnly := make([]bool, len(cols))
	if types, err := rows.ColumnTypes(); err == nil {
		for i, t := range types {
			dateOnly[i] = strings.EqualFold(t.DatabaseTypeName(), "DATE")
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	switch format {
	case Table:
		var cells [][]string
		numeric := make([]bool, len(cols))
		seen := make([]bool, len(cols))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				s, null, num := text(v, dateOnly[i])
				row[i] = s
				if !null {
					numeric[i] = num && (numeric[i] || !seen[i])
					seen[i] = true
				}
			}
			cells = append(cells, row)
			n++
		}
		if err := rows.Err(); err != nil {
			return n, err
		}
		writeTable(bw, cols, cells, numeric)
		if n == 1 {
			bw.WriteString("(1 row)\n")
		} else {
			fmt.Fprintf(bw, "(%d rows)\n", n)
		}
	case CSV:
		cw := csv.NewWriter(bw)
		cw.Write(cols)
		rec := make([]string, len(cols))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			for i, v := range vals {
				rec[i], _, _ = text(v, dateOnly[i])
				if v == nil {
					rec[i] = ""
				}
			}
			cw.Write(rec)
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
	case JSON:
		keys := make([][]byte, len(cols))
		for i, c := range cols {
			keys[i] = append(appendJSONString(nil, c), ':')
		}
		var b []byte
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return n, err
			}
			b = b[:0]
			if n == 0 {
				b = append(b, "[\n{"...)
			} else {
				b = append(b, ",\n{"...)
			}
			for i, v := range vals {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, keys[i]...)
				b = appendJSON(b, v, dateOnly[i])
			}
			b = append(b, '}')
			if _, err := bw.Write(b); err != nil {
				return n, err
			}
			n++
		}
		if n == 0 {
			bw.WriteString("[]\n")
		} else {
			bw.WriteString("\n]\n")
		}
	default:
		return 0, fmt.Errorf("unknown output format %q: use table, csv or json", format)
	}
	if err := rows.Err(); err != nil {
		bw.Flush()
		return n, err
	}
	return n, bw.Flush()
}

// WriteTable writes an aligned table of ready-made cells (no row-count
// footer), for summaries a program builds itself. rightAlign[i] right-aligns
// column i (numbers); it may be shorter than header.
func WriteTable(w io.Writer, header []string, rows [][]string, rightAlign []bool) error {
	right := make([]bool, len(header))
	copy(right, rightAlign)
	bw := bufio.NewWriter(w)
	writeTable(bw, header, rows, right)
	return bw.Flush()
}

// writeTable lays out cells psql-style:
//
//	 name  | n
//	-------+----
//	 alice | 12
func writeTable(w *bufio.Writer, header []string, rows [][]string, right []bool) {
	width := make([]int, len(header))
	head := make([]string, len(header))
	for i, h := range header {
		head[i] = cell(h)
		width[i] = runewidth.StringWidth(head[i])
	}
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = make([]string, len(header))
		for i := range header {
			if i < len(row) {
				cells[r][i] = cell(row[i])
			}
			width[i] = max(width[i], runewidth.StringWidth(cells[r][i]))
		}
	}
	var lb strings.Builder
	line := func(row []string, isHeader bool) {
		lb.Reset()
		for i, s := range row {
			if i > 0 {
				lb.WriteString(" |")
			}
			pad := strings.Repeat(" ", width[i]-runewidth.StringWidth(s))
			lb.WriteByte(' ')
			switch {
			case isHeader:
				// Headers are centred over their column.
				l := len(pad) / 2
				lb.WriteString(pad[:l] + s + pad[l:])
			case right[i]:
				lb.WriteString(pad + s)
			default:
				lb.WriteString(s + pad)
			}
		}
		w.WriteString(strings.TrimRight(lb.String(), " ")) // no trailing blanks
		w.WriteByte('\n')
	}
	line(head, true)
	for i := range header {
		if i > 0 {
			w.WriteByte('+')
		}
		w.WriteString(strings.Repeat("-", width[i]+2))
	}
	w.WriteByte('\n')
	for _, row := range cells {
		line(row, false)
	}
}

// cell makes s fit one table line: control characters are shown as
// escapes and text wider than MaxCellWidth is cut with "…".
func cell(s string) string {
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	}
	if len(s) <= MaxCellWidth || runewidth.StringWidth(s) <= MaxCellWidth {
		return s
	}
	return runewidth.Truncate(s, MaxCellWidth, "…")
}

// text renders one value: its text, whether it is NULL, whether it is a
// number (right-aligned in tables).
func text(v any, dateOnly bool) (s string, null, numeric bool) {
	switch x := v.(type) {
	case nil:
		return "NULL", true, false
	case int64:
		return strconv.FormatInt(x, 10), false, true
	case int32, int16, int8, int, uint64, uint32, uint16, uint8, uint:
		return fmt.Sprint(x), false, true
	case float64:
		return FormatFloat(x), false, true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), false, true
	case bool:
		return strconv.FormatBool(x), false, false
	case string:
		return x, false, false
	case []byte:
		return bytesText(x), false, false
	case time.Time:
		return formatTime(x, dateOnly), false, false
	case *big.Int:
		return x.String(), false, true
	case decimal:
		return x.String(), false, true
	}
	if _, _, ok := orderedMap(v); ok {
		return string(appendJSON(nil, v, false)), false, false
	}
	if x, ok := v.(fmt.Stringer); ok {
		return x.String(), false, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		return string(appendJSON(nil, v, false)), false, false
	}
	return fmt.Sprint(v), false, false
}

// decimal is duckdb-go's Decimal (and any exact number type like it).
type decimal interface {
	Float64() float64
	String() string
}

// FormatFloat writes f in the shortest form that reads back exactly, without
// an exponent for magnitudes in [1e-5, 1e16): 8911407.9, 0.3, 2, 1e+20.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-5 && a < 1e16) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func formatTime(t time.Time, dateOnly bool) string {
	if dateOnly {
		return t.Format(time.DateOnly)
	}
	layout := "2006-01-02 15:04:05.999999999"
	if _, off := t.Zone(); off != 0 {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// bytesText shows UTF-8 bytes as text and anything else as \x-prefixed hex.
func bytesText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return `\x` + hex.EncodeToString(b)
}
