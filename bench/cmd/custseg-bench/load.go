package main

import (
	"compress/gzip"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // reads the SQLite results back for the checks
)

// removeDB deletes a database file and its journals (outside the timing).
func removeDB(path string) {
	for _, suffix := range []string{"", ".wal", "-wal", "-journal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// selfExe is this program, run again as the plain-DuckDB peer process.
func selfExe() (string, error) { return os.Executable() }

// duckPeer runs script in a fresh process of this program on dbPath.
func (e *env) duckPeer(dbPath, name, script string) (procRun, error) {
	self, err := selfExe()
	if err != nil {
		return procRun{}, err
	}
	file := filepath.Join(e.work, name+".sql")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return procRun{}, err
	}
	return timeProc(nil, self, "exec-sql", "--db", dbPath, "--file", file)
}

// loadCheck is what both sides of a load must agree on.
type loadCheck struct {
	rows      int64
	quantity  int64
	priceCent int64
}

func (c loadCheck) String() string {
	return fmt.Sprintf("%d rows, Σquantity %d, Σunit_price %.2f", c.rows, c.quantity, float64(c.priceCent)/100)
}

func queryCheck(db *sql.DB, table string, extraRows string) (loadCheck, error) {
	var c loadCheck
	q := `SELECT count(*), sum(quantity), CAST(round(sum(unit_price) * 100) AS BIGINT) FROM ` + table
	if err := db.QueryRow(q).Scan(&c.rows, &c.quantity, &c.priceCent); err != nil {
		return c, fmt.Errorf("%s: %w", q, err)
	}
	if extraRows != "" {
		n, err := scalarInt(db, extraRows)
		if err != nil {
			return c, err
		}
		c.rows += n
	}
	return c, nil
}

func runLoad(e *env, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	file := fs.String("file", "", "transactions CSV (.csv.gz); default ../shared/data/online_retail.csv.gz from the repository root")
	runs := fs.Int("runs", 5, "runs per side (median reported)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		*file = filepath.Join(e.root, "..", "shared", "data", "online_retail.csv.gz")
	}
	abs, err := filepath.Abs(*file)
	if err != nil {
		return err
	}
	if strings.ContainsRune(abs, '\'') {
		return fmt.Errorf("%s: a path with a quote cannot be spliced into read_csv", abs)
	}
	fmt.Fprintf(e.out, "load: %s; every run starts from an empty database file (deleted outside the timing); both sides are whole processes\n", abs)

	// DuckDB: custseg load vs CREATE TABLE t AS SELECT * FROM read_csv(...).
	var dCS, dPeer []time.Duration
	var csCheck, peerCheck loadCheck
	cdb, pdb := filepath.Join(e.work, "load-custseg.duckdb"), filepath.Join(e.work, "load-peer.duckdb")
	for r := -1; r < *runs; r++ { // run -1 warms the page cache, untimed
		removeDB(cdb)
		pr, err := timeProc(nil, e.custseg, "load", "--db", cdb, abs)
		if err != nil {
			return err
		}
		if r >= 0 {
			dCS = append(dCS, pr.wall)
		}
		removeDB(pdb)
		pp, err := e.duckPeer(pdb, "load-peer", "CREATE TABLE t AS SELECT * FROM read_csv('"+abs+"')")
		if err != nil {
			return err
		}
		if r >= 0 {
			dPeer = append(dPeer, pp.wall)
		}
	}
	for _, side := range []struct {
		path, table, extra string
		dst                *loadCheck
	}{{cdb, "transactions", "SELECT count(*) FROM load_rejects", &csCheck}, {pdb, "t", "", &peerCheck}} {
		db, err := openDuck(side.path)
		if err != nil {
			return err
		}
		// read_csv names the columns as in the header.
		table := side.table
		if table == "t" {
			table = "(SELECT \"Quantity\" AS quantity, \"UnitPrice\" AS unit_price FROM t)"
		}
		*side.dst, err = queryCheck(db, table, side.extra)
		db.Close()
		if err != nil {
			return err
		}
	}
	duck := row{target: "load into DuckDB", peer: median(dPeer), peerRuns: dPeer, custseg: median(dCS), custsegRuns: dCS,
		agree: fmt.Sprintf("custseg (loaded + rejected) %v; read_csv %v", csCheck, peerCheck), ok: csCheck == peerCheck}

	// SQLite: custseg load (reads the .gz) vs the sqlite3 shell's .import
	// of the same file decompressed beforehand.
	plain := filepath.Join(e.work, strings.TrimSuffix(filepath.Base(abs), ".gz"))
	if strings.HasSuffix(abs, ".gz") && !fileExists(plain) {
		if err := gunzipTo(abs, plain); err != nil {
			return err
		}
	}
	sqliteShell, err := lookSqlite3()
	if err != nil {
		return err
	}
	var sCS, sCSPlain, sPeer []time.Duration
	csdb, psdb := filepath.Join(e.work, "load-custseg.db"), filepath.Join(e.work, "load-peer.db")
	importScript := `CREATE TABLE t (invoice_no TEXT, stock_code TEXT, description TEXT, quantity INTEGER,
  invoice_date TEXT, unit_price REAL, customer_id TEXT, country TEXT);
.import --csv --skip 1 ` + plain + ` t
`
	for r := -1; r < *runs; r++ { // run -1 warms the page cache, untimed
		removeDB(csdb)
		pr, err := timeProc(nil, e.custseg, "load", "--db", csdb, abs)
		if err != nil {
			return err
		}
		if r >= 0 {
			sCS = append(sCS, pr.wall)
		}
		// The same, reading the decompressed file .import reads (gunzip
		// out of custseg's time too); checked like the .gz load below.
		removeDB(csdb)
		if pr, err = timeProc(nil, e.custseg, "load", "--db", csdb, plain); err != nil {
			return err
		}
		if r >= 0 {
			sCSPlain = append(sCSPlain, pr.wall)
		}
		removeDB(psdb)
		pp, err := timeProc(strings.NewReader(importScript), sqliteShell, "-bail", psdb)
		if err != nil {
			return err
		}
		if r >= 0 {
			sPeer = append(sPeer, pp.wall)
		}
	}
	var sCheck, sPeerCheck loadCheck
	for _, side := range []struct {
		path, table, extra string
		dst                *loadCheck
	}{{csdb, "transactions", "SELECT count(*) FROM load_rejects", &sCheck}, {psdb, "t", "", &sPeerCheck}} {
		db, err := sql.Open("sqlite3", "file:"+side.path+"?mode=ro")
		if err != nil {
			return err
		}
		*side.dst, err = queryCheck(db, side.table, side.extra)
		db.Close()
		if err != nil {
			return err
		}
	}
	lite := row{target: "load into SQLite", peer: median(sPeer), peerRuns: sPeer, custseg: median(sCS), custsegRuns: sCS,
		agree: fmt.Sprintf("custseg (loaded + rejected) %v; .import %v", sCheck, sPeerCheck), ok: sCheck == sPeerCheck}
	litePlain := row{target: "load into SQLite, custseg reads the .csv", peer: median(sPeer), peerRuns: sPeer,
		custseg: median(sCSPlain), custsegRuns: sCSPlain, agree: "same check as above (the last load read the .csv)", ok: sCheck == sPeerCheck}
	fmt.Fprintf(e.out, "peers: DuckDB = `CREATE TABLE t AS SELECT * FROM read_csv('%s')` in a duckdb-go process (DuckDB 1.5.6);\n"+
		"       SQLite = `%s` shell (.import --csv --skip 1 of %s, decompressed before the timing; custseg reads the .gz)\n",
		filepath.Base(abs), sqliteShell, plain)
	printTable(e.out, "peer", []row{duck, lite, litePlain})
	return nil
}

func gunzipTo(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	out, err := os.Create(dst + ".tmp")
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(dst+".tmp", dst)
}

func lookSqlite3() (string, error) {
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		return "", fmt.Errorf("no sqlite3 shell on PATH (apt-get install -y sqlite3): %w", err)
	}
	return p, nil
}
