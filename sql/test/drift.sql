-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Every query must return at least one row
-- whose every column is true.
--
-- psi and psi_bin against hand-computed values. Bins (closed on the right):
-- bin 1 v <= 10, bin 2 10 < v <= 20, bin 3 v > 20; expected shares
-- 0.25, 0.5, 0.25.
--   {5, 15, 15, 25}: actual shares equal the expected ones, PSI = 0.
--   {5, 5, 15, 25}:  actual 0.5, 0.25, 0.25:
--     PSI = (0.5 − 0.25)·ln(0.5/0.25) + (0.25 − 0.5)·ln(0.25/0.5) + 0
--         = 0.25·ln 2 + 0.25·ln 2 = 0.5·ln 2 = 0.34657359028

SELECT abs(psi('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', v)) < 1e-12 AS same_population
FROM (SELECT 5 AS v UNION ALL SELECT 15 UNION ALL SELECT 15 UNION ALL SELECT 25) t;

SELECT abs(psi('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', v) - 0.34657359028) < 1e-9 AS shifted
FROM (SELECT 5 AS v UNION ALL SELECT 5 UNION ALL SELECT 15 UNION ALL SELECT 25) t;

-- The same two populations at once, per GROUP BY group; NULL values are skipped.
SELECT abs(p - CASE g WHEN 'same' THEN 0 ELSE 0.34657359028 END) < 1e-9 AS per_group
FROM (
    SELECT g, psi('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', v) AS p
    FROM (SELECT 'same' AS g, 5 AS v UNION ALL SELECT 'same', 15 UNION ALL SELECT 'same', 15
          UNION ALL SELECT 'same', 25 UNION ALL SELECT 'same', NULL
          UNION ALL SELECT 'shifted', 5 UNION ALL SELECT 'shifted', 5 UNION ALL SELECT 'shifted', 15
          UNION ALL SELECT 'shifted', 25) t
    GROUP BY g
) s;

SELECT psi_bin('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', 10) = 1 AS edge_closed_right,
       psi_bin('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', 10.5) = 2 AS middle,
       psi_bin('{"feature":"x","edges":[10,20],"expected":[0.25,0.5,0.25]}', 30) = 3 AS last;
