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
WHERE
  c.loyalty_tier = 'vip'
  AND c.customer_id IN (
    SELECT
      u.k
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
    HAVING
      COUNT(*) >= 2
  )
