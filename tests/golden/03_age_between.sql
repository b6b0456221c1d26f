-- title: Customers aged 25-34 or over 50 (age between, gt)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "any",
    "conditions": [
      {
        "kind": "age",
        "field": "crm.customers.birth_date",
        "op": "between",
        "values": [
          25,
          34
        ]
      },
      {
        "kind": "age",
        "field": "crm.customers.birth_date",
        "op": "gt",
        "value": 50
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
    c.birth_date <= CAST('2001-06-30' AS DATE)
    AND c.birth_date > CAST('1991-06-30' AS DATE)
  )
  OR c.birth_date <= CAST('1975-06-30' AS DATE)
