{{- /*
customer_rfm_sql: RFM scores computed with window functions only, no custom
function, so any SQL client (or a BI tool) can reproduce custseg's rfm_score.
Cut points are the type-7 quantiles at 20/40/60/80 % of customer_features,
the same formula rfm.Quantile7 uses, evaluated in the same order:
    h = (n-1)*p,  lo = floor(h),  q = x[lo] + (h - lo)*(x[lo+1] - x[lo])
(x 0-based and sorted; in SQL row_number() is 1-based). F and M score
1 + the number of cuts the value is strictly greater than; R scores 5 minus
that number, so the most recent customers get 5.
floor x is the dialect's floor of a non-negative number.
*/ -}}
DROP VIEW IF EXISTS customer_rfm_sql;
CREATE VIEW customer_rfm_sql AS
WITH n AS (
    SELECT count(*) AS n FROM customer_features
),
levels AS (
    SELECT 1 AS k, CAST(0.2 AS DOUBLE) AS p
    UNION ALL SELECT 2, CAST(0.4 AS DOUBLE)
    UNION ALL SELECT 3, CAST(0.6 AS DOUBLE)
    UNION ALL SELECT 4, CAST(0.8 AS DOUBLE)
),
h AS (
    SELECT k, (n.n - 1) * p AS h, {{floor "(n.n - 1) * p"}} AS lo FROM n CROSS JOIN levels
),
r_sorted AS (SELECT recency_days AS v, row_number() OVER (ORDER BY recency_days) AS rn FROM customer_features),
f_sorted AS (SELECT frequency AS v, row_number() OVER (ORDER BY frequency) AS rn FROM customer_features),
m_sorted AS (SELECT monetary AS v, row_number() OVER (ORDER BY monetary) AS rn FROM customer_features),
r_cuts AS (
    SELECT h.k, lo.v + (h.h - h.lo) * (coalesce(hi.v, lo.v) - lo.v) AS cut
    FROM h JOIN r_sorted lo ON lo.rn = h.lo + 1 LEFT JOIN r_sorted hi ON hi.rn = h.lo + 2
),
f_cuts AS (
    SELECT h.k, lo.v + (h.h - h.lo) * (coalesce(hi.v, lo.v) - lo.v) AS cut
    FROM h JOIN f_sorted lo ON lo.rn = h.lo + 1 LEFT JOIN f_sorted hi ON hi.rn = h.lo + 2
),
m_cuts AS (
    SELECT h.k, lo.v + (h.h - h.lo) * (coalesce(hi.v, lo.v) - lo.v) AS cut
    FROM h JOIN m_sorted lo ON lo.rn = h.lo + 1 LEFT JOIN m_sorted hi ON hi.rn = h.lo + 2
),
q AS (
    SELECT
        max(CASE WHEN r.k = 1 THEN r.cut END) AS r1, max(CASE WHEN r.k = 2 THEN r.cut END) AS r2,
        max(CASE WHEN r.k = 3 THEN r.cut END) AS r3, max(CASE WHEN r.k = 4 THEN r.cut END) AS r4,
        max(CASE WHEN f.k = 1 THEN f.cut END) AS f1, max(CASE WHEN f.k = 2 THEN f.cut END) AS f2,
        max(CASE WHEN f.k = 3 THEN f.cut END) AS f3, max(CASE WHEN f.k = 4 THEN f.cut END) AS f4,
        max(CASE WHEN m.k = 1 THEN m.cut END) AS m1, max(CASE WHEN m.k = 2 THEN m.cut END) AS m2,
        max(CASE WHEN m.k = 3 THEN m.cut END) AS m3, max(CASE WHEN m.k = 4 THEN m.cut END) AS m4
    FROM r_cuts r JOIN f_cuts f ON f.k = r.k JOIN m_cuts m ON m.k = r.k
),
scored AS (
    SELECT c.customer_id, c.recency_days, c.frequency, c.monetary,
        5 - (CASE WHEN c.recency_days > q.r1 THEN 1 ELSE 0 END + CASE WHEN c.recency_days > q.r2 THEN 1 ELSE 0 END
           + CASE WHEN c.recency_days > q.r3 THEN 1 ELSE 0 END + CASE WHEN c.recency_days > q.r4 THEN 1 ELSE 0 END) AS r_score,
        1 + (CASE WHEN c.frequency > q.f1 THEN 1 ELSE 0 END + CASE WHEN c.frequency > q.f2 THEN 1 ELSE 0 END
           + CASE WHEN c.frequency > q.f3 THEN 1 ELSE 0 END + CASE WHEN c.frequency > q.f4 THEN 1 ELSE 0 END) AS f_score,
        1 + (CASE WHEN c.monetary > q.m1 THEN 1 ELSE 0 END + CASE WHEN c.monetary > q.m2 THEN 1 ELSE 0 END
           + CASE WHEN c.monetary > q.m3 THEN 1 ELSE 0 END + CASE WHEN c.monetary > q.m4 THEN 1 ELSE 0 END) AS m_score
    FROM customer_features c CROSS JOIN q
)
SELECT customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,
       r_score * 100 + f_score * 10 + m_score AS rfm_code
FROM scored;
