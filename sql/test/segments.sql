-- Self-checking SQL, portable between SQLite and DuckDB (see sql/test/README.md).
-- Runs on a fresh database with the custseg functions loaded and the tables
-- of sql/schema.sql created. Statements end with ";". Non-queries must
-- succeed; every query must return at least one row whose every column is
-- true (1 in SQLite, true in DuckDB).
--
-- assign_segment, segment_distance, segment_name against a k-means model,
-- and the clustering-quality aggregates per GROUP BY group against
-- scikit-learn.

DELETE FROM custseg_models WHERE name = 'sqltest_km';

-- Two centroids in log1p space, no scaling.
INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note)
VALUES ('sqltest_km', 1, 'kmeans', '2026-01-01 00:00:00',
        '{"kind":"kmeans","features":["recency_days","frequency","monetary"],"transform":"log1p","scaler":{"method":"none"},"k":2,"centroids":[[2,2,6],[5,0.5,4]],"segment_names":["Champions","Lost"]}',
        true, 'sql/test/segments.sql');

-- Nearest centroid and its Euclidean distance after log1p; references from
-- numpy 1.24.2: np.log1p(x), then np.sqrt(((c - v)**2).sum(1)).
-- (12, 4, 800) → segment 0 at 0.970624417297207; (150, 0, 50) → 1 at 0.5049221099474541.
SELECT assign_segment('sqltest_km', 12, 4, 800) = 0,
       assign_segment('sqltest_km', 150, 0, 50) = 1,
       abs(segment_distance('sqltest_km', 12, 4, 800) - 0.970624417297207) < 1e-9,
       abs(segment_distance('sqltest_km', 150, 0, 50) - 0.5049221099474541) < 1e-9;
SELECT segment_name('sqltest_km', 0) = 'Champions',
       segment_name('sqltest_km', assign_segment('sqltest_km', 150, 0, 50)) = 'Lost',
       segment_name('sqltest_km@1', 1) = 'Lost';
SELECT assign_segment('sqltest_km', NULL, 4, 800) IS NULL,
       segment_distance('sqltest_km', 12, NULL, 800) IS NULL,
       segment_name('sqltest_km', NULL) IS NULL;

-- Two groups of 2-D points: g1 with integer labels 0..2, g2 with text labels.
CREATE TABLE IF NOT EXISTS sqltest_points (grp TEXT, label BIGINT, x DOUBLE, y DOUBLE);
DELETE FROM sqltest_points;
INSERT INTO sqltest_points VALUES
    ('g1', 0, 1, 1), ('g1', 0, 1.5, 2), ('g1', 0, 2, 1.2),
    ('g1', 1, 6, 5), ('g1', 1, 7, 6), ('g1', 1, 6.5, 5.5), ('g1', 1, 7.5, 5),
    ('g1', 2, 1, 8), ('g1', 2, 2, 9), ('g1', 2, 1.5, 7.5),
    ('g2', 0, 0, 0), ('g2', 0, 0, 3), ('g2', 1, 4, 0), ('g2', 1, 4, 3), ('g2', 1, 5, 1),
    ('g2', NULL, 100, 100), ('g2', 1, NULL, 100);
CREATE TABLE IF NOT EXISTS sqltest_text_points (label TEXT, x DOUBLE, y DOUBLE);
DELETE FROM sqltest_text_points;
INSERT INTO sqltest_text_points VALUES ('a', 0, 0), ('a', 0, 3), ('b', 4, 0), ('b', 4, 3), ('b', 5, 1);

-- References: scikit-learn 1.2.1 silhouette_score, davies_bouldin_score,
-- calinski_harabasz_score on the same points; inertia = sum of squared
-- distances to the cluster means and the simplified silhouette (MADlib:
-- a = distance to the own centroid, b = to the nearest other) in numpy 1.24.2.
-- Rows with a NULL label or feature are skipped (the g2 rows at 100).
SELECT count(*) = 2 FROM (SELECT grp, silhouette(label, x, y) AS s FROM sqltest_points GROUP BY grp) AS t;
SELECT abs(silhouette(label, x, y) - CASE grp WHEN 'g1' THEN 0.8181872279486928 ELSE 0.4631178774601278 END) < 1e-9,
       abs(silhouette_simplified(label, x, y) - CASE grp WHEN 'g1' THEN 0.8925502988578644 ELSE 0.6956324249860331 END) < 1e-9,
       abs(davies_bouldin(label, x, y) - CASE grp WHEN 'g1' THEN 0.21941005827753812 ELSE 0.639480855653309 END) < 1e-9,
       abs(calinski_harabasz(label, x, y) - CASE grp WHEN 'g1' THEN 101.80841522244059 ELSE 6.884745762711864 END) < 1e-7,
       abs(inertia(label, x, y) - CASE grp WHEN 'g1' THEN 4.664166666666667 ELSE 9.833333333333332 END) < 1e-9
FROM sqltest_points GROUP BY grp;

-- Text labels give the same values as the integer labels of g2.
SELECT abs(silhouette(label, x, y) - 0.4631178774601278) < 1e-9,
       abs(davies_bouldin(label, x, y) - 0.639480855653309) < 1e-9,
       abs(inertia(label, x, y) - 9.833333333333332) < 1e-9
FROM sqltest_text_points;

-- One cluster: silhouette is undefined (NULL); inertia is defined (numpy: 1.06).
SELECT silhouette(label, x, y) IS NULL,
       abs(inertia(label, x, y) - 1.06) < 1e-9
FROM sqltest_points WHERE grp = 'g1' AND label = 0;

-- An empty group gives NULL.
SELECT silhouette(label, x, y) IS NULL, inertia(label, x, y) IS NULL
FROM sqltest_points WHERE grp = 'none';
