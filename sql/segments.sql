{{- /*
customer_segments and segment_profiles: the prepared, plain tables a BI tool
reads without custseg's functions. Rendered by pipeline.Score with
.Features = the model's feature columns of customer_features,
.Extra = those feature columns not already among recency/frequency/monetary,
.Profile = the columns profiled (mean and median per segment); run with the
name@version reference of the k-means model bound to ?1 (the model column)
and its spec bound to ?2 (what the functions score with, so that a version
not committed yet scores right); neither is ever pasted in.
ident quotes a column name (custsql.Ident); idiv a b is integer division on
both engines (DuckDB's / yields DOUBLE); floor x the floor of x >= 0.

segment_profiles is what BI tools show as it is: money (revenue, the
monetary mean and median) rounded to cents, shares and the other means and
medians to 4 decimals. Rounding is half away from zero after ~12
significant digits (the 1e-12 term), written out with the same arithmetic on
both engines, so 372.3649999999999 (the median 372.365 as the engines add
it) is 372.37 on each: DuckDB's round() and SQLite's disagree on such values.
customer_segments keeps the features exact, as the models read them.
*/ -}}
{{- define "cents"}}(CASE WHEN {{.}} < 0 THEN -1 ELSE 1 END * {{floor (print "abs(" . ") * 100 * (1 + 1e-12) + 0.5")}} / 100.0){{end}}
{{- define "frac"}}(CASE WHEN {{.}} < 0 THEN -1 ELSE 1 END * {{floor (print "abs(" . ") * 10000 * (1 + 1e-12) + 0.5")}} / 10000.0){{end}}
DROP TABLE IF EXISTS customer_segments;
CREATE TABLE customer_segments AS
SELECT s.*, segment_name(CAST(?2 AS TEXT), s.segment) AS segment_name
FROM (
    SELECT f.customer_id, f.recency_days, f.frequency, f.monetary,
           {{range .Extra}}f.{{ident .}}, {{end}}
           r.r_score, r.f_score, r.m_score, r.rfm_code, r.rfm_segment,
           assign_segment(CAST(?2 AS TEXT), {{range $i, $c := .Features}}{{if $i}}, {{end}}f.{{ident $c}}{{end}}) AS segment,
           segment_distance(CAST(?2 AS TEXT), {{range $i, $c := .Features}}{{if $i}}, {{end}}f.{{ident $c}}{{end}}) AS distance,
           CAST(?1 AS TEXT) AS model
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
           avg({{ident .}}) AS {{ident (print "mean_" .)}}{{end}}
    FROM customer_segments
    GROUP BY segment
){{range $i, $c := .Profile}},
ranked_{{$i}} AS (
    SELECT segment, {{ident $c}} AS v,
           row_number() OVER (PARTITION BY segment ORDER BY {{ident $c}}) AS rn,
           count(*) OVER (PARTITION BY segment) AS n
    FROM customer_segments
),
median_{{$i}} AS (
    SELECT segment, avg(v) AS median
    FROM ranked_{{$i}}
    WHERE rn = {{idiv "n + 1" "2"}} OR rn = {{idiv "n + 2" "2"}}
    GROUP BY segment
){{end}}
SELECT b.segment, b.segment_name, b.customers,
       {{template "frac" "CAST(b.customers AS DOUBLE) / t.n"}} AS share,
       {{template "cents" "b.revenue"}} AS revenue,
       {{template "frac" "b.revenue / t.revenue"}} AS revenue_share{{range $i, $c := .Profile}},
       {{if eq $c "monetary"}}{{template "cents" (print "b." (ident (print "mean_" $c)))}}{{else}}{{template "frac" (print "b." (ident (print "mean_" $c)))}}{{end}} AS {{ident (print "mean_" $c)}},
       {{if eq $c "monetary"}}{{template "cents" (print "median_" $i ".median")}}{{else}}{{template "frac" (print "median_" $i ".median")}}{{end}} AS {{ident (print "median_" $c)}}{{end}},
       CAST(?1 AS TEXT) AS model
FROM base b CROSS JOIN totals t{{range $i, $c := .Profile}}
JOIN median_{{$i}} ON median_{{$i}}.segment = b.segment{{end}}
ORDER BY b.segment;
