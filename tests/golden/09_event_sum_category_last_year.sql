-- title: Spent more than 200 EUR on shoes last year (sum, property through lines, calendar year)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "event",
    "event": "purchase",
    "filters": [
      {
        "property": "category",
        "op": "eq",
        "value": "shoes"
      }
    ],
    "window": {
      "kind": "calendar",
      "unit": "year",
      "offset": -1
    },
    "aggregate": "sum",
    "property": "amount",
    "op": "gt",
    "value": 200
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
          s.transaction_at >= CAST('2025-01-01 00:00:00' AS TIMESTAMP)
          AND s.transaction_at < CAST('2026-01-01 00:00:00' AS TIMESTAMP)
        )
        AND s.transaction_id IN (
          SELECT
            h0.transaction_id
          FROM pos.transaction_lines AS h0
          WHERE
            h0.product_id IN (
              SELECT
                h1.product_id
              FROM product.products AS h1
              WHERE
                h1.category = 'shoes'
            )
        )
      UNION ALL
      SELECT
        s.customer_id AS k,
        s.amount_eur AS x
      FROM ecom.orders AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.ordered_at >= CAST('2025-01-01 00:00:00' AS TIMESTAMP)
          AND s.ordered_at < CAST('2026-01-01 00:00:00' AS TIMESTAMP)
        )
        AND s.status = 'completed'
        AND s.order_id IN (
          SELECT
            h0.order_id
          FROM ecom.order_lines AS h0
          WHERE
            h0.product_id IN (
              SELECT
                h1.product_id
              FROM product.products AS h1
              WHERE
                h1.category = 'shoes'
            )
        )
    ) AS u
    GROUP BY
      u.k
    HAVING
      SUM(u.x) > 200
  )
