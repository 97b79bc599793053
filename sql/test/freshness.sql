-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Non-queries must
-- succeed; every query must return at least one row whose every column is
-- true (1 in SQLite, true in DuckDB).
--
-- Model-name freshness (README "Model-name freshness"): a statement reads a
-- model name once and uses that version for every row; a version inserted or
-- switched by one statement (committed: each statement here runs on its own)
-- is what the next statement uses under the bare name. Every runner executes
-- this file: SQLite in process and in the stock sqlite3 shell with the .so,
-- DuckDB in process and in libduckdb with the loadable extension.

DELETE FROM custseg_models WHERE name = 'sqltest_fresh';

INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_fresh', 1, 'rfm', '2026-01-01 00:00:00',
        '{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}',
        true, 'sql/test/freshness.sql');
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 444;

-- Version 2 is inserted inactive, then becomes the active version with
-- UPDATE: the next statement uses it (cuts shifted: R 3, F 2, M 5).
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_fresh', 2, 'rfm', '2026-01-02 00:00:00',
        '{"kind":"rfm","recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}',
        false, 'sql/test/freshness.sql');
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 444;
UPDATE custseg_models SET active = (version = 2) WHERE name = 'sqltest_fresh';
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 325,
       rfm_score('sqltest_fresh@1', 12, 4, 800) = 444;

-- Over many rows, one statement uses one version.
SELECT count(DISTINCT rfm_score('sqltest_fresh', 12, 4, 800)) = 1,
       min(rfm_score('sqltest_fresh', 12, 4, 800)) = 325
FROM (SELECT a.i FROM (SELECT 1 AS i UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS a,
      (SELECT 1 AS j UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS b,
      (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS c) AS t;

-- Rolled back to version 1: the next statement uses it again.
UPDATE custseg_models SET active = (version = 1) WHERE name = 'sqltest_fresh';
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 444;

-- Switched forward again.
UPDATE custseg_models SET active = (version = 2) WHERE name = 'sqltest_fresh';
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 325;
