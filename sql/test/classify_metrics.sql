-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Non-queries must
-- succeed; every query must return at least one row whose every column is
-- true (1 in SQLite, true in DuckDB).
--
-- The classification metric aggregates (accuracy_score, precision_score,
-- recall_score, f1_score, roc_auc_score, confusion_matrix) against values
-- computed by hand below; the same formulas are checked against
-- scikit-learn 1.2.1 in udf/classmetrics and udf/catalog
-- (testdata/sklearn/classify_metrics.py).

CREATE TABLE IF NOT EXISTS sqltest_cm (grp TEXT, actual TEXT, predicted TEXT, score DOUBLE);
DELETE FROM sqltest_cm;

-- Group m (three classes): actual a a a b b b c c c, predicted a b a b b c a c b.
--   class a: tp 2, predicted 3, actual 3: precision 2/3, recall 2/3, F1 2/3
--   class b: tp 2, predicted 4, actual 3: precision 1/2, recall 2/3, F1 4/7
--   class c: tp 1, predicted 2, actual 3: precision 1/2, recall 1/3, F1 2/5
--   accuracy 5/9; macro precision (2/3 + 1/2 + 1/2)/3 = 5/9, recall 5/9,
--   F1 (2/3 + 4/7 + 2/5)/3 = 172/315.
-- Group z (z never predicted): actual x x y y z, predicted x x x y y.
--   x: tp 2, predicted 3, actual 2: precision 2/3, recall 1, F1 4/5
--   y: tp 1, predicted 2, actual 2: precision 1/2, recall 1/2, F1 1/2
--   z: tp 0, predicted 0, actual 1: precision 0 (0/0 counts 0, as
--   scikit-learn's default zero_division), recall 0, F1 0
--   accuracy 3/5; macro precision 7/18, recall 1/2, F1 13/30.
INSERT INTO sqltest_cm VALUES
    ('m', 'a', 'a', 0.9), ('m', 'a', 'b', 0.3), ('m', 'a', 'a', 0.8),
    ('m', 'b', 'b', 0.2), ('m', 'b', 'b', 0.4), ('m', 'b', 'c', 0.1),
    ('m', 'c', 'a', 0.7), ('m', 'c', 'c', 0.5), ('m', 'c', 'b', 0.6),
    ('z', 'x', 'x', 0.5), ('z', 'x', 'x', 0.5), ('z', 'y', 'x', 0.5), ('z', 'y', 'y', 0.5), ('z', 'z', 'y', 0.5),
    ('m', NULL, 'a', 0.5), ('m', 'a', NULL, 0.5);

SELECT abs(accuracy_score(actual, predicted) - 5.0/9.0) < 1e-12 AS accuracy,
       abs(precision_score(actual, predicted) - 5.0/9.0) < 1e-12 AS macro_precision,
       abs(recall_score(actual, predicted) - 5.0/9.0) < 1e-12 AS macro_recall,
       abs(f1_score(actual, predicted) - 172.0/315.0) < 1e-12 AS macro_f1,
       abs(precision_score(actual, predicted, 'a') - 2.0/3.0) < 1e-12 AS precision_a,
       abs(precision_score(actual, predicted, 'b') - 0.5) < 1e-12 AS precision_b,
       abs(recall_score(actual, predicted, 'c') - 1.0/3.0) < 1e-12 AS recall_c,
       abs(f1_score(actual, predicted, 'b') - 4.0/7.0) < 1e-12 AS f1_b
FROM sqltest_cm WHERE grp = 'm';

-- Keys sorted as text, zeros included; the rows with a NULL label are skipped.
SELECT confusion_matrix(actual, predicted) = '{"a":{"a":2,"b":1,"c":0},"b":{"a":0,"b":2,"c":1},"c":{"a":1,"b":1,"c":1}}' AS matrix
FROM sqltest_cm WHERE grp = 'm';

SELECT abs(precision_score(actual, predicted) - 7.0/18.0) < 1e-12 AS macro_precision,
       abs(recall_score(actual, predicted) - 0.5) < 1e-12 AS macro_recall,
       abs(f1_score(actual, predicted) - 13.0/30.0) < 1e-12 AS macro_f1,
       precision_score(actual, predicted, 'z') = 0 AS never_predicted_precision,
       recall_score(actual, predicted, 'z') = 0 AS never_predicted_recall,
       f1_score(actual, predicted, 'z') = 0 AS never_predicted_f1,
       recall_score(actual, predicted, 'x') = 1 AS recall_x
FROM sqltest_cm WHERE grp = 'z';

-- Per GROUP BY group.
SELECT count(*) = 2 AS both_groups,
       sum(CASE WHEN grp = 'm' AND abs(acc - 5.0/9.0) < 1e-12 THEN 1 ELSE 0 END) = 1 AS m,
       sum(CASE WHEN grp = 'z' AND abs(acc - 0.6) < 1e-12 THEN 1 ELSE 0 END) = 1 AS z
FROM (SELECT grp, accuracy_score(actual, predicted) AS acc FROM sqltest_cm GROUP BY grp) s;

-- An empty group gives NULL.
SELECT accuracy_score(actual, predicted) IS NULL AS accuracy,
       f1_score(actual, predicted) IS NULL AS f1,
       roc_auc_score(actual, score, 'a') IS NULL AS auc,
       confusion_matrix(actual, predicted) IS NULL AS matrix
FROM sqltest_cm WHERE grp = 'none';

-- ROC AUC of score for class a in group m: a scores 0.9, 0.3, 0.8 against
-- the others' 0.2, 0.4, 0.1, 0.7, 0.5, 0.6: 0.9 and 0.8 beat all 6, 0.3
-- beats 2: 14 of 18 pairs ordered. (roc_auc_score does not read predicted:
-- the row with a NULL predicted is left out here by hand.)
SELECT abs(roc_auc_score(actual, score, 'a') - 14.0/18.0) < 1e-12 AS auc_a
FROM sqltest_cm WHERE grp = 'm' AND predicted IS NOT NULL;

-- Ties count one half: positives y at 0.8, 0.5, 0.5 against n at 0.5, 0.2,
-- 0.8. y 0.8: beats 0.5 and 0.2, ties 0.8: 2.5; each y 0.5: ties 0.5,
-- beats 0.2: 1.5. (2.5 + 1.5 + 1.5)/9 = 11/18. Every score tied: 1/2.
SELECT abs(roc_auc_score(actual, score, 'y') - 11.0/18.0) < 1e-12 AS ties,
       roc_auc_score(actual, 0.5, 'y') = 0.5 AS all_tied
FROM (SELECT 'y' AS actual, 0.8 AS score UNION ALL SELECT 'y', 0.5 UNION ALL SELECT 'y', 0.5
      UNION ALL SELECT 'n', 0.5 UNION ALL SELECT 'n', 0.2 UNION ALL SELECT 'n', 0.8) t;

-- Labels compare as text: the INTEGER 2, the DOUBLE 2.0 and the TEXT '2'
-- are one class. Pairs (1,'1'), (2,'2'), (3,'1'), (2,'2'): 3 of 4 right.
SELECT abs(accuracy_score(a, p) - 0.75) < 1e-12 AS int_vs_text,
       abs(accuracy_score(d, p) - 0.75) < 1e-12 AS double_vs_text,
       precision_score(a, p, '2') = 1 AS positive_text,
       precision_score(a, p, 2) = 1 AS positive_integer,
       abs(precision_score(a, p, 1.0) - 0.5) < 1e-12 AS positive_double,
       abs(roc_auc_score(a, s, '3') - 1) < 1e-12 AS auc_integer_actual,
       confusion_matrix(a, p) = '{"1":{"1":1,"2":0,"3":0},"2":{"1":0,"2":2,"3":0},"3":{"1":1,"2":0,"3":0}}' AS matrix
FROM (SELECT 1 AS a, 1.0 AS d, '1' AS p, 0.1 AS s UNION ALL SELECT 2, 2.0, '2', 0.2
      UNION ALL SELECT 3, 3.0, '1', 0.9 UNION ALL SELECT 2, 2.0, '2', 0.3) t;

-- Keys sort as text: "10" before "9".
SELECT confusion_matrix(a, p) = '{"10":{"10":1,"9":0},"9":{"10":1,"9":0}}' AS text_order
FROM (SELECT 10 AS a, 10 AS p UNION ALL SELECT 9, 10) t;

-- 6,000 rows: k = 0..5 a thousand times each, actual k % 3, predicted k % 2.
-- Per six rows the pairs (0,0) (1,1) (2,0) (0,1) (1,0) (2,1): accuracy 1/3;
-- class 0 precision 1/3, recall 1/2, F1 2/5; class 1 the same; class 2 is
-- never predicted: 0, 0, 0. Macro precision 2/9, recall 1/3, F1 4/15.
-- Scoring with actual itself ranks class 2 perfectly: AUC 1 (and 0 reversed).
SELECT abs(accuracy_score(k % 3, k % 2) - 1.0/3.0) < 1e-12 AS accuracy,
       abs(precision_score(k % 3, k % 2) - 2.0/9.0) < 1e-12 AS macro_precision,
       abs(recall_score(k % 3, k % 2) - 1.0/3.0) < 1e-12 AS macro_recall,
       abs(f1_score(k % 3, k % 2) - 4.0/15.0) < 1e-12 AS macro_f1,
       roc_auc_score(k % 3, k % 3, 2) = 1 AS auc_perfect,
       roc_auc_score(k % 3, -(k % 3), 2) = 0 AS auc_reversed,
       confusion_matrix(k % 3, k % 2) = '{"0":{"0":1000,"1":1000,"2":0},"1":{"0":1000,"1":1000,"2":0},"2":{"0":1000,"1":1000,"2":0}}' AS matrix
FROM (SELECT six.k AS k
      FROM (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) six,
           (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
            UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d1,
           (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
            UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d2,
           (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
            UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d3) t;
