-- title: New customers: signed up in the last 30 days (date, last window)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "date",
    "field": "crm.customers.signup_date",
    "window": {
      "kind": "last",
      "n": 30,
      "unit": "day"
    }
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
WHERE
  c.signup_date >= CAST('2026-06-01' AS DATE)
  AND c.signup_date < CAST('2026-07-01' AS DATE)
