-- title: High churn risk, for an email campaign (score gt, channel consent)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "score",
    "field": "crm.scores.churn_score",
    "op": "gt",
    "value": 0.8
  },
  "channel": "email"
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
LEFT JOIN crm.scores AS p1
  ON p1.customer_id = c.customer_id
WHERE
  p1.churn_score > 0.8
  AND (
    c.email_opt_in = TRUE
    AND NOT c.email IS NULL
    AND REGEXP_MATCHES(c.email, '^[^@\s]+@[^@\s]+\.[^@\s]+$')
  )
