-- title: VIP customers (attribute eq)
-- as_of: 2026-06-30
/* rule
{
  "where": {
    "kind": "attribute",
    "field": "crm.customers.loyalty_tier",
    "op": "eq",
    "value": "vip"
  }
}
*/
SELECT DISTINCT
  c.customer_id AS customer_id
FROM crm.customers AS c
WHERE
  c.loyalty_tier = 'vip'
