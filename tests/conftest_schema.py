"""The demo dataset's tables as DDL only (no data), from the schema contract.

Tests that need the demo schema on a small hand-made dataset call :func:`create_demo_schema`
and insert the few rows they care about. The names and types below are the contract of
``shared/spec/demo-retail-schema.md``: change them only when the contract changes.
"""

from __future__ import annotations

import duckdb

DEMO_SCHEMAS = ("meta", "crm", "pos", "ecom", "product", "web", "email", "support")

DEMO_TABLES: dict[str, str] = {
    "meta.dataset": "reference_date DATE, seed INTEGER, customers BIGINT",
    "crm.customers": (
        "customer_id BIGINT, email VARCHAR, phone VARCHAR, first_name VARCHAR, "
        "last_name VARCHAR, gender VARCHAR, birth_date DATE, city VARCHAR, "
        "postal_code VARCHAR, region VARCHAR, country VARCHAR, signup_date DATE, "
        "acquisition_channel VARCHAR, loyalty_tier VARCHAR, loyalty_points INTEGER, "
        "email_opt_in BOOLEAN, sms_opt_in BOOLEAN, push_opt_in BOOLEAN, "
        "preferred_store_id INTEGER"
    ),
    "crm.scores": (
        "customer_id BIGINT, churn_score DOUBLE, clv_eur DECIMAL(12,2), rfm_segment VARCHAR, "
        "appetence_shoes DOUBLE, appetence_apparel DOUBLE, appetence_accessories DOUBLE, "
        "appetence_beauty DOUBLE, appetence_home DOUBLE, appetence_sport DOUBLE, "
        "computed_on DATE"
    ),
    "pos.stores": (
        "store_id INTEGER, store_name VARCHAR, city VARCHAR, region VARCHAR, "
        "store_format VARCHAR, opened_on DATE"
    ),
    "pos.transactions": (
        "transaction_id BIGINT, customer_id BIGINT, store_id INTEGER, transaction_at TIMESTAMP, "
        "amount_eur DECIMAL(10,2), item_count INTEGER"
    ),
    "pos.transaction_lines": (
        "transaction_id BIGINT, product_id INTEGER, quantity INTEGER, amount_eur DECIMAL(10,2)"
    ),
    "ecom.orders": (
        "order_id BIGINT, customer_id BIGINT, ordered_at TIMESTAMP, amount_eur DECIMAL(10,2), "
        "device VARCHAR, status VARCHAR, promo_code VARCHAR"
    ),
    "ecom.order_lines": (
        "order_id BIGINT, product_id INTEGER, quantity INTEGER, amount_eur DECIMAL(10,2)"
    ),
    "product.products": (
        "product_id INTEGER, product_name VARCHAR, category VARCHAR, brand VARCHAR, "
        "unit_price_eur DECIMAL(10,2)"
    ),
    "web.events": (
        "event_id BIGINT, customer_id BIGINT, session_id VARCHAR, event_type VARCHAR, "
        "occurred_at TIMESTAMP, product_id INTEGER, device VARCHAR"
    ),
    "email.campaigns": (
        "campaign_id INTEGER, campaign_name VARCHAR, theme VARCHAR, sent_at TIMESTAMP"
    ),
    "email.events": (
        "customer_id BIGINT, campaign_id INTEGER, event_type VARCHAR, occurred_at TIMESTAMP"
    ),
    "support.tickets": (
        "ticket_id BIGINT, customer_id BIGINT, opened_at TIMESTAMP, topic VARCHAR, "
        "status VARCHAR, satisfaction INTEGER"
    ),
}


def create_demo_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema and table of the demo contract, empty."""
    for schema in DEMO_SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for table, columns in DEMO_TABLES.items():
        con.execute(f"CREATE TABLE {table} ({columns})")
