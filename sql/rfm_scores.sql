{{- /*
customer_rfm: the RFM scores of every customer by the model bound to ?1
(pipeline.ScoreRFM binds the stored version's spec), materialized as a plain
table a BI tool can read without custseg's functions.
*/ -}}
DROP TABLE IF EXISTS customer_rfm;
CREATE TABLE customer_rfm AS
SELECT customer_id, recency_days, frequency, monetary,
       -- exact on both engines: DuckDB's / on integers yields a DOUBLE
       CAST((code - code % 100) / 100 AS INTEGER) AS r_score,
       CAST((code % 100 - code % 10) / 10 AS INTEGER) AS f_score,
       CAST(code % 10 AS INTEGER) AS m_score,
       code AS rfm_code,
       rfm_segment(code) AS rfm_segment
FROM (
    SELECT customer_id, recency_days, frequency, monetary,
           rfm_score(CAST(?1 AS TEXT), recency_days, frequency, monetary) AS code
    FROM customer_features
) s
ORDER BY customer_id;
