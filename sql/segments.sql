{{- /*
customer_segments and segment_profiles: the prepared, plain tables a BI tool
reads without custseg's functions. Rendered by pipeline.Score with
.Model = the name@version reference of the active k-means model,
.Features = its feature columns of customer_features (validated identifiers),
.Extra = those feature columns not already among recency/frequency/monetary,
.Profile = the columns profiled (mean and median per segment).
idiv a b is integer division on both engines (DuckDB's / yields DOUBLE).
*/ -}}
DROP TABLE IF EXISTS customer_segments;
CREATE TABLE customer_segments AS
SELECT s.*, segment_name('{{.Model}}', s.segment) AS segment_name
FROM (
    SELECT f.customer_id, f.recency_days, f.frequency, f.monetary,
           {{range .Extra}}f.{{.}}, {{end}}
           r.r_score, r.f_score, r.m_score, r.rfm_code, r.rfm_segment,
           assign_segment('{{.Model}}', {{range $i, $c := .Features}}{{if $i}}, {{end}}f.{{$c}}{{end}}) AS segment,
           segment_distance('{{.Model}}', {{range $i, $c := .Features}}{{if $i}}, {{end}}f.{{$c}}{{end}}) AS distance,
           '{{.Model}}' AS model
    FROM customer_features f
    LEFT JOIN customer_rfm r ON r.customer_id = f.customer_id
) s
ORDER BY s.customer_id;
DROP TABLE IF EXISTS segment_profiles;
CREATE TABLE segment_profiles AS
WITH totals AS (
    SELECT count(*) AS n, sum(monetary) AS revenue FROM customer_segments
),
base AS (
    SELECT segment, min(segment_name) AS segment_name, count(*) AS customers,
           sum(monetary) AS revenue{{range .Profile}},
           avg({{.}}) AS mean_{{.}}{{end}}
    FROM customer_segments
    GROUP BY segment
){{range .Profile}},
ranked_{{.}} AS (
    SELECT segment, {{.}} AS v,
           row_number() OVER (PARTITION BY segment ORDER BY {{.}}) AS rn,
           count(*) OVER (PARTITION BY segment) AS n
    FROM customer_segments
),
median_{{.}} AS (
    SELECT segment, avg(v) AS median_{{.}}
    FROM ranked_{{.}}
    WHERE rn = {{idiv "n + 1" "2"}} OR rn = {{idiv "n + 2" "2"}}
    GROUP BY segment
){{end}}
SELECT b.segment, b.segment_name, b.customers,
       CAST(b.customers AS DOUBLE) / t.n AS share,
       b.revenue,
       b.revenue / t.revenue AS revenue_share{{range .Profile}},
       b.mean_{{.}}, median_{{.}}.median_{{.}}{{end}},
       '{{.Model}}' AS model
FROM base b CROSS JOIN totals t{{range .Profile}}
JOIN median_{{.}} ON median_{{.}}.segment = b.segment{{end}}
ORDER BY b.segment;
