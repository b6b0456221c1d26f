-- title: Average basket between 50 and 100 EUR on mobile this quarter (avg between, column property)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "event",
    "event": "purchase",
    "filters": [
      {
        "property": "device",
        "op": "eq",
        "value": "mobile"
      }
    ],
    "window": {
      "kind": "calendar",
      "unit": "quarter",
      "offset": 0
    },
    "aggregate": "avg",
    "property": "amount",
    "op": "between",
    "values": [
      50,
      100
    ]
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
WHERE
  c.customer_id IN (
    SELECT
      u.k
    FROM (
      SELECT
        s.customer_id AS k,
        s.amount_eur AS x
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.ordered_at >= CAST('2026-04-01 00:00:00' AS TIMESTAMP)
          AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
        AND s.status = 'completed'
        AND s.device = 'mobile'
    ) AS u
    GROUP BY
      u.k
    HAVING
      AVG(u.x) BETWEEN 50 AND 100
  )
