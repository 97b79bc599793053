-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Non-queries must
-- succeed; every query must return at least one row whose every column is
-- true (1 in SQLite, true in DuckDB).
--
-- classify, classify_proba and classify_path against a C4.5 tree and a 1R
-- rule trained by udf/tree and udf/oner on Quinlan's weather data (the
-- table below, dataset.Weather(true)); their JSON is pasted from the
-- models' JSON(). The catalog's tests check every row against the models'
-- Predict in Go; this file checks that each host gives the same answers.

CREATE TABLE IF NOT EXISTS sqltest_weather (day BIGINT, outlook TEXT, temperature DOUBLE, humidity DOUBLE, windy TEXT, play TEXT);
DELETE FROM sqltest_weather;
INSERT INTO sqltest_weather VALUES
    (1, 'sunny', 85, 85, 'false', 'no'), (2, 'sunny', 80, 90, 'true', 'no'),
    (3, 'overcast', 83, 86, 'false', 'yes'), (4, 'rainy', 70, 96, 'false', 'yes'),
    (5, 'rainy', 68, 80, 'false', 'yes'), (6, 'rainy', 65, 70, 'true', 'no'),
    (7, 'overcast', 64, 65, 'true', 'yes'), (8, 'sunny', 72, 95, 'false', 'no'),
    (9, 'sunny', 69, 70, 'false', 'yes'), (10, 'rainy', 75, 80, 'false', 'yes'),
    (11, 'sunny', 75, 70, 'true', 'yes'), (12, 'overcast', 72, 90, 'true', 'yes'),
    (13, 'overcast', 81, 75, 'false', 'yes'), (14, 'rainy', 71, 91, 'true', 'no');

DELETE FROM custseg_models WHERE name IN ('sqltest_c45', 'sqltest_oner');

-- The C4.5 tree (rules: outlook = overcast → yes; rainy → windy false yes,
-- true no; sunny → humidity <= 75 yes, > 75 no; missing and unseen values
-- go to rainy, then windy false, and humidity > 75).
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_c45', 1, 'classifier', '2026-01-01 00:00:00',
        '{"kind":"classifier","algorithm":"c45","params":{"max_depth":0,"min_samples_leaf":2,"min_samples_split":2,"confidence":0.25},"missing":"majority-child","features":[{"name":"outlook","type":"categorical","categories":["overcast","rainy","sunny"]},{"name":"temperature","type":"numeric"},{"name":"humidity","type":"numeric"},{"name":"windy","type":"categorical","categories":["false","true"]}],"classes":["no","yes"],"tree":{"counts":[5,9],"split":{"feature":0,"op":"in","values":["overcast","rainy","sunny"],"default":1},"children":[{"counts":[0,4]},{"counts":[2,3],"split":{"feature":3,"op":"in","values":["false","true"],"default":0},"children":[{"counts":[0,3]},{"counts":[2,0]}]},{"counts":[3,2],"split":{"feature":2,"op":"<=","threshold":75,"default":1},"children":[{"counts":[0,2]},{"counts":[3,0]}]}]}}',
        true, 'sql/test/classify.sql');

-- The 1R rule on outlook: overcast → yes (4/4), rainy → yes (3/5),
-- sunny → no (3/5); 4 errors in 14 rows; unseen and missing → yes (9/14).
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_oner', 1, 'classifier', '2026-01-01 00:00:00',
        '{"kind":"classifier","algorithm":"oner","params":{"min_bucket":6},"missing":"own-bucket","features":[{"name":"outlook","type":"categorical","categories":["overcast","rainy","sunny"]},{"name":"temperature","type":"numeric"},{"name":"humidity","type":"numeric"},{"name":"windy","type":"categorical","categories":["false","true"]}],"classes":["no","yes"],"counts":[5,9],"default":1,"feature":0,"buckets":[{"value":"overcast","counts":[0,4],"class":1},{"value":"rainy","counts":[2,3],"class":1},{"value":"sunny","counts":[3,2],"class":0}],"errors":4}',
        true, 'sql/test/classify.sql');

-- C4.5's pure leaves classify all 14 training days right; 1R makes its 4 errors.
SELECT count(*) = 14 AS days,
       sum(CASE WHEN classify('sqltest_c45', outlook, temperature, humidity, windy) = play THEN 1 ELSE 0 END) = 14 AS c45_right,
       sum(CASE WHEN classify('sqltest_c45@1', outlook, temperature, humidity, windy) = play THEN 1 ELSE 0 END) = 14 AS c45_at_version,
       sum(CASE WHEN classify('sqltest_oner', outlook, temperature, humidity, windy) = play THEN 1 ELSE 0 END) = 10 AS oner_right,
       accuracy_score(play, classify('sqltest_oner', outlook, temperature, humidity, windy)) = 10.0 / 14.0 AS oner_accuracy
FROM sqltest_weather;

-- The probabilities of the two classes sum to 1 on every day, and the
-- predicted class is the more probable one.
SELECT max(abs(classify_proba('sqltest_c45', 'yes', outlook, temperature, humidity, windy)
             + classify_proba('sqltest_c45', 'no', outlook, temperature, humidity, windy) - 1)) < 1e-12 AS c45_sum,
       max(abs(classify_proba('sqltest_oner', 'yes', outlook, temperature, humidity, windy)
             + classify_proba('sqltest_oner', 'no', outlook, temperature, humidity, windy) - 1)) < 1e-12 AS oner_sum,
       sum(CASE WHEN classify_proba('sqltest_oner', classify('sqltest_oner', outlook, temperature, humidity, windy),
                                    outlook, temperature, humidity, windy) >= 0.5 THEN 1 ELSE 0 END) = 14 AS oner_argmax
FROM sqltest_weather;

-- Leaf and bucket fractions: C4.5's leaves are pure (1 or 0); 1R's sunny
-- bucket holds 3 no of 5, its default 9 yes of 14.
SELECT classify_proba('sqltest_c45', 'no', 'sunny', 85, 85, 'false') = 1 AS c45_no,
       classify_proba('sqltest_c45', 'yes', 'sunny', 85, 85, 'false') = 0 AS c45_zero_weight,
       abs(classify_proba('sqltest_oner', 'no', 'sunny', 85, 85, 'false') - 3.0 / 5.0) < 1e-12 AS oner_sunny,
       abs(classify_proba('sqltest_oner', 'yes', 'foggy', 85, 85, 'false') - 9.0 / 14.0) < 1e-12 AS oner_unseen;

-- The rule that decided.
SELECT classify_path('sqltest_c45', 'sunny', 85, 85, 'false') = 'outlook = sunny AND humidity > 75' AS c45_sunny,
       classify_path('sqltest_c45', 'rainy', 65, 70, 'true') = 'outlook = rainy AND windy = true' AS c45_rainy,
       classify_path('sqltest_c45', 'overcast', 64, 65, 'true') = 'outlook = overcast' AS c45_overcast,
       classify_path('sqltest_oner', 'rainy', 65, 70, 'true') = 'outlook = rainy' AS oner_rainy;
SELECT count(*) = 14 AS days,
       sum(CASE WHEN classify_path('sqltest_c45', outlook, temperature, humidity, windy) LIKE 'outlook = ' || outlook || '%' THEN 1 ELSE 0 END) = 14 AS c45_paths
FROM sqltest_weather;

-- Missing values (NULL, and '' for a category) and unseen categories follow
-- the policy stored in each model: never an error.
SELECT classify('sqltest_c45', NULL, 70, 70, NULL) = 'yes' AS c45_all_missing,
       classify_path('sqltest_c45', NULL, 70, 70, NULL) = 'outlook is missing, taken as outlook = rainy AND windy is missing, taken as windy = false' AS c45_missing_path,
       classify_path('sqltest_c45', 'foggy', 70, 70, 'true') = 'outlook = foggy unseen, taken as outlook = rainy AND windy = true' AS c45_unseen_path,
       classify('sqltest_c45', 'sunny', 70, NULL, 'true') = 'no' AS c45_missing_humidity,
       classify('sqltest_c45', '', 70, 70, 'true') = 'no' AS c45_empty_category,
       classify('sqltest_oner', NULL, NULL, NULL, NULL) = 'yes' AS oner_missing,
       classify_path('sqltest_oner', 'foggy', 1, 2, 'x') = 'outlook = foggy unseen, default class' AS oner_unseen_path;

-- A NULL model or label gives NULL.
SELECT classify(CAST(NULL AS TEXT), 'sunny', 85, 85, 'false') IS NULL AS null_model,
       classify_path(CAST(NULL AS TEXT), 'sunny', 85, 85, 'false') IS NULL AS null_model_path,
       classify_proba('sqltest_c45', CAST(NULL AS TEXT), 'sunny', 85, 85, 'false') IS NULL AS null_label;

-- The model as inline JSON: a hand-written two-feature tree (the catalog's
-- documented example).
SELECT classify('{"kind":"classifier","algorithm":"cart","params":{"criterion":"gini","max_depth":0,"min_samples_leaf":1,"min_samples_split":2},"missing":"majority-child","features":[{"name":"outlook","type":"categorical","categories":["overcast","rainy","sunny"]},{"name":"humidity","type":"numeric"}],"classes":["no","yes"],"tree":{"counts":[5,9],"split":{"feature":0,"op":"=","values":["sunny"],"default":1},"children":[{"counts":[3,2],"split":{"feature":1,"op":"<=","threshold":75,"default":1},"children":[{"counts":[0,2]},{"counts":[3,0]}]},{"counts":[2,7]}]}}',
                outlook, humidity) = CASE WHEN outlook = 'sunny' AND humidity > 75 THEN 'no' ELSE 'yes' END AS inline_json
FROM sqltest_weather;
