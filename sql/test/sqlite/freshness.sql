-- Self-checking SQL for SQLite only (see sql/test/README.md for the
-- convention). The portable part of the freshness rule is
-- sql/test/freshness.sql; this file holds what only SQLite does: the
-- binding reads the registry through the calling connection, so a model
-- inserted or switched inside an open transaction is seen by the next
-- statement of that transaction. DuckDB reads committed rows only (README
-- "Model-name freshness").

DELETE FROM custseg_models WHERE name = 'sqltest_txfresh';

BEGIN;
INSERT INTO custseg_models VALUES ('sqltest_txfresh', 1, 'rfm', '2026-01-01 00:00:00',
    '{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}', true, NULL);
SELECT rfm_score('sqltest_txfresh', 12, 4, 800) = 444;
UPDATE custseg_models SET active = false WHERE name = 'sqltest_txfresh';
INSERT INTO custseg_models VALUES ('sqltest_txfresh', 2, 'rfm', '2026-01-02 00:00:00',
    '{"kind":"rfm","recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}', true, NULL);
SELECT rfm_score('sqltest_txfresh', 12, 4, 800) = 325;
COMMIT;

SELECT rfm_score('sqltest_txfresh', 12, 4, 800) = 325;
