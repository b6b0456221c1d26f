-- title: Lapsed customers: bought once, not in the last 12 months (exists, none)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "event",
        "event": "purchase"
      },
      {
        "kind": "event",
        "event": "purchase",
        "window": {
          "kind": "last",
          "n": 12,
          "unit": "month"
        },
        "aggregate": "none"
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
      FROM pos.transactions AS s
      WHERE
        NOT s.customer_id IS NULL
        AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
      UNION ALL
      SELECT
        s.customer_id AS k
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        AND s.status = 'completed'
    ) AS u
  )
  AND NOT COALESCE(
    c.customer_id IN (
      SELECT
        u.k
      FROM (
        SELECT
          s.customer_id AS k
        FROM pos.transactions AS s
        WHERE
          NOT s.customer_id IS NULL
          AND (
            s.transaction_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
            AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
          )
        UNION ALL
        SELECT
          s.customer_id AS k
        FROM ecom.orders AS s
        WHERE
          NOT s.customer_id IS NULL
          AND (
            s.ordered_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
            AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
          )
          AND s.status = 'completed'
      ) AS u
    ),
    FALSE
  )
