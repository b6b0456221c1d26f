-- title: Abandoned cart in the last 7 days, for SMS (two events, none online)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "event",
        "event": "web_visit",
        "filters": [
          {
            "property": "event_type",
            "op": "eq",
            "value": "add_to_cart"
          }
        ],
        "window": {
          "kind": "last",
          "n": 7,
          "unit": "day"
        }
      },
      {
        "kind": "event",
        "event": "purchase",
        "filters": [
          {
            "property": "channel",
            "op": "eq",
            "value": "online"
          }
        ],
        "window": {
          "kind": "last",
          "n": 7,
          "unit": "day"
        },
        "aggregate": "none"
      }
    ]
  },
  "channel": "sms"
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
      FROM web.events AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.occurred_at >= CAST('2026-06-24 00:00:00' AS TIMESTAMP)
          AND s.occurred_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
        AND s.event_type = 'add_to_cart'
    ) AS u
  )
  AND NOT COALESCE(
    c.customer_id IN (
      SELECT
        u.k
      FROM (
        SELECT
          s.customer_id AS k
        FROM ecom.orders AS s
        WHERE
          NOT s.customer_id IS NULL
          AND (
            s.ordered_at >= CAST('2026-06-24 00:00:00' AS TIMESTAMP)
            AND s.ordered_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
          )
          AND s.status = 'completed'
      ) AS u
    ),
    FALSE
  )
  AND (
    c.sms_opt_in = TRUE
    AND NOT c.phone IS NULL
    AND REGEXP_MATCHES(c.phone, '^\+[1-9][0-9]{6,14}$')
  )
