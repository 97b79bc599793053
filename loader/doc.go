// Package loader imports transaction CSV files into a custseg database
// (DuckDB or SQLite, see package engine): the transactions table, with
// load_rejects for records that cannot be read and load_files for the
// content already loaded.
//
// # Files
//
// A file is plain or gzip-compressed, told apart by its first two bytes
// (1f 8b), not by its name. Text is UTF-8 by default (a leading byte order
// mark is skipped) or Latin-1 / windows-1252 (Options.Encoding). Records
// follow RFC 4180: ',' separates fields, "\n" or "\r\n" ends a record, a
// field in double quotes may hold ',', '"' (doubled) and line breaks. A file
// whose first 64 KiB hold a CR and no LF (old Mac exports) ends its lines
// with CR alone, and is read so. A file with a header and no data record is
// an error (ErrNoRecords): it is never recorded as loaded. A truncated or
// corrupt gzip stream is an error that says so.
//
// # Columns
//
// The header (the first non-blank line) names the columns. These headers
// are recognised, ignoring case, spaces and punctuation:
//
//	UCI Online Retail:    InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
//	UCI Online Retail II: Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
//	CDNOW:                customer_id,date,number_of_cds,dollar_value
//	the table's own names (invoice_no, unit_price, ...)
//
// Options.Map names the header of any target column for other files
// (ParseMap reads the CLI's column=Header pairs, refusing a column mapped
// twice). A loaded column whose header appears twice is an error, and so is
// an amount mapped in a file that has a quantity column. The
// required columns are customer_id, invoice_date, and quantity with
// unit_price or else amount; a file without them fails with an error that
// names the missing columns and the headers found. stock_code, description
// and country are NULL when absent; extra columns are ignored.
//
// Amount files (CDNOW): when an amount column is used (mapped, or found
// while quantity or unit_price is not), each record becomes one row with
// quantity = 1 and unit_price = amount, so quantity × unit_price is the
// amount. When no invoice column exists, invoice_no is synthesised as
// customer_id + "@" + the day (e.g. "00001@1997-01-01"): all purchases of a
// customer on one day form one invoice, so frequency (distinct invoices)
// counts distinct purchase days. number_of_cds is not loaded.
//
// # Values
//
// "", "NA", "NaN" and "NULL", in any letter case, are missing values (NULL)
// in every column. Text
// is kept as is, spaces included. Ids that look like floats ("17850.0") are
// written as integers ("17850") in customer_id and invoice_no; zero-padded
// ids ("00001") are kept. quantity is an integer (an integral float such as
// "6.0" is accepted); unit_price and amount are finite decimal numbers, and
// |quantity × unit_price| is at most MaxLineAmount. A NUL byte in a loaded
// column rejects its record.
// invoice_date accepts Options.DateFormat first, then 2006-01-02 15:04:05,
// 2006-01-02 15:04, 2006-01-02, the same with 'T', RFC 3339, and US dates
// 1/2/2006 15:04:05, 1/2/2006 15:04, 1/2/2006 (month first, as in the Excel
// exports of Online Retail; not tried when DateFormat is set). Timestamps are stored as written (a zone offset
// is converted to UTC); in SQLite as text "YYYY-MM-DD HH:MM:SS".
//
// # Rejects
//
// A record is never silently dropped: it is loaded or it is rejected into
// load_rejects(source, line, reason, raw), so loaded + rejected = records.
// line is the physical line the record starts on (the header is line 1; a
// record with a quoted line break is reported at its first line). Blank
// lines are skipped and counted. reason names the column and the bad value,
// several reasons joined by "; ": `quantity: "abc" is not an integer`,
// `invoice_date: "2010-13-45" is not a date (...)`, `expected 8 fields,
// found 9`, `description: invalid UTF-8 byte 0xA3 (...)`, `field 3:
// unexpected text after a closing quote`, `unterminated quoted field: the
// rest of the file was read as this one record`, `record longer than ...`. A byte not valid in the
// encoding rejects its record, even in a column that is not loaded; it is
// never replaced. A record longer than Options.MaxRecordBytes
// (DefaultMaxRecordBytes) is rejected at that size — a quote left open stops
// swallowing the file there — and reading resumes at the next line, so
// memory stays bounded. raw is the record's text, decoded, with
// undecodable bytes written as \xNN, cut after 64 KiB.
//
// # Transactions and duplicates
//
// Two exports that overlap in time hold the same purchase lines. When
// transactions already holds rows, a file is staged first and its rows
// equal to a row loaded before (same invoice_no, stock_code, quantity,
// invoice_date, unit_price and customer_id; NULL equals NULL) are skipped
// into load_skips (Summary.Skipped), unless Options.KeepDuplicates; so
// loaded + rejected + skipped = records. Rows repeated inside one file are
// the file's own business: loaded, and counted (Summary.Repeated).
//
// One Load call is one database transaction over all its files: on a fatal
// error (unreadable or truncated file, missing columns, a cancelled context,
// a duplicate, ...) it rolls back and the database is exactly as before.
// Content identity is the SHA-256 of the decompressed bytes, so a file and
// its gzipped copy are the same content. Loading content found in
// load_files fails (ErrDuplicate) unless Options.Replace. Without Replace
// the hash is computed while loading and checked at the end; with Replace
// the file is hashed first, the new rows are staged in a scratch table,
// and one copy of each staged row is deleted from transactions (a multiset
// difference: rows equal in all eight columns are interchangeable, and the
// table has no per-row provenance). The replacement goes ahead only if that
// deletes exactly the earlier load's row count and the new load read as
// many rows, which is the case when the same options are used; otherwise it
// fails and nothing changes. The earlier load's rejects (by its source
// name) are deleted too.
//
// # Engines and speed
//
// Records are read and validated in Go in one streaming pass (gunzip,
// record splitting, decoding, typed conversion), because DuckDB 1.5.6's
// read_csv (all VARCHAR, explicit dialect, store_rejects) was measured on
// testdata/loader/bad.csv to get the rejects wrong: after a record with a
// quoted line break its line numbers are one too low; a whitespace-only
// line becomes seven "MISSING COLUMNS" errors instead of a blank line; the
// raw text of a record with a bad UTF-8 byte is stored with the byte
// replaced. Its speed advantage is small. Rows then go to DuckDB through
// its Appender, which writes into the open transaction, and to SQLite
// through batches of 500 rows that cross into C once each (ext/sqlite
// InsertBatch) inside the load's transaction; parsing runs on its own
// goroutine, overlapping the writes. The measured times, against DuckDB's
// read_csv and the sqlite3 shell's .import, are in docs/PERFORMANCE.md
// section 4, with the command that made them.
package loader
