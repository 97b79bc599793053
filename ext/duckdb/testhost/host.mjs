// A stock DuckDB host (libduckdb.so from @duckdb/node-bindings, driven by
// @duckdb/node-api) for ext/duckdb's TestSQLFilesInHost.
//
// stdin:  {"extension": "/abs/custseg.duckdb_extension",
//          "files": [{"name": "...", "statements": [{"sql": "...", "line": 1, "query": true}]}]}
// stdout: {"version": "v1.5.6", "files": [{"name": "...", "results": [
//          {"line": 1, "error": "...", "columns": [...], "rows": [[true, 1, "x"]]}]}]}
// Every file runs on a fresh in-memory database that LOADs the extension.
// Values are passed back as JSON: booleans and numbers as such, anything
// else as its string form; the Go test judges them.
import { DuckDBInstance } from '@duckdb/node-api';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

function plain(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

const out = { files: [] };
for (const file of input.files) {
  const results = [];
  const instance = await DuckDBInstance.create(':memory:', { allow_unsigned_extensions: 'true' });
  const conn = await instance.connect();
  try {
    if (!out.version) {
      const r = await conn.runAndReadAll('SELECT version()');
      out.version = String(r.getRows()[0][0]);
    }
    await conn.run(`LOAD '${input.extension.replaceAll("'", "''")}'`);
    for (const st of file.statements) {
      const res = { line: st.line };
      try {
        const reader = await conn.runAndReadAll(st.sql);
        if (st.query) {
          res.columns = reader.columnNames();
          res.rows = reader.getRows().map((row) => row.map(plain));
        }
      } catch (e) {
        res.error = String(e && e.message ? e.message : e);
      }
      results.push(res);
    }
  } catch (e) {
    results.push({ line: 0, error: 'LOAD failed: ' + String(e && e.message ? e.message : e) });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  out.files.push({ name: file.name, results });
}
process.stdout.write(JSON.stringify(out));
