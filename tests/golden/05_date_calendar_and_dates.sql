-- title: Signed up last month, born in the 1980s (calendar and dates windows)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "date",
        "field": "crm.customers.signup_date",
        "window": {
          "kind": "calendar",
          "unit": "month",
          "offset": -1
        }
      },
      {
        "kind": "date",
        "field": "crm.customers.birth_date",
        "window": {
          "kind": "dates",
          "since": "1980-01-01",
          "before": "1990-01-01"
        }
      }
    ]
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
WHERE
  (
    c.signup_date >= CAST('2026-05-01' AS DATE)
    AND c.signup_date < CAST('2026-06-01' AS DATE)
  )
  AND (
    c.birth_date >= CAST('1980-01-01' AS DATE)
    AND c.birth_date < CAST('1990-01-01' AS DATE)
  )
