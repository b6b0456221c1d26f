-- title: Big spenders: spend over the last 12 months in the top 10% of buyers (event top_percent)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "event",
    "event": "purchase",
    "aggregate": "sum",
    "property": "amount",
    "op": "top_percent",
    "value": 10,
    "window": {"kind": "last", "n": 12, "unit": "month"}
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
      FROM pos.transactions AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.transaction_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
          AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
      UNION ALL
      SELECT
        s.customer_id AS k,
        s.amount_eur AS x
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.ordered_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
          AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
        AND s.status = 'completed'
    ) AS u
    GROUP BY
      u.k
    HAVING
      CAST(SUM(u.x) AS DOUBLE) >= (
        SELECT
          QUANTILE_CONT(CAST(t.v AS DOUBLE), 0.9)
        FROM (
          SELECT
            u.k,
            SUM(u.x) AS v
          FROM (
            SELECT
              s.customer_id AS k,
              s.amount_eur AS x
            FROM pos.transactions AS s
            WHERE
              NOT s.customer_id IS NULL
              AND (
                s.transaction_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
                AND s.transaction_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
              )
            UNION ALL
            SELECT
              s.customer_id AS k,
              s.amount_eur AS x
            FROM ecom.orders AS s
            WHERE
              NOT s.customer_id IS NULL
              AND (
                s.ordered_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
                AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
              )
              AND s.status = 'completed'
          ) AS u
          WHERE
            u.k IN (
              SELECT
                e.customer_id
              FROM crm.customers AS e
            )
          GROUP BY
            u.k
        ) AS t
      )
  )
