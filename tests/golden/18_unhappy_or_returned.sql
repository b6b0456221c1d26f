-- title: Unhappy with support in the last 3 months or returned an order (any, filters on numbers and lists)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "any",
    "conditions": [
      {
        "kind": "event",
        "event": "support_ticket",
        "filters": [
          {
            "property": "satisfaction",
            "op": "lte",
            "value": 2
          }
        ],
        "window": {
          "kind": "last",
          "n": 3,
          "unit": "month"
        }
      },
      {
        "kind": "event",
        "event": "order",
        "filters": [
          {
            "property": "status",
            "op": "in",
            "values": [
              "cancelled",
              "returned"
            ]
          }
        ],
        "aggregate": "count",
        "op": "gte",
        "value": 1
      }
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
        s.customer_id AS k
      FROM support.tickets AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.opened_at >= CAST('2026-04-01 00:00:00' AS TIMESTAMP)
          AND s.opened_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
        AND s.satisfaction <= 2
    ) AS u
  )
  OR c.customer_id IN (
    SELECT
      u.k
    FROM (
      SELECT
        s.customer_id AS k
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        AND s.status IN ('cancelled', 'returned')
    ) AS u
  )
