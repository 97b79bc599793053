-- Self-checking SQL for SQLite only (see sql/test/README.md for the
-- convention): the SQLite binding re-reads the model registry at the first
-- custseg call of every statement, so a version inserted by one statement
-- is used by the next one under its bare name. DuckDB's binding caches bare
-- names for catalog.NameTTL instead, so this file is not in sql/test/.

DELETE FROM custseg_models WHERE name = 'sqltest_fresh';

INSERT INTO custseg_models VALUES ('sqltest_fresh', 1, 'rfm', '2026-01-01 00:00:00',
    '{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}', true, NULL);
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 444;

-- Version 2 becomes active: the next statement sees it by bare name
-- (cuts shifted: R 3, F 2, M 5).
UPDATE custseg_models SET active = false WHERE name = 'sqltest_fresh';
INSERT INTO custseg_models VALUES ('sqltest_fresh', 2, 'rfm', '2026-01-02 00:00:00',
    '{"kind":"rfm","recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}', true, NULL);
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 325;

-- Rolled back to version 1.
UPDATE custseg_models SET active = (version = 1) WHERE name = 'sqltest_fresh';
SELECT rfm_score('sqltest_fresh', 12, 4, 800) = 444;

-- Inside one statement every row uses the same model.
SELECT count(DISTINCT rfm_score('sqltest_fresh', 12, 4, 800)) = 1
FROM (SELECT 1 AS i UNION ALL SELECT 2 UNION ALL SELECT 3) AS t;
