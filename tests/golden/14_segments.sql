-- title: VIPs but not churners, as saved segments (segment, not)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "segment",
        "segment": "vips"
      },
      {
        "kind": "not",
        "condition": {
          "kind": "segment",
          "segment": "churners"
        }
      }
    ]
  }
}
*/
/* segment vips
{
  "where": {
    "kind": "attribute",
    "field": "crm.customers.loyalty_tier",
    "op": "eq",
    "value": "vip"
  }
}
*/
/* segment churners
{
  "where": {
    "kind": "score",
    "field": "crm.scores.churn_score",
    "op": "gt",
    "value": 0.8
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
LEFT JOIN crm.scores AS p1
  ON p1.customer_id = c.customer_id
WHERE
  (
    c.loyalty_tier = 'vip'
  )
  AND NOT COALESCE((
    (
      p1.churn_score > 0.8
    )
  ), FALSE)
