-- title: French or Belgian women outside Paris with an email (in, not_in, is_not_null)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "attribute",
        "field": "crm.customers.country",
        "op": "in",
        "values": [
          "FR",
          "BE"
        ]
      },
      {
        "kind": "attribute",
        "field": "crm.customers.gender",
        "op": "eq",
        "value": "F"
      },
      {
        "kind": "attribute",
        "field": "crm.customers.city",
        "op": "not_in",
        "values": [
          "Paris"
        ]
      },
      {
        "kind": "attribute",
        "field": "crm.customers.email",
        "op": "is_not_null"
      }
    ]
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
WHERE
  c.country IN ('FR', 'BE')
  AND c.gender = 'F'
  AND NOT COALESCE(c.city IN ('Paris'), FALSE)
  AND NOT c.email IS NULL
