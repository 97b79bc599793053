-- custseg schema. Runs on DuckDB and SQLite alike (types both accept).
-- Statements end with ";" (custsql.Split); no comments or quotes inside a
-- statement, so that sql/test can put the whole schema on one line.

-- One row per CSV record loaded, in the UCI Online Retail layout.
CREATE TABLE IF NOT EXISTS transactions (
    invoice_no   TEXT,
    stock_code   TEXT,
    description  TEXT,
    quantity     BIGINT,
    invoice_date TIMESTAMP,
    unit_price   DOUBLE,
    customer_id  TEXT,
    country      TEXT
);

-- Records that could not be parsed: never silently dropped.
-- line is the physical line number in the source, the header being line 1.
CREATE TABLE IF NOT EXISTS load_rejects (
    source TEXT,
    line   BIGINT,
    reason TEXT,
    raw    TEXT
);

-- Rows of a file that were already in transactions from another file (two
-- exports overlapping in time), skipped by the load: custseg load
-- --keep-duplicates keeps them instead.
CREATE TABLE IF NOT EXISTS load_skips (
    source       TEXT,
    invoice_no   TEXT,
    stock_code   TEXT,
    description  TEXT,
    quantity     BIGINT,
    invoice_date TIMESTAMP,
    unit_price   DOUBLE,
    customer_id  TEXT,
    country      TEXT
);

-- One row per loaded file content, so the same content is not loaded twice.
CREATE TABLE IF NOT EXISTS load_files (
    source    TEXT,
    sha256    TEXT PRIMARY KEY,
    loaded_at TIMESTAMP,
    loaded    BIGINT,
    rejected  BIGINT,
    blank     BIGINT
);

-- The model registry: every fitted model, every version, as readable JSON.
-- Exactly one version per name is active (the newest unless rolled back).
CREATE TABLE IF NOT EXISTS custseg_models (
    name       TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    kind       TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    spec       TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    note       TEXT,
    PRIMARY KEY (name, version)
);
