-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Non-queries must
-- succeed; every query must return at least one row whose every column is
-- true (1 in SQLite, true in DuckDB).
--
-- rfm_score by registry name, name@version and inline JSON; a model version
-- inserted after earlier calls; rfm_segment with the default and custom rules.

DELETE FROM custseg_models WHERE name IN ('sqltest_rfm', 'sqltest_late');

-- Cut points q20..q80. Scores: R = 5 - #cuts below recency; F, M = 1 + #cuts
-- below the value. Customer (12 days, 4 purchases, 800): R 4, F 4, M 4.
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_rfm', 1, 'rfm', '2026-01-01 00:00:00',
        '{"kind":"rfm","format":1,"recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}',
        true, 'sql/test/rfm.sql');

-- By name (the active version), by name@version, by inline JSON.
SELECT rfm_score('sqltest_rfm', 12, 4, 800) = 444,
       rfm_score('sqltest_rfm@1', 12, 4, 800) = 444,
       rfm_score('{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}', 12, 4, 800) = 444;

-- Boundaries: a value equal to a cut is not above it.
SELECT rfm_score('sqltest_rfm', 10, 1, 100) = 511,
       rfm_score('sqltest_rfm', 0, 100, 1e9) = 555,
       rfm_score('sqltest_rfm', 1000, 0, 0) = 111,
       rfm_score('sqltest_rfm', 120.5, 5, 1000) = 144;

-- Integer and double arguments give the same score.
SELECT rfm_score('sqltest_rfm', 12.0, 4.0, 800.0) = rfm_score('sqltest_rfm', 12, 4, 800);

-- Any NULL argument gives NULL.
SELECT rfm_score(NULL, 12, 4, 800) IS NULL,
       rfm_score('sqltest_rfm', NULL, 4, 800) IS NULL,
       rfm_score('sqltest_rfm', 12, NULL, 800) IS NULL,
       rfm_score('sqltest_rfm', 12, 4, NULL) IS NULL;

-- Over a table, one score per row.
CREATE TABLE IF NOT EXISTS sqltest_customers (id BIGINT, recency DOUBLE, frequency DOUBLE, monetary DOUBLE, want BIGINT);
DELETE FROM sqltest_customers;
INSERT INTO sqltest_customers VALUES (1, 12, 4, 800, 444), (2, 200, 1, 50, 111), (3, 5, 9, 5000, 555), (4, 45, 3, 300, 333), (5, NULL, 3, 300, NULL);
SELECT count(*) = 4, sum(CASE WHEN rfm_score('sqltest_rfm', recency, frequency, monetary) = want THEN 1 ELSE 0 END) = 4
FROM sqltest_customers WHERE recency IS NOT NULL;
SELECT rfm_score('sqltest_rfm', recency, frequency, monetary) IS NULL FROM sqltest_customers WHERE id = 5;

-- A new version inserted after the calls above: name@2 gives the new
-- result, name@1 the old one. New cuts: 12 days is above 5 and 11 (R 3),
-- 4 purchases above 3 (F 2), 800 above all four (M 5).
UPDATE custseg_models SET active = false WHERE name = 'sqltest_rfm';
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_rfm', 2, 'rfm', '2026-01-02 00:00:00',
        '{"kind":"rfm","format":1,"recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}',
        true, 'sql/test/rfm.sql, version 2');
SELECT rfm_score('sqltest_rfm@2', 12, 4, 800) = 325,
       rfm_score('sqltest_rfm@1', 12, 4, 800) = 444;

-- A model name first registered now resolves by bare name.
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_late', 1, 'rfm', '2026-01-03 00:00:00',
        '{"kind":"rfm","format":1,"recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}',
        true, 'sql/test/rfm.sql, registered late');
SELECT rfm_score('sqltest_late', 12, 4, 800) = 325;

-- rfm_segment with the default segment map (udf/rfm DefaultRules: first
-- matching rule wins, else Others).
-- Value conversion, the same on every engine (docs/FUNCTIONS.md): an integral
-- DOUBLE or DECIMAL is an integer; a fractional one is refused (not tested
-- here: errors cannot be self-checked), as is text such as '155'.
SELECT rfm_segment(155.0) = 'Can''t Lose Them',
       rfm_segment(CAST(155 AS DOUBLE)) = 'Can''t Lose Them',
       rfm_segment(CAST(155.0 AS DOUBLE) + 400) = 'Champions';

SELECT rfm_segment(555) = 'Champions',
       rfm_segment(155) = 'Can''t Lose Them',
       rfm_segment(511) = 'New Customers',
       rfm_segment(311) = 'Promising',
       rfm_segment(333) = 'Loyal Customers',
       rfm_segment(222) = 'Need Attention',
       rfm_segment(512) = 'Potential Loyalist',
       rfm_segment(211) = 'About To Sleep',
       rfm_segment(125) = 'At Risk',
       rfm_segment(111) = 'Lost';
SELECT rfm_segment(NULL) IS NULL,
       rfm_segment(rfm_score('sqltest_rfm@1', 12, 4, 800)) = 'Champions';

-- Custom rules: the first matching rule wins, a missing range means any
-- score, codes no rule matches are Others.
SELECT rfm_segment(555, '[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]') = 'VIP',
       rfm_segment(451, '[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]') = 'VIP',
       rfm_segment(155, '[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]') = 'Sleeping',
       rfm_segment(333, '[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]') = 'Others',
       rfm_segment(333, NULL) IS NULL;
