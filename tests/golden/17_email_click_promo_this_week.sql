-- title: Clicked a promo email this week (property through one join, calendar week)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "event",
    "event": "email_activity",
    "filters": [
      {
        "property": "event_type",
        "op": "eq",
        "value": "click"
      },
      {
        "property": "theme",
        "op": "eq",
        "value": "promo"
      }
    ],
    "window": {
      "kind": "calendar",
      "unit": "week",
      "offset": 0
    }
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
      FROM email.events AS s
      WHERE
        NOT s.customer_id IS NULL
        AND (
          s.occurred_at >= CAST('2026-06-29 00:00:00' AS TIMESTAMP)
          AND s.occurred_at < CAST('2026-07-01 00:00:00' AS TIMESTAMP)
        )
        AND s.event_type = 'click'
        AND s.campaign_id IN (
          SELECT
            h0.campaign_id
          FROM email.campaigns AS h0
          WHERE
            h0.theme = 'promo'
        )
    ) AS u
  )
