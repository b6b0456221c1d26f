-- title: VIPs who bought at least twice in store in the last 6 months (count, const property)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "attribute",
        "field": "crm.customers.loyalty_tier",
        "op": "eq",
        "value": "vip"
      },
      {
        "kind": "event",
        "event": "purchase",
        "filters": [
          {
            "property": "channel",
            "op": "eq",
            "value": "store"
          }
        ],
        "window": {
          "kind": "last",
          "n": 6,
          "unit": "month"
        },
        "aggregate": "count",
        "op": "gte",
        "value": 2
      }
    ]
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
LEFT JOIN (
  SELECT
    u.k AS k,
    COUNT(*) AS v
  FROM (
    SELECT
      s.customer_id AS k
    FROM pos.transactions AS s
    WHERE
      NOT s.customer_id IS NULL
      AND (
        s.transaction_at >= CAST('2026-01-01 00:00:00' AS TIMESTAMP)
        AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
      )
  ) AS u
  GROUP BY
    u.k
) AS e1
  ON e1.k = c.customer_id
WHERE
  c.loyalty_tier = 'vip' AND COALESCE(e1.v, 0) >= 2
