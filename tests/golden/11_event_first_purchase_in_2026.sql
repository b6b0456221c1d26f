-- title: First purchase in 2026 (first, dates window)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "event",
    "event": "purchase",
    "window": {
      "kind": "dates",
      "since": "2026-01-01",
      "before": "2027-01-01"
    },
    "aggregate": "first"
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
        s.transaction_at AS x
      FROM pos.transactions AS s
      WHERE
        NOT s.customer_id IS NULL
        AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
      UNION ALL
      SELECT
        s.customer_id AS k,
        s.ordered_at AS x
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        AND s.status = 'completed'
    ) AS u
    GROUP BY
      u.k
    HAVING
      MIN(u.x) >= CAST('2026-01-01 00:00:00' AS TIMESTAMP)
      AND MIN(u.x) < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
  )
