{{- /*
customer_features (or .Table): one row per customer, computed by the engine.
A text/template rendered by pipeline.Features: .Where is the cleaning filter
chosen by flags; .AsOf an SQL timestamp expression or empty (default: the
latest kept invoice + 1 day; when given, later invoices are left out by
.Where). Dialect helpers: days a b = whole days from b to a (floored);
addDay x = x plus one day.
monetary is rounded to 6 decimals, far below any currency's unit: DuckDB's
parallel sum adds in a varying order, so the raw sum's last bits differ from
run to run (and from SQLite's), and the same data would fit different models.
*/ -}}
DROP TABLE IF EXISTS {{.Table}};
CREATE TABLE {{.Table}} AS
WITH kept AS (
    SELECT customer_id, invoice_no, invoice_date, quantity * unit_price AS amount
    FROM transactions
    WHERE {{.Where}}
),
as_of AS (
    {{if .AsOf}}SELECT {{.AsOf}} AS as_of{{else}}SELECT {{addDay "max(invoice_date)"}} AS as_of FROM kept{{end}}
)
SELECT
    k.customer_id,
    {{days "a.as_of" "max(k.invoice_date)"}} AS recency_days,
    count(DISTINCT k.invoice_no) AS frequency,
    round(sum(k.amount), 6) AS monetary,
    min(k.invoice_date) AS first_purchase,
    max(k.invoice_date) AS last_purchase,
    a.as_of AS as_of
FROM kept k CROSS JOIN as_of a
GROUP BY k.customer_id, a.as_of
ORDER BY k.customer_id;
