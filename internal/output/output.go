// Package output renders query results for a terminal (an aligned table,
// laid out by github.com/jedib0t/go-pretty) or for a script (CSV, JSON), from
// the value types of both database drivers: mattn/go-sqlite3 (int64,
// float64, string, []byte, time.Time, bool, nil) and duckdb-go (the same
// plus smaller ints, *big.Int, decimals, lists, maps, structs).
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

	"github.com/jedib0t/go-pretty/v6/table"
	ptext "github.com/jedib0t/go-pretty/v6/text"
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
	kinds := make([]colKind, len(cols))
	if types, err := rows.ColumnTypes(); err == nil {
		for i, t := range types {
			switch strings.ToUpper(t.DatabaseTypeName()) {
			case "DATE":
				kinds[i] = dateCol
			case "TIME":
				kinds[i] = timeCol
			case "UUID":
				kinds[i] = uuidCol
			}
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
				s, null, num := text(v, kinds[i])
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
				rec[i], _, _ = text(v, kinds[i])
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
				b = appendJSON(b, v, kinds[i])
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

// tableStyle is psql's look, without outer borders:
//
//	  name | n
//	-------+----
//	 alice | 12
var tableStyle = table.Style{
	Box: table.BoxStyle{MiddleHorizontal: "-", MiddleSeparator: "+", MiddleVertical: "|",
		PaddingLeft: " ", PaddingRight: " "},
	Format:  table.FormatOptions{Header: ptext.FormatDefault, Row: ptext.FormatDefault},
	Options: table.Options{SeparateColumns: true, SeparateHeader: true},
}

// writeTable lays out cells with go-pretty: headers centred over their
// column, right[i] right-aligns column i, widths in terminal cells
// (go-runewidth), no trailing blanks.
func writeTable(w *bufio.Writer, header []string, rows [][]string, right []bool) {
	t := table.NewWriter()
	t.SetStyle(tableStyle)
	t.SuppressTrailingSpaces()
	configs := make([]table.ColumnConfig, len(header))
	head := make(table.Row, len(header))
	for i, h := range header {
		configs[i] = table.ColumnConfig{Number: i + 1, AlignHeader: ptext.AlignCenter, Align: ptext.AlignLeft}
		if right[i] {
			configs[i].Align = ptext.AlignRight
		}
		head[i] = cell(h)
	}
	t.SetColumnConfigs(configs)
	t.AppendHeader(head)
	for _, r := range rows {
		row := make(table.Row, len(header))
		for i := range header {
			row[i] = ""
			if i < len(r) {
				row[i] = cell(r[i])
			}
		}
		t.AppendRow(row)
	}
	w.WriteString(t.Render())
	w.WriteByte('\n')
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
func text(v any, kind colKind) (s string, null, numeric bool) {
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
		if kind == uuidCol && len(x) == 16 {
			return formatUUID(x), false, false
		}
		return bytesText(x), false, false
	case time.Time:
		return formatTime(x, kind), false, false
	case *big.Int:
		return x.String(), false, true
	case decimal:
		return x.String(), false, true
	}
	if _, _, ok := orderedMap(v); ok {
		return string(appendJSON(nil, v, plainCol)), false, false
	}
	if iv, ok := interval(v); ok {
		return iv, false, false
	}
	if x, ok := v.(fmt.Stringer); ok {
		return x.String(), false, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		return string(appendJSON(nil, v, plainCol)), false, false
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

// colKind is what the column's database type says about values whose Go
// type is ambiguous (a time.Time may be a DATE or a TIME, a []byte a UUID).
type colKind uint8

const (
	plainCol colKind = iota
	dateCol
	timeCol
	uuidCol
)

func formatTime(t time.Time, kind colKind) string {
	switch kind {
	case dateCol:
		return t.Format(time.DateOnly)
	case timeCol:
		return t.Format("15:04:05.999999999")
	}
	layout := "2006-01-02 15:04:05.999999999"
	if _, off := t.Zone(); off != 0 {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// formatUUID writes 16 bytes as 8-4-4-4-12 hex digits.
func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// interval renders a struct with integer Months, Days and Micros fields
// (duckdb-go's Interval) as "1 month 3 days 02:00:00".
func interval(v any) (string, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		return "", false
	}
	get := func(name string) (int64, bool) {
		f := rv.FieldByName(name)
		if !f.IsValid() || !f.CanInt() {
			return 0, false
		}
		return f.Int(), true
	}
	months, ok1 := get("Months")
	days, ok2 := get("Days")
	micros, ok3 := get("Micros")
	if !ok1 || !ok2 || !ok3 || rv.NumField() != 3 {
		return "", false
	}
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		if n != 1 && n != -1 {
			name += "s"
		}
		parts = append(parts, strconv.FormatInt(n, 10)+" "+name)
	}
	unit(months/12, "year")
	unit(months%12, "month")
	unit(days, "day")
	if micros != 0 || len(parts) == 0 {
		sign := ""
		if micros < 0 {
			sign, micros = "-", -micros
		}
		d := time.Duration(micros) * time.Microsecond
		c := fmt.Sprintf("%s%02d:%02d:%02d", sign, int64(d.Hours()), int64(d.Minutes())%60, int64(d.Seconds())%60)
		if us := micros % 1e6; us != 0 {
			c += strings.TrimRight(fmt.Sprintf(".%06d", us), "0")
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, " "), true
}

// bytesText shows UTF-8 bytes as text and anything else as \x-prefixed hex.
func bytesText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return `\x` + hex.EncodeToString(b)
}
