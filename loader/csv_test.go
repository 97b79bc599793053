package loader

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRecordReader(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		lines  []int64 // first line of each record
		fields [][]string
		probs  []string // "" for a well-formed record
		blank  int64
	}{
		{"plain", "a,b\n1,2\n", []int64{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}, []string{"", ""}, 0},
		{"no final newline, CRLF", "a,b\r\n1,2", []int64{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}, []string{"", ""}, 0},
		{"empty fields", ",\n,,x,\n", []int64{1, 2}, [][]string{{"", ""}, {"", "", "x", ""}}, []string{"", ""}, 0},
		{"quoted newline and quotes", "\"a\nb\",\"c\"\"d\"\r\n\n x ,\"\"\n", []int64{1, 4}, [][]string{{"a\nb", `c"d`}, {" x ", ""}}, []string{"", ""}, 1},
		{"quoted CRLF becomes LF", "\"a\r\nb\"\n", []int64{1}, [][]string{{"a\nb"}}, []string{""}, 0},
		{"bare quote in unquoted field kept", "a\"b,c\n", []int64{1}, [][]string{{`a"b`, "c"}}, []string{""}, 0},
		{"text after closing quote", "\"a\"b,c\n1,2\n", []int64{1, 2}, [][]string{nil, {"1", "2"}}, []string{"field 1: unexpected text after a closing quote", ""}, 0},
		{"unterminated", "1,2\n\"a,\n3,4\n", []int64{1, 2}, [][]string{{"1", "2"}, nil}, []string{"", "unterminated quoted field: the rest of the file was read as this one record"}, 0},
		{"BOM and blank lines", "\xEF\xBB\xBFh\n\n \t\r\n\nv\n", []int64{1, 5}, [][]string{{"h"}, {"v"}}, []string{"", ""}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr := newRecordReader(strings.NewReader(c.in), DefaultMaxRecordBytes)
			for i := 0; ; i++ {
				rec, err := rr.next()
				if err == io.EOF {
					if i != len(c.lines) {
						t.Errorf("%d records, want %d", i, len(c.lines))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if i >= len(c.lines) {
					t.Fatalf("extra record %+v", rec)
				}
				if rec.line != c.lines[i] || rec.problem != c.probs[i] || strings.Join(rec.fields, "|") != strings.Join(c.fields[i], "|") || len(rec.fields) != len(c.fields[i]) {
					t.Errorf("record %d = line %d %q %q, want line %d %q %q", i, rec.line, rec.fields, rec.problem, c.lines[i], c.fields[i], c.probs[i])
				}
			}
			if rr.blank != c.blank {
				t.Errorf("blank = %d, want %d", rr.blank, c.blank)
			}
		})
	}
}

// encodeRecord writes fields as one CSV record, quoting where needed.
func encodeRecord(fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if f == "" || strings.ContainsAny(f, ",\"\r\n") || f[0] == ' ' || strings.TrimSpace(f) == "" {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(f)
		}
	}
	return b.String()
}

// FuzzParseRecords checks the record reader on any input: it never panics,
// records start on increasing lines within the input, every physical line
// is accounted for, and a well-formed record written back out parses to the
// same fields. Every record then goes through the converter, which must not
// panic and must give valid UTF-8 for every row it accepts.
func FuzzParseRecords(f *testing.F) {
	for _, s := range []string{
		"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n",
		"a,b\r\n\"x\ny\",\"q\"\"q\"\r\n\r\n",
		"\"unterminated,1\n2,3\n",
		"\"a\"b,c\n,,\n",
		"1,2,3,4,5,6,7,8\nNA,NaN,NULL,abc,12/1/2010 8:26,x,1e3,\xa3\n",
		"\xEF\xBB\xBF\n \n",
	} {
		f.Add([]byte(s))
	}
	dates := newDateParser("%d.%m.%Y")
	lay := &layout{header: make([]string, 8), used: make([]bool, 8)}
	for i := range lay.idx {
		lay.idx[i] = -1
	}
	for i := 0; i < 8; i++ {
		lay.idx[i] = i
		lay.used[i] = true
	}
	conv := &converter{l: lay, dates: dates}
	f.Fuzz(func(t *testing.T, in []byte) {
		body := bytes.TrimPrefix(in, []byte{0xEF, 0xBB, 0xBF})
		physical := int64(bytes.Count(body, []byte{'\n'}))
		if len(body) > 0 && body[len(body)-1] != '\n' {
			physical++
		}
		rr := newRecordReader(bytes.NewReader(in), DefaultMaxRecordBytes)
		last := int64(0)
		for {
			rec, err := rr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.line <= last || rec.line > physical {
				t.Fatalf("record at line %d after line %d, input has %d lines", rec.line, last, physical)
			}
			last = rec.line
			if rec.problem != "" {
				continue
			}
			fields := append([]string(nil), rec.fields...)
			// A first line keeps a leading U+FEFF from being taken for a BOM.
			rr2 := newRecordReader(strings.NewReader("h\n"+encodeRecord(fields)+"\n"), DefaultMaxRecordBytes)
			rr2.next()
			rec2, err := rr2.next()
			if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" && fields[0] != "" {
				// A lone whitespace field written quoted is not blank; fine either way.
			} else if err != nil {
				t.Fatalf("round trip of %q: %v", fields, err)
			} else if rec2.problem != "" || strings.Join(rec2.fields, "\x00") != strings.Join(fields, "\x00") || len(rec2.fields) != len(fields) {
				t.Fatalf("round trip of %q: %v %q %q", fields, err, rec2.fields, rec2.problem)
			}
			var r row
			if conv.convert(fields, &r) == "" {
				for i, ok := range r.textOK {
					if ok && !utf8.ValidString(r.text[i]) {
						t.Fatalf("accepted invalid UTF-8 %q", r.text[i])
					}
				}
			}
		}
		if rr.line != physical {
			t.Fatalf("read %d lines, input has %d", rr.line, physical)
		}
	})
}
