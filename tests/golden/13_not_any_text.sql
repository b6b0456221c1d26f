-- title: Loyalty members who are neither Parisians nor on an example.com address (not, any, ne, ends_with)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "all",
    "conditions": [
      {
        "kind": "attribute",
        "field": "crm.customers.loyalty_tier",
        "op": "ne",
        "value": "none"
      },
      {
        "kind": "not",
        "condition": {
          "kind": "any",
          "conditions": [
            {
              "kind": "attribute",
              "field": "crm.customers.city",
              "op": "eq",
              "value": "Paris"
            },
            {
              "kind": "attribute",
              "field": "crm.customers.email",
              "op": "ends_with",
              "value": "@example.com"
            }
          ]
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
  c.loyalty_tier IS DISTINCT FROM 'none'
  AND NOT COALESCE((
    c.city = 'Paris' OR c.email ILIKE '%@example.com' ESCAPE '\'
  ), FALSE)
