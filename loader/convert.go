package loader

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// missingValues are the field values that mean "no value", compared
// ignoring case (so "NaN", "nan" and "NAN" are all missing).
var missingValues = []string{"", "NA", "NaN", "NULL"}

// isMissing reports whether a field value means "no value" (missingValues).
func isMissing(s string) bool {
	for _, m := range missingValues {
		if strings.EqualFold(s, m) {
			return true
		}
	}
	return false
}

// MaxLineAmount bounds |quantity × unit_price| of one line (and an amount).
// Money beyond it is a data error, and it keeps the sums that features
// computes finite for any realistic number of lines.
const MaxLineAmount = 1e15

// builtinDateLayouts are tried, in order, after Options.DateFormat.
var builtinDateLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	time.RFC3339,
	"1/2/2006 15:04:05", // US month/day/year, as in Excel exports of Online Retail
	"1/2/2006 15:04",
	"1/2/2006",
}

// dateParser parses timestamps, trying the layout that worked last time first.
type dateParser struct {
	layouts []string
	last    int
}

func newDateParser(extra string) *dateParser {
	if extra == "" {
		return &dateParser{layouts: builtinDateLayouts}
	}
	// With a layout of their own, day-first files must not fall back to
	// the month-first US layouts: "3/4/2011" would silently become March 4.
	ls := []string{goLayout(extra)}
	for _, l := range builtinDateLayouts {
		if !strings.HasPrefix(l, "1/2/") {
			ls = append(ls, l)
		}
	}
	return &dateParser{layouts: ls}
}

// parse returns the wall-clock time in s (kept as UTC; a zone offset in the
// input is converted to UTC).
func (p *dateParser) parse(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(p.layouts[p.last], s); err == nil {
		return t.UTC(), true
	}
	for i, l := range p.layouts {
		if i == p.last {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			p.last = i
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// goLayout turns a strftime-style format (one containing '%') into a Go
// layout; a format without '%' is already a Go layout and is returned as is.
func goLayout(f string) string {
	if !strings.Contains(f, "%") {
		return f
	}
	r := strings.NewReplacer(
		// Day, month and hour take one or two digits when parsing.
		"%Y", "2006", "%y", "06", "%m", "1", "%d", "2", "%e", "2",
		"%H", "15", "%I", "3", "%M", "04", "%S", "05", "%p", "PM",
		"%b", "Jan", "%B", "January", "%a", "Mon", "%A", "Monday",
		"%z", "-0700", "%Z", "MST", "%f", "000000", "%%", "%",
	)
	return r.Replace(f)
}

// parseInt parses an integer, accepting an integral float ("6.0").
func parseInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 || !plainNumber(s) {
		return 0, false
	}
	return int64(f), true
}

// plainNumber rejects the spellings strconv accepts that a CSV number never
// means: Inf, NaN, hexadecimal, underscores.
func plainNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return false
		}
	}
	return true
}

// parseFloat parses a finite decimal number.
func parseFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !plainNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// normalizeID turns a float-looking id ("17850.0", "17850.00") into its
// integer spelling ("17850"); other ids are returned unchanged.
func normalizeID(s string) string {
	dot := strings.IndexByte(s, '.')
	if dot <= 0 {
		return s
	}
	for i := 0; i < dot; i++ {
		if s[i] < '0' || s[i] > '9' {
			return s
		}
	}
	for i := dot + 1; i < len(s); i++ {
		if s[i] != '0' {
			return s
		}
	}
	return s[:dot]
}

// quoteValue shows a bad value in a reject reason, shortened if long.
func quoteValue(s string) string {
	if len(s) > 60 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

// Encodings.

type encoding int

const (
	encUTF8 encoding = iota
	encLatin1
	encWindows1252
)

func parseEncoding(name string) (encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", "-")) {
	case "", "utf-8", "utf8":
		return encUTF8, nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1":
		return encLatin1, nil
	case "windows-1252", "cp1252", "win-1252":
		return encWindows1252, nil
	}
	return 0, fmt.Errorf("unknown encoding %q: use utf-8, latin-1 (iso-8859-1) or windows-1252", name)
}

// cp1252 maps bytes 0x80..0x9F of windows-1252; 0 marks the five undefined ones.
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// decode converts s from enc to UTF-8. For UTF-8 it checks validity. It
// returns the offending byte and false when s holds a byte that is not valid
// in enc.
func decode(enc encoding, s string) (string, byte, bool) {
	switch enc {
	case encUTF8:
		if utf8.ValidString(s) {
			return s, 0, true
		}
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				return "", s[i], false
			}
			i += n
		}
		return s, 0, true
	default:
		ascii := true
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			return s, 0, true
		}
		var b strings.Builder
		b.Grow(len(s) + 8)
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c < 0x80:
				b.WriteByte(c)
			case enc == encWindows1252 && c < 0xA0:
				r := cp1252[c-0x80]
				if r == 0 {
					return "", c, false
				}
				b.WriteRune(r)
			default:
				b.WriteRune(rune(c))
			}
		}
		return b.String(), 0, true
	}
}

// printableRaw turns a raw record into valid UTF-8 text for load_rejects:
// decoded from enc where possible, each undecodable byte written as \xNN.
func printableRaw(enc encoding, raw []byte) string {
	if s, _, ok := decode(enc, string(raw)); ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(raw); {
		if enc == encUTF8 {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n <= 1 {
				fmt.Fprintf(&b, `\x%02X`, raw[i])
				i++
				continue
			}
			b.Write(raw[i : i+n])
			i += n
			continue
		}
		s, c, ok := decode(enc, string(raw[i:i+1]))
		if ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, `\x%02X`, c)
		}
		i++
	}
	return b.String()
}
