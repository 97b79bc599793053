package loader

import (
	"bufio"
	"bytes"
	"io"
)

// record is one CSV record as read from the source: its fields, the raw
// bytes it came from and the physical line it starts on.
type record struct {
	line    int64    // physical line number of the record's first byte; the first line is 1
	fields  []string // unquoted field values, not yet checked for encoding
	raw     []byte   // the record's bytes without its final line terminator; valid until the next call
	problem string   // non-empty when the record is malformed (the quoting cannot be parsed)
}

// recordReader splits a byte stream into CSV records (RFC 4180 with the usual
// leniencies) while counting physical lines, so that every record can be
// reported at the line it starts on.
//
// Rules: fields are separated by ',' and records by "\n" or "\r\n"; a field
// that starts with '"' is quoted and may contain ',', '"' (doubled) and line
// breaks ("\r\n" inside quotes becomes "\n"); a '"' inside an unquoted field
// is kept literally; anything but ',' or the line end after a closing quote
// makes the record malformed (the rest of its line is skipped); a quote left
// open at the end of input makes the rest of the input one malformed record.
// A line holding only spaces, tabs or "\r" is blank: skipped and counted.
//
// A record longer than max bytes is rejected (problem set, raw cut to max)
// and reading resumes at the next physical line, so memory stays bounded on
// a runaway quote or a file without line breaks.
type recordReader struct {
	br     *bufio.Reader
	max    int   // longest record kept, in bytes
	cut    bool  // the last readLine dropped bytes beyond max
	line   int64 // physical lines consumed so far
	blank  int64 // blank lines skipped
	raw    []byte
	buf    []byte // unquoted field bytes of the current record
	ends   []int  // end offset in buf of each field
	fields []string
	eof    bool
	rec    record
}

func newRecordReader(r io.Reader, limit int) *recordReader {
	br := bufio.NewReaderSize(r, 256<<10)
	// A UTF-8 byte order mark is not part of the first header name.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	// Old Mac exports end lines with a lone CR: when the start of the file
	// has a CR and no LF at all, CR is the line terminator.
	if b, _ := br.Peek(crProbe); bytes.IndexByte(b, '\r') >= 0 && bytes.IndexByte(b, '\n') < 0 {
		br = bufio.NewReaderSize(crToLF{br}, 256<<10)
	}
	return &recordReader{br: br, max: limit}
}

// crProbe is how much of the start of a file decides whether its lines end
// in a lone CR.
const crProbe = 64 << 10

// crToLF reads CR-terminated lines as LF-terminated ones.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// readLine appends the next physical line (with its terminator, if any) to
// dst. It reports false when the input was exhausted before any byte.
func (rr *recordReader) readLine(dst []byte) ([]byte, bool, error) {
	if rr.eof {
		return dst, false, nil
	}
	n := len(dst)
	rr.cut = false
	for {
		chunk, err := rr.br.ReadSlice('\n')
		if room := rr.max - len(dst); len(chunk) > room {
			// Beyond the record limit: keep max bytes, drop the rest of the line.
			dst = append(dst, chunk[:max(room, 0)]...)
			rr.cut = true
		} else {
			dst = append(dst, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			rr.eof = true
			if len(dst) == n {
				return dst, false, nil
			}
			break
		}
		if err != nil {
			return dst, false, err
		}
		break
	}
	rr.line++
	return dst, true, nil
}

// contentEnd is the index where the line terminator of the last line in b starts.
func contentEnd(b []byte) int {
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
		if n > 0 && b[n-1] == '\r' {
			n--
		}
	}
	return n
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// next returns the next record, or io.EOF after the last one. The returned
// record and its slices are reused by the following call.
func (rr *recordReader) next() (*record, error) {
	var ok bool
	var err error
	for {
		rr.raw, ok, err = rr.readLine(rr.raw[:0])
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		if rr.cut || !isBlank(rr.raw) {
			break
		}
		rr.blank++
	}
	rec := &rr.rec
	*rec = record{line: rr.line}
	if rr.cut {
		rec.raw = rr.raw
		rec.problem = rr.tooLong()
		return rec, nil
	}
	rr.buf = rr.buf[:0]
	rr.ends = rr.ends[:0]
	raw := rr.raw
	end := contentEnd(raw)
	i := 0
	for {
		// One field starts at i.
		if i < end && raw[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(raw[i:end], '"')
				if j < 0 {
					// The quoted field goes on past this line.
					rr.buf = append(rr.buf, raw[i:end]...)
					if end < len(raw) {
						rr.buf = append(rr.buf, '\n')
					}
					prev := len(raw)
					raw, ok, err = rr.readLine(raw)
					if err != nil {
						return nil, err
					}
					if rr.cut {
						rr.raw = raw
						rec.raw = raw
						rec.problem = rr.tooLong() + " (a quoted field was still open: an unterminated quote?)"
						return rec, nil
					}
					if !ok {
						rr.raw = raw
						rec.raw = raw[:contentEnd(raw)]
						rec.problem = "unterminated quoted field: the rest of the file was read as this one record"
						rec.fields = nil
						return rec, nil
					}
					i = prev
					end = contentEnd(raw)
					continue
				}
				rr.buf = append(rr.buf, raw[i:i+j]...)
				i += j + 1
				if i < end && raw[i] == '"' {
					rr.buf = append(rr.buf, '"')
					i++
					continue
				}
				break
			}
			rr.ends = append(rr.ends, len(rr.buf))
			if i >= end {
				break
			}
			if raw[i] == ',' {
				i++
				if i == end { // trailing empty field
					rr.ends = append(rr.ends, len(rr.buf))
					break
				}
				continue
			}
			rec.problem = "field " + itoa(len(rr.ends)) + ": unexpected text after a closing quote"
			break
		}
		j := bytes.IndexByte(raw[i:end], ',')
		if j < 0 {
			rr.buf = append(rr.buf, raw[i:end]...)
			rr.ends = append(rr.ends, len(rr.buf))
			break
		}
		rr.buf = append(rr.buf, raw[i:i+j]...)
		rr.ends = append(rr.ends, len(rr.buf))
		i += j + 1
		if i == end {
			rr.ends = append(rr.ends, len(rr.buf))
			break
		}
	}
	rr.raw = raw
	rec.raw = raw[:end]
	if rec.problem != "" {
		rec.fields = nil
		return rec, nil
	}
	s := string(rr.buf)
	rr.fields = rr.fields[:0]
	start := 0
	for _, e := range rr.ends {
		rr.fields = append(rr.fields, s[start:e])
		start = e
	}
	rec.fields = rr.fields
	return rec, nil
}

// tooLong is the reject reason of a record cut at rr.max bytes.
func (rr *recordReader) tooLong() string {
	return "record longer than " + itoa(rr.max) + " bytes (the record limit); reading resumes at line " + itoa(int(rr.line)+1)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
