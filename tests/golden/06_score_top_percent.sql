-- title: High value: CLV in the top 10% (score top_percent)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "score",
    "field": "crm.scores.clv_eur",
    "op": "top_percent",
    "value": 10
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
LEFT JOIN crm.scores AS p1
  ON p1.customer_id = c.customer_id
WHERE
  p1.clv_eur >= (
    SELECT
      QUANTILE_CONT(CAST(q.clv_eur AS DOUBLE), 0.9)
    FROM crm.scores AS q
  )
