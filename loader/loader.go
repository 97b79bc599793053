package loader

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"
)

// Options control a load. The zero value loads UTF-8 files whose headers are
// recognised, refusing content loaded before.
type Options struct {
	// Map names the source header for a target column, overriding header
	// recognition: keys are invoice_no, stock_code, description, quantity,
	// invoice_date, unit_price, customer_id, country and amount; values are
	// header names (matched exactly, else ignoring case, spaces and
	// punctuation). Example: {"customer_id": "Customer ID"}.
	Map map[string]string
	// DateFormat is an extra timestamp layout tried before the built-in ones:
	// a Go layout ("02/01/2006 15:04"), or strftime-style when it contains
	// '%' ("%d/%m/%Y %H:%M"; %Y %y %m %d %e %H %I %M %S %p %b %B %a %A %z
	// %Z; %d %m %H %I take one or two digits). When set, the month-first
	// US layouts are not tried, so a day-first date is never read as US.
	DateFormat string
	// Encoding of the file: "utf-8" (default), "latin-1" (alias
	// "iso-8859-1"; every byte is valid) or "windows-1252" (Latin-1 with
	// €, curly quotes, … in 0x80-0x9F; its five undefined bytes are invalid).
	Encoding string
	// Replace allows loading content that was loaded before: the rows that
	// earlier load added are removed (see the package doc) and replaced.
	Replace bool
	// KeepDuplicates keeps rows that are already in transactions from an
	// earlier file. By default they are skipped (moved to load_skips): two
	// exports that overlap in time would otherwise count the overlap twice.
	KeepDuplicates bool
	// MaxRecordBytes is the longest record kept (0: DefaultMaxRecordBytes).
	// A longer one is rejected, naming its line, and reading resumes at the
	// next line: memory stays bounded on a runaway quote or a file with no
	// line breaks.
	MaxRecordBytes int
	// Progress, when non-nil, hears how far the load is: bytes read of the
	// files as stored (compressed, for gzip) out of their total size, after
	// every read and once more as each file ends. The loader never prints;
	// the caller draws (custseg draws a bar on a terminal).
	Progress func(done, total int64)
}

// DefaultMaxRecordBytes is the record limit when Options.MaxRecordBytes is 0:
// far above any real transaction line, far below the memory of a machine.
const DefaultMaxRecordBytes = 1 << 20

// Summary reports the load of one file.
type Summary struct {
	Source   string        // the path as given
	Records  int64         // data records (Loaded + Rejected), header and blank lines excluded
	Loaded   int64         // rows added to transactions
	Rejected int64         // rows added to load_rejects
	Blank    int64         // blank lines skipped
	Replaced int64         // rows of an earlier load of the same content removed (Options.Replace)
	Skipped  int64         // rows already in transactions from another file, not loaded again (in load_skips)
	Repeated int64         // rows that repeat an earlier row of the same file: loaded, only counted
	Duration time.Duration // wall time of reading and writing this file; the commit, after the last file, is not included
	SHA256   string        // hex SHA-256 of the decompressed content
}

// String is a one-line summary, e.g.
// "data.csv.gz: 541909 records, 541909 loaded, 0 rejected, 0 blank lines, 1.2s".
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d records, %d loaded, %d rejected, %d blank lines", s.Source, s.Records, s.Loaded, s.Rejected, s.Blank)
	if s.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped as already loaded from another file (see load_skips)", s.Skipped)
	}
	if s.Repeated > 0 {
		fmt.Fprintf(&b, ", %d repeated inside the file (kept)", s.Repeated)
	}
	if s.Replaced > 0 {
		fmt.Fprintf(&b, ", replacing %d rows loaded before", s.Replaced)
	}
	fmt.Fprintf(&b, ", %s", s.Duration.Round(time.Millisecond))
	if s.Rejected > 0 {
		fmt.Fprintf(&b, " (rejected records are in load_rejects)")
	}
	return b.String()
}

func (o Options) maxRecordBytes() int {
	if o.MaxRecordBytes > 0 {
		return o.MaxRecordBytes
	}
	return DefaultMaxRecordBytes
}

// ErrNoRecords is wrapped by the error returned when a file has a header but
// not one data record: it is not in a layout the loader reads (e.g. a wrong
// delimiter), and recording it as loaded would refuse it later.
var ErrNoRecords = errors.New("no data records")

// ErrDuplicate is wrapped by the error returned when content was loaded
// before and Options.Replace is false. The message names no option: the
// caller says how its users ask for Replace (the CLI's --replace).
var ErrDuplicate = errors.New("content already loaded")

// Load reads each CSV file (plain or gzip, detected by its magic bytes) into
// the transactions table of db (a DuckDB or SQLite database opened through
// duckdb-go or mattn/go-sqlite3, with the custseg schema in place), records rejected records in load_rejects and
// each file's content hash in load_files. All files load in one transaction:
// on any error the database is left exactly as it was and no summary is
// returned. A record that cannot be parsed is not an error: it is rejected.
func Load(ctx context.Context, db *sql.DB, files []string, opts Options) ([]Summary, error) {
	kind, err := engineOf(db)
	if err != nil {
		return nil, err
	}
	enc, err := parseEncoding(opts.Encoding)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	begin := "BEGIN TRANSACTION"
	if kind == sqliteEngine {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return nil, fmt.Errorf("load: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var sums []Summary
	m := newMeter(files, opts.Progress)
	for _, f := range files {
		s, err := loadFile(ctx, kind, conn, f, enc, opts, m)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
		sums = append(sums, s)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("load: commit: %w", err)
	}
	done = true
	return sums, nil
}

// source is an open input: decompressed bytes, hashed as they are read.
type source struct {
	f    *os.File
	r    io.Reader
	hash hash.Hash
	m    *meter
}

// openSource opens path; m, if not nil, counts the bytes read of it.
func openSource(path string, m *meter) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s := &source{f: f, hash: sha256.New()}
	var r io.Reader = f
	if m != nil {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		m.startFile(st.Size())
		s.m = m
		r = &meteredReader{m: m, r: f}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, gzipError(err)
		}
		s.r = gzipReader{zr}
	} else {
		s.r = br
	}
	s.r = io.TeeReader(s.r, s.hash)
	return s, nil
}

// gzipReader names gzip in its errors: a bare "unexpected EOF" does not tell
// the user that the file is a truncated download.
type gzipReader struct{ r io.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

func gzipError(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("gzip: the compressed file ends early (truncated?): %w", err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("gzip: the compressed file is corrupt: %w", err)
	}
	return fmt.Errorf("gzip: %w", err)
}

func (s *source) sum() string { return hex.EncodeToString(s.hash.Sum(nil)) }

// contentHash is the SHA-256 of the decompressed content of path.
func contentHash(path string) (string, error) {
	s, err := openSource(path, nil)
	if err != nil {
		return "", err
	}
	defer s.f.Close()
	if _, err := io.Copy(io.Discard, s.r); err != nil {
		return "", err
	}
	return s.sum(), nil
}

const stageTable = "custseg_load_stage"

const tableColumns = "invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country"

type earlier struct {
	source string
	loaded int64
}

func findLoaded(ctx context.Context, conn *sql.Conn, sha string) (*earlier, error) {
	var e earlier
	err := conn.QueryRowContext(ctx, "SELECT source, loaded FROM load_files WHERE sha256 = ?", sha).Scan(&e.source, &e.loaded)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func duplicateError(sha string, e *earlier) error {
	return fmt.Errorf("%w: the same content (sha256 %s) was loaded before from %s (%d rows); nothing was loaded", ErrDuplicate, sha[:16], e.source, e.loaded)
}

func loadFile(ctx context.Context, kind engineKind, conn *sql.Conn, path string, enc encoding, opts Options, m *meter) (Summary, error) {
	start := time.Now()
	sum := Summary{Source: path}
	// Without Replace the hash is computed while loading and checked at the
	// end (a duplicate rolls back); with Replace it is needed first, to stage
	// the new rows apart from the old ones.
	var old *earlier
	var preSHA string
	table := "transactions"
	if opts.Replace {
		sha, err := contentHash(path)
		preSHA = sha
		if err != nil {
			return sum, err
		}
		if old, err = findLoaded(ctx, conn, sha); err != nil {
			return sum, err
		}
		if old != nil {
			table = stageTable
			if err := createStage(ctx, conn); err != nil {
				return sum, err
			}
			if _, err := conn.ExecContext(ctx, "DELETE FROM load_rejects WHERE source = ?", old.source); err != nil {
				return sum, err
			}
		}
	}
	staged := false
	if table == "transactions" {
		// Rows already present can only come from another file when the
		// table holds any: the first load of a database needs no stage.
		// Otherwise the file is staged, to tell its rows (and its own
		// repeats) from those loaded before.
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM transactions)").Scan(&staged); err != nil {
			return sum, err
		}
		if staged {
			table = stageTable
			if err := createStage(ctx, conn); err != nil {
				return sum, err
			}
		}
	}
	src, err := openSource(path, m)
	if err != nil {
		return sum, err
	}
	defer src.f.Close()
	rr := newRecordReader(src.r, opts.maxRecordBytes())
	hdr, err := rr.next()
	if err == io.EOF {
		return sum, fmt.Errorf("empty file: no header line")
	}
	if err != nil {
		return sum, err
	}
	if hdr.problem != "" {
		return sum, fmt.Errorf("header (line %d): %s", hdr.line, hdr.problem)
	}
	header := make([]string, len(hdr.fields))
	for i, h := range hdr.fields {
		s, bad, ok := decode(enc, h)
		if !ok {
			return sum, fmt.Errorf("header (line %d): invalid %s byte 0x%02X%s", hdr.line, encName(enc), bad, encHint(enc))
		}
		header[i] = strings.TrimSpace(s)
	}
	lay, err := newLayout(header, opts.Map)
	if err != nil {
		return sum, err
	}
	conv := &converter{l: lay, enc: enc, dates: newDateParser(opts.DateFormat)}

	// Reading and converting (this goroutine's partner) overlaps writing
	// (the sink): batches of parsed records flow through a channel.
	run := func(sk sink) (err error) {
		defer func() {
			if cerr := sk.close(); err == nil {
				err = cerr
			}
		}()
		p := startParser(ctx, rr, conv, enc)
		defer p.stop()
		for b := range p.batches {
			for i := range b.items {
				it := &b.items[i]
				sum.Records++
				if it.reason != "" {
					sum.Rejected++
					if err := sk.reject(path, it.line, it.reason, it.raw); err != nil {
						return err
					}
					continue
				}
				sum.Loaded++
				if err := sk.add(&it.r, it.line); err != nil {
					return err
				}
			}
			select {
			case p.free <- b:
			default:
			}
		}
		return p.err
	}
	if kind == duckdbEngine {
		err = conn.Raw(func(dc any) error {
			sk, err := newDuckSink(dc.(driver.Conn), table)
			if err != nil {
				return err
			}
			return run(sk)
		})
	} else {
		var sk *sqliteSink
		sk, err = newSQLiteSink(ctx, conn, table)
		if err == nil {
			err = run(sk)
		}
	}
	if err != nil {
		return sum, err
	}
	if src.m != nil {
		src.m.endFile()
	}
	if sum.Records == 0 {
		return sum, fmt.Errorf("%w after the header (line %d) in %d lines: nothing was loaded; is it a comma-separated file?", ErrNoRecords, hdr.line, rr.line)
	}
	sum.Blank = rr.blank
	sum.SHA256 = src.sum()

	if old == nil {
		if old, err = findLoaded(ctx, conn, sum.SHA256); err != nil {
			return sum, err
		}
		if old != nil {
			return sum, duplicateError(sum.SHA256, old)
		}
		if err := countRepeats(ctx, conn, table, &sum); err != nil {
			return sum, err
		}
		if staged {
			if err := moveStaged(ctx, conn, kind, path, !opts.KeepDuplicates, &sum); err != nil {
				return sum, err
			}
		}
	} else {
		if sum.SHA256 != preSHA {
			return sum, fmt.Errorf("the file changed while it was being loaded")
		}
		if err := replaceRows(ctx, conn, kind, old, &sum); err != nil {
			return sum, err
		}
	}
	var loadedAt any = start.UTC()
	if kind == sqliteEngine {
		loadedAt = start.UTC().Format(timestampText)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO load_files (source, sha256, loaded_at, loaded, rejected, blank) VALUES (?,?,?,?,?,?)",
		path, sum.SHA256, loadedAt, sum.Loaded, sum.Rejected, sum.Blank); err != nil {
		return sum, err
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// createStage creates the scratch table a file is loaded into when its rows
// must be compared with those already loaded: a plain table created inside
// the load's transaction, so a rollback removes it.
func createStage(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "CREATE TABLE "+stageTable+
		" (invoice_no TEXT, stock_code TEXT, description TEXT, quantity BIGINT, invoice_date TIMESTAMP, unit_price DOUBLE, customer_id TEXT, country TEXT)")
	return err
}

// overlapKey is what makes two transaction rows the same purchase line
// when two files overlap: description and country may be spelled
// differently by two exports of the same data.
var overlapKey = []string{"invoice_no", "stock_code", "quantity", "invoice_date", "unit_price", "customer_id"}

// countRepeats counts the rows of this file (all of table: transactions
// when it was empty before the file, else the stage) that repeat an earlier
// row of it by overlapKey.
func countRepeats(ctx context.Context, conn *sql.Conn, table string, sum *Summary) error {
	key := strings.Join(overlapKey, ", ")
	q := "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM " + table + " GROUP BY " + key + ") g"
	if err := conn.QueryRowContext(ctx, q).Scan(&sum.Repeated); err != nil {
		return fmt.Errorf("counting repeated rows: %w", err)
	}
	return nil
}

// moveStaged moves the staged rows to transactions; with skip, those
// already in transactions (by overlapKey; NULLs match NULLs) go to
// load_skips instead.
func moveStaged(ctx context.Context, conn *sql.Conn, kind engineKind, path string, skip bool, sum *Summary) error {
	on := make([]string, len(overlapKey))
	for i, c := range overlapKey {
		on[i] = "s." + c + " IS NOT DISTINCT FROM t." + c
	}
	matches := "SELECT s.rowid FROM " + stageTable + " s JOIN transactions t ON " + strings.Join(on, " AND ")
	var steps []string
	if skip {
		if kind == sqliteEngine {
			// SQLite has no hash join: probe an index on the (smaller) stage
			// from a scan of transactions, in that order (CROSS JOIN fixes it).
			for i, c := range overlapKey {
				on[i] = "s." + c + " IS t." + c
			}
			matches = "SELECT s.rowid FROM transactions t CROSS JOIN " + stageTable + " s ON " + strings.Join(on, " AND ")
			steps = append(steps, "CREATE INDEX "+stageTable+"_key ON "+stageTable+" ("+strings.Join(overlapKey, ", ")+")")
		}
		steps = append(steps,
			"INSERT INTO load_skips (source, "+tableColumns+") SELECT ?, "+tableColumns+" FROM "+stageTable+" WHERE rowid IN ("+matches+")",
			"DELETE FROM "+stageTable+" WHERE rowid IN ("+matches+")")
	}
	steps = append(steps,
		"INSERT INTO transactions ("+tableColumns+") SELECT "+tableColumns+" FROM "+stageTable,
		"DROP TABLE "+stageTable,
	)
	for _, q := range steps {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{path}
		}
		res, err := conn.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("skipping rows loaded before: %w", err)
		}
		if strings.HasPrefix(q, "INSERT INTO load_skips") {
			if sum.Skipped, err = res.RowsAffected(); err != nil {
				return err
			}
		}
	}
	sum.Loaded -= sum.Skipped
	return nil
}

// replaceRows removes, from transactions, one copy of every staged row (a
// multiset difference: rows equal in all eight columns are interchangeable),
// checks that exactly the earlier load's row count went, then moves the
// staged rows in.
func replaceRows(ctx context.Context, conn *sql.Conn, kind engineKind, old *earlier, sum *Summary) error {
	cols := strings.Split(tableColumns, ", ")
	on := make([]string, len(cols))
	for i, c := range cols {
		on[i] = "t." + c + " IS NOT DISTINCT FROM s." + c
	}
	del := "DELETE FROM transactions WHERE rowid IN (SELECT t.rid FROM " +
		"(SELECT rowid AS rid, " + tableColumns + ", row_number() OVER (PARTITION BY " + tableColumns + ") AS rn FROM transactions) t " +
		"JOIN (SELECT " + tableColumns + ", count(*) AS n FROM " + stageTable + " GROUP BY " + tableColumns + ") s ON " +
		strings.Join(on, " AND ") + " WHERE t.rn <= s.n)"
	res, err := conn.ExecContext(ctx, del)
	if err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	if n != old.loaded || sum.Loaded != old.loaded {
		return fmt.Errorf("replace: the earlier load of this content (from %s) added %d rows, but only %d of them are still in transactions unchanged and this load read %d rows (other options, or rows edited since?); nothing was replaced",
			old.source, old.loaded, n, sum.Loaded)
	}
	sum.Replaced = n
	for _, q := range []string{
		"INSERT INTO transactions (" + tableColumns + ") SELECT " + tableColumns + " FROM " + stageTable,
		"DROP TABLE " + stageTable,
		"DELETE FROM load_files WHERE sha256 = '" + sum.SHA256 + "'",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replace: %w", err)
		}
	}
	return nil
}

// meter counts the bytes read of all the files of a load for
// Options.Progress.
type meter struct {
	report      func(done, total int64)
	done, total int64
	fileEnd     int64 // done once the current file is read to its end
}

// newMeter returns a meter over files, or nil without a report function.
// A file that cannot be stat'ed counts as empty; opening it fails later
// with the real error.
func newMeter(files []string, report func(done, total int64)) *meter {
	if report == nil {
		return nil
	}
	m := &meter{report: report}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			m.total += st.Size()
		}
	}
	return m
}

func (m *meter) startFile(size int64) { m.fileEnd = m.done + size }

// endFile reports the whole file read, whatever buffering left unread.
func (m *meter) endFile() {
	m.done = m.fileEnd
	m.report(m.done, m.total)
}

// meteredReader reports every read of r to m.
type meteredReader struct {
	m *meter
	r io.Reader
}

func (mr *meteredReader) Read(b []byte) (int, error) {
	n, err := mr.r.Read(b)
	if n > 0 {
		mr.m.done += int64(n)
		mr.m.report(mr.m.done, mr.m.total)
	}
	return n, err
}

// maxRaw caps the raw text kept for one reject: an unterminated quote can
// make the rest of a large file one record.
const maxRaw = 64 << 10

// rawText is the raw record for load_rejects, cut to maxRaw bytes.
func rawText(enc encoding, raw []byte) string {
	if len(raw) <= maxRaw {
		return printableRaw(enc, raw)
	}
	return printableRaw(enc, raw[:maxRaw]) + fmt.Sprintf("… [%d more bytes not kept]", len(raw)-maxRaw)
}

// parsed is one record after conversion: a row, or a reject.
type parsed struct {
	r      row
	line   int64
	reason string // non-empty: rejected
	raw    string // the raw text, for rejects only
}

type batch struct{ items []parsed }

const batchSize = 2048

// parser reads and converts records on its own goroutine.
type parser struct {
	batches chan *batch // closed after the last batch; then err is set
	free    chan *batch // batches handed back for reuse
	quit    chan struct{}
	done    chan struct{}
	err     error
}

func startParser(ctx context.Context, rr *recordReader, conv *converter, enc encoding) *parser {
	p := &parser{
		batches: make(chan *batch, 4),
		free:    make(chan *batch, 8),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		defer close(p.batches)
		p.err = p.produce(ctx, rr, conv, enc)
	}()
	return p
}

func (p *parser) produce(ctx context.Context, rr *recordReader, conv *converter, enc encoding) error {
	next := func() *batch {
		select {
		case b := <-p.free:
			b.items = b.items[:0]
			return b
		default:
			return &batch{items: make([]parsed, 0, batchSize)}
		}
	}
	send := func(b *batch) error {
		select {
		case p.batches <- b:
			return nil
		case <-p.quit:
			return errors.New("stopped")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b := next()
	for {
		rec, err := rr.next()
		if err == io.EOF {
			if len(b.items) > 0 {
				return send(b)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading after line %d: %w", rr.line, err)
		}
		b.items = append(b.items, parsed{line: rec.line})
		it := &b.items[len(b.items)-1]
		it.reason = rec.problem
		if it.reason == "" {
			it.reason = conv.convert(rec.fields, &it.r)
		}
		if it.reason != "" {
			it.raw = rawText(enc, rec.raw)
		}
		if len(b.items) == batchSize {
			select {
			case <-p.quit:
				return errors.New("stopped")
			default:
			}
			if err := send(b); err != nil {
				return err
			}
			b = next()
		}
	}
}

// stop ends the parser goroutine early (if it still runs) and waits for it.
func (p *parser) stop() {
	close(p.quit)
	for range p.batches {
	}
	<-p.done
}
