"""The demo dataset generator against its contract (shared/spec/demo-retail-schema.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nl2seg.demo.generate import DEFAULT_REFERENCE_DATE, DemoSummary, generate_demo

CUSTOMERS = 2500
REF = DEFAULT_REFERENCE_DATE
END = "TIMESTAMP '2026-07-01 00:00:00'"  # end of the reference day (exclusive)

# Transcribed from the contract: table -> ordered (column, type).
CONTRACT: dict[str, list[tuple[str, str]]] = {
    "meta.dataset": [
        ("reference_date", "DATE"),
        ("seed", "INTEGER"),
        ("customers", "BIGINT"),
    ],
    "crm.customers": [
        ("customer_id", "BIGINT"),
        ("email", "VARCHAR"),
        ("phone", "VARCHAR"),
        ("first_name", "VARCHAR"),
        ("last_name", "VARCHAR"),
        ("gender", "VARCHAR"),
        ("birth_date", "DATE"),
        ("city", "VARCHAR"),
        ("postal_code", "VARCHAR"),
        ("region", "VARCHAR"),
        ("country", "VARCHAR"),
        ("signup_date", "DATE"),
        ("acquisition_channel", "VARCHAR"),
        ("loyalty_tier", "VARCHAR"),
        ("loyalty_points", "INTEGER"),
        ("email_opt_in", "BOOLEAN"),
        ("sms_opt_in", "BOOLEAN"),
        ("push_opt_in", "BOOLEAN"),
        ("preferred_store_id", "INTEGER"),
    ],
    "crm.scores": [
        ("customer_id", "BIGINT"),
        ("churn_score", "DOUBLE"),
        ("clv_eur", "DECIMAL(12,2)"),
        ("rfm_segment", "VARCHAR"),
        ("appetence_shoes", "DOUBLE"),
        ("appetence_apparel", "DOUBLE"),
        ("appetence_accessories", "DOUBLE"),
        ("appetence_beauty", "DOUBLE"),
        ("appetence_home", "DOUBLE"),
        ("appetence_sport", "DOUBLE"),
        ("computed_on", "DATE"),
    ],
    "pos.stores": [
        ("store_id", "INTEGER"),
        ("store_name", "VARCHAR"),
        ("city", "VARCHAR"),
        ("region", "VARCHAR"),
        ("store_format", "VARCHAR"),
        ("opened_on", "DATE"),
    ],
    "pos.transactions": [
        ("transaction_id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("store_id", "INTEGER"),
        ("transaction_at", "TIMESTAMP"),
        ("amount_eur", "DECIMAL(10,2)"),
        ("item_count", "INTEGER"),
    ],
    "pos.transaction_lines": [
        ("transaction_id", "BIGINT"),
        ("product_id", "INTEGER"),
        ("quantity", "INTEGER"),
        ("amount_eur", "DECIMAL(10,2)"),
    ],
    "ecom.orders": [
        ("order_id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("ordered_at", "TIMESTAMP"),
        ("amount_eur", "DECIMAL(10,2)"),
        ("device", "VARCHAR"),
        ("status", "VARCHAR"),
        ("promo_code", "VARCHAR"),
    ],
    "ecom.order_lines": [
        ("order_id", "BIGINT"),
        ("product_id", "INTEGER"),
        ("quantity", "INTEGER"),
        ("amount_eur", "DECIMAL(10,2)"),
    ],
    "product.products": [
        ("product_id", "INTEGER"),
        ("product_name", "VARCHAR"),
        ("category", "VARCHAR"),
        ("brand", "VARCHAR"),
        ("unit_price_eur", "DECIMAL(10,2)"),
    ],
    "web.events": [
        ("event_id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("session_id", "VARCHAR"),
        ("event_type", "VARCHAR"),
        ("occurred_at", "TIMESTAMP"),
        ("product_id", "INTEGER"),
        ("device", "VARCHAR"),
    ],
    "email.campaigns": [
        ("campaign_id", "INTEGER"),
        ("campaign_name", "VARCHAR"),
        ("theme", "VARCHAR"),
        ("sent_at", "TIMESTAMP"),
    ],
    "email.events": [
        ("customer_id", "BIGINT"),
        ("campaign_id", "INTEGER"),
        ("event_type", "VARCHAR"),
        ("occurred_at", "TIMESTAMP"),
    ],
    "support.tickets": [
        ("ticket_id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("opened_at", "TIMESTAMP"),
        ("topic", "VARCHAR"),
        ("status", "VARCHAR"),
        ("satisfaction", "INTEGER"),
    ],
}

# Closed value lists ("exactly") from the contract.
CLOSED: dict[tuple[str, str], set[str]] = {
    ("crm.customers", "gender"): {"F", "M", "U"},
    ("crm.customers", "country"): {"FR", "BE", "CH", "LU"},
    ("crm.customers", "acquisition_channel"): {"web", "store", "app", "partner", "social"},
    ("crm.customers", "loyalty_tier"): {"none", "silver", "gold", "vip"},
    ("crm.scores", "rfm_segment"): {
        "champions",
        "loyal",
        "potential_loyalist",
        "new",
        "at_risk",
        "hibernating",
        "lost",
    },
    ("pos.stores", "store_format"): {"flagship", "mall", "outlet", "corner"},
    ("ecom.orders", "device"): {"desktop", "mobile", "tablet", "app"},
    ("ecom.orders", "status"): {"completed", "cancelled", "returned"},
    ("product.products", "category"): {
        "shoes",
        "apparel",
        "accessories",
        "beauty",
        "home",
        "sport",
    },
    ("web.events", "event_type"): {
        "page_view",
        "product_view",
        "add_to_cart",
        "search",
        "checkout_start",
    },
    ("web.events", "device"): {"desktop", "mobile", "tablet", "app"},
    ("email.campaigns", "theme"): {
        "promo",
        "newsletter",
        "new_collection",
        "loyalty",
        "reactivation",
    },
    ("email.events", "event_type"): {"sent", "open", "click", "unsubscribe", "bounce"},
    ("support.tickets", "topic"): {"delivery", "return", "product", "payment", "account"},
    ("support.tickets", "status"): {"open", "closed"},
}

REGIONS = {
    "Île-de-France",
    "Auvergne-Rhône-Alpes",
    "Provence-Alpes-Côte d'Azur",
    "Hauts-de-France",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Grand Est",
    "Bretagne",
    "Pays de la Loire",
    "Normandie",
    "Bruxelles-Capitale",
    "Wallonie",
    "Genève",
    "Vaud",
    "Luxembourg",
}

TIMESTAMPS = {
    "pos.transactions": "transaction_at",
    "ecom.orders": "ordered_at",
    "web.events": "occurred_at",
    "email.campaigns": "sent_at",
    "email.events": "occurred_at",
    "support.tickets": "opened_at",
}

PURCHASES = """(
    SELECT customer_id, transaction_at AS ts, amount_eur FROM pos.transactions
    WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT customer_id, ordered_at, amount_eur FROM ecom.orders WHERE status = 'completed'
)"""


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> DemoSummary:
    return generate_demo(demo_dir / "demo.duckdb", customers=CUSTOMERS, seed=42)


@pytest.fixture(scope="module")
def con(demo: DemoSummary) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo.path), read_only=True)
    yield connection
    connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def table_dump(path: Path, table: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


# ------------------------------------------------------------------------------- contract


def test_schema_matches_contract_exactly(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT table_schema || '.' || table_name, column_name, data_type
        FROM information_schema.columns
        WHERE table_catalog = current_database()
        ORDER BY table_schema, table_name, ordinal_position
        """
    ).fetchall()
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        actual.setdefault(table, []).append((column, data_type))
    assert actual == CONTRACT


@pytest.mark.parametrize(("table", "column"), sorted(CLOSED))
def test_closed_value_lists_appear_fully_and_nothing_else(
    con: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    values = {v for (v,) in con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()}
    assert values == CLOSED[(table, column)]


def test_meta_dataset(con: duckdb.DuckDBPyConnection, demo: DemoSummary) -> None:
    assert con.execute("SELECT * FROM meta.dataset").fetchall() == [(REF, 42, CUSTOMERS)]
    assert demo.customers == CUSTOMERS
    assert demo.seed == 42
    assert demo.reference_date == REF
    assert demo.seconds > 0
    for table, count in demo.row_counts.items():
        assert scalar(con, f"SELECT count(*) FROM {table}") == count
    assert set(demo.row_counts) == set(CONTRACT)


def test_regions_and_example_cities(con: duckdb.DuckDBPyConnection) -> None:
    regions = {r for (r,) in con.execute("SELECT DISTINCT region FROM crm.customers").fetchall()}
    assert regions == REGIONS
    store_regions = {r for (r,) in con.execute("SELECT DISTINCT region FROM pos.stores").fetchall()}
    assert store_regions <= REGIONS
    cities = {c for (c,) in con.execute("SELECT DISTINCT city FROM crm.customers").fetchall()}
    assert {"Paris", "Lyon", "Marseille", "Lille", "Bordeaux", "Bruxelles", "Genève"} <= cities
    # a city always lies in one region and one country
    assert scalar(con, """
        SELECT count(*) FROM (
            SELECT city FROM crm.customers GROUP BY city
            HAVING count(DISTINCT region) > 1 OR count(DISTINCT country) > 1)
    """) == 0
    assert scalar(con, """
        SELECT count(*) FROM crm.customers
        WHERE (country = 'BE') <> (region IN ('Bruxelles-Capitale', 'Wallonie'))
           OR (country = 'CH') <> (region IN ('Genève', 'Vaud'))
           OR (country = 'LU') <> (region = 'Luxembourg')
    """) == 0


# ---------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_data(demo: DemoSummary, demo_dir: Path) -> None:
    again = generate_demo(demo_dir / "again.duckdb", customers=CUSTOMERS, seed=42)
    assert again.row_counts == demo.row_counts
    for table in CONTRACT:
        assert table_dump(demo.path, table) == table_dump(again.path, table), table


def test_other_seed_gives_other_data(demo: DemoSummary, demo_dir: Path) -> None:
    other = generate_demo(demo_dir / "other.duckdb", customers=CUSTOMERS, seed=7)
    for table in ("crm.customers", "pos.transactions", "web.events", "email.events"):
        assert table_dump(demo.path, table) != table_dump(other.path, table), table
    assert table_dump(other.path, "meta.dataset") == [(REF, 7, CUSTOMERS)]


# ------------------------------------------------------------------------------- integrity


@pytest.mark.parametrize(("table", "column"), sorted(TIMESTAMPS.items()))
def test_no_timestamp_after_the_reference_day(
    con: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    assert scalar(con, f"SELECT count(*) FROM {table} WHERE {column} >= {END}") == 0
    # about three years of history
    assert scalar(con, f"SELECT min({column}) FROM {table}") < dt.datetime(2023, 7, 15)


def test_no_date_after_the_reference_day(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT max(signup_date) FROM crm.customers") <= REF
    assert scalar(con, "SELECT min(signup_date) FROM crm.customers") >= dt.date(2020, 6, 30)
    assert scalar(con, "SELECT max(birth_date) FROM crm.customers") <= REF
    assert scalar(con, "SELECT max(opened_on) FROM pos.stores") <= REF
    assert con.execute("SELECT DISTINCT computed_on FROM crm.scores").fetchall() == [(REF,)]


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("SELECT customer_id FROM crm.scores", "SELECT customer_id FROM crm.customers"),
        ("SELECT preferred_store_id FROM crm.customers", "SELECT store_id FROM pos.stores"),
        ("SELECT customer_id FROM pos.transactions", "SELECT customer_id FROM crm.customers"),
        ("SELECT store_id FROM pos.transactions", "SELECT store_id FROM pos.stores"),
        (
            "SELECT transaction_id FROM pos.transaction_lines",
            "SELECT transaction_id FROM pos.transactions",
        ),
        (
            "SELECT product_id FROM pos.transaction_lines",
            "SELECT product_id FROM product.products",
        ),
        ("SELECT customer_id FROM ecom.orders", "SELECT customer_id FROM crm.customers"),
        ("SELECT order_id FROM ecom.order_lines", "SELECT order_id FROM ecom.orders"),
        ("SELECT product_id FROM ecom.order_lines", "SELECT product_id FROM product.products"),
        ("SELECT customer_id FROM web.events", "SELECT customer_id FROM crm.customers"),
        ("SELECT product_id FROM web.events", "SELECT product_id FROM product.products"),
        ("SELECT customer_id FROM email.events", "SELECT customer_id FROM crm.customers"),
        ("SELECT campaign_id FROM email.events", "SELECT campaign_id FROM email.campaigns"),
        ("SELECT customer_id FROM support.tickets", "SELECT customer_id FROM crm.customers"),
    ],
)
def test_references_resolve(con: duckdb.DuckDBPyConnection, child: str, parent: str) -> None:
    orphans = f"SELECT count(*) FROM ({child} EXCEPT {parent}) t(k) WHERE k IS NOT NULL"
    assert scalar(con, orphans) == 0


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("crm.customers", "customer_id"),
        ("crm.scores", "customer_id"),
        ("pos.stores", "store_id"),
        ("pos.transactions", "transaction_id"),
        ("ecom.orders", "order_id"),
        ("product.products", "product_id"),
        ("web.events", "event_id"),
        ("email.campaigns", "campaign_id"),
        ("support.tickets", "ticket_id"),
        ("crm.customers", "email"),
    ],
)
def test_keys_are_unique_and_set(con: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    distinct, total, nulls = con.execute(
        f"SELECT count(DISTINCT {key}), count({key}), count(*) - count({key}) FROM {table}"
    ).fetchone() or (0, 0, 0)
    assert distinct == total
    if key != "email":
        assert nulls == 0


def test_tickets_equal_the_sum_of_their_lines(con: duckdb.DuckDBPyConnection) -> None:
    for header, lines, key in (
        ("pos.transactions", "pos.transaction_lines", "transaction_id"),
        ("ecom.orders", "ecom.order_lines", "order_id"),
    ):
        assert scalar(con, f"SELECT count(*) FROM {header} WHERE amount_eur <= 0") == 0
        assert scalar(con, f"""
            SELECT count(*) FROM {header} h
            LEFT JOIN (SELECT {key}, sum(amount_eur) AS s, count(*) AS n FROM {lines}
                       GROUP BY {key}) l USING ({key})
            WHERE l.s IS DISTINCT FROM h.amount_eur OR l.n NOT BETWEEN 1 AND 5
        """) == 0
    assert scalar(con, """
        SELECT count(*) FROM pos.transactions t
        JOIN (SELECT transaction_id, sum(quantity) AS q FROM pos.transaction_lines
              GROUP BY 1) l USING (transaction_id)
        WHERE t.item_count <> l.q
    """) == 0


def test_rows_are_well_formed(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT count(*) FROM ecom.orders WHERE customer_id IS NULL") == 0
    assert scalar(con, """
        SELECT count(*) FROM web.events
        WHERE (product_id IS NOT NULL) <> (event_type IN ('product_view', 'add_to_cart'))
    """) == 0
    assert scalar(con, """
        SELECT count(*) FROM support.tickets
        WHERE (status = 'open' AND satisfaction IS NOT NULL)
           OR satisfaction NOT BETWEEN 1 AND 5
    """) == 0
    assert scalar(con, """
        SELECT count(*) FROM crm.scores
        WHERE churn_score NOT BETWEEN 0 AND 1
           OR least(appetence_shoes, appetence_apparel, appetence_accessories,
                    appetence_beauty, appetence_home, appetence_sport) < 0
           OR greatest(appetence_shoes, appetence_apparel, appetence_accessories,
                       appetence_beauty, appetence_home, appetence_sport) > 1
           OR clv_eur < 0
    """) == 0
    assert scalar(con, r"""
        SELECT count(*) FROM crm.customers
        WHERE NOT regexp_full_match(phone, '\+(33[67]\d{8}|324\d{8}|417\d{8}|3526\d{8})')
    """) == 0
    assert scalar(con, r"""
        SELECT count(*) FROM crm.customers
        WHERE NOT regexp_full_match(email, '[a-z-]+\.[a-z-]+\.\d+@example\.com')
    """) == 0
    # consent needs a contact point
    assert scalar(con, """
        SELECT count(*) FROM crm.customers
        WHERE (email_opt_in AND email IS NULL) OR (sms_opt_in AND phone IS NULL)
    """) == 0


def test_email_events_follow_their_campaign(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, """
        SELECT count(*) FROM email.events e JOIN email.campaigns c USING (campaign_id)
        WHERE e.occurred_at < c.sent_at
    """) == 0
    assert scalar(con, """
        SELECT count(*) FROM (
            SELECT customer_id, campaign_id FROM email.events WHERE event_type = 'sent'
            GROUP BY ALL HAVING count(*) > 1)
    """) == 0
    # every engagement event has a send
    assert scalar(con, """
        SELECT count(*) FROM email.events e WHERE event_type <> 'sent' AND NOT EXISTS (
            SELECT 1 FROM email.events s WHERE s.event_type = 'sent'
              AND s.customer_id = e.customer_id AND s.campaign_id = e.campaign_id)
    """) == 0
    assert scalar(con, """
        SELECT count(*) FROM email.events e JOIN crm.customers c USING (customer_id)
        WHERE c.email IS NULL
    """) == 0


# --------------------------------------------------------------------------------- realism


def share(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    return float(scalar(con, sql))


def test_realistic_shares(con: duckdb.DuckDBPyConnection) -> None:
    tier = "SELECT avg(CAST(loyalty_tier = '{}' AS DOUBLE)) FROM crm.customers"
    assert 0.02 <= share(con, tier.format("vip")) <= 0.06
    assert 0.06 <= share(con, tier.format("gold")) <= 0.14
    assert 0.18 <= share(con, tier.format("silver")) <= 0.32
    optin = "SELECT avg(CAST({} AS DOUBLE)) FROM crm.customers"
    email, sms, push = (share(con, optin.format(c)) for c in ("email_opt_in", "sms_opt_in",
                                                                 "push_opt_in"))
    assert 0.5 <= email <= 0.7
    assert 0.2 <= sms <= 0.4
    assert 0.1 <= push <= 0.3
    assert share(con, "SELECT avg(CAST(country = 'FR' AS DOUBLE)) FROM crm.customers") >= 0.8
    never = share(con, f"""
        SELECT 1 - count(DISTINCT customer_id) / {CUSTOMERS} FROM {PURCHASES}
    """)
    assert 0.18 <= never <= 0.35
    lapsed = share(con, f"""
        SELECT count(*) / {CUSTOMERS} FROM (
            SELECT customer_id FROM {PURCHASES} GROUP BY 1
            HAVING max(ts) < TIMESTAMP '2025-07-01')
    """)
    assert 0.05 <= lapsed <= 0.3
    anonymous_sales = share(con, """
        SELECT avg(CAST(customer_id IS NULL AS DOUBLE)) FROM pos.transactions
    """)
    assert 0.25 <= anonymous_sales <= 0.35
    anonymous_visits = share(con, "SELECT avg(CAST(customer_id IS NULL AS DOUBLE)) FROM web.events")
    assert 0.33 <= anonymous_visits <= 0.47
    for status in ("cancelled", "returned"):
        rate = share(con, f"SELECT avg(CAST(status = '{status}' AS DOUBLE)) FROM ecom.orders")
        assert 0.03 <= rate <= 0.1
    tickets = share(con, f"SELECT count(*) / {CUSTOMERS} FROM support.tickets")
    assert 0.15 <= tickets <= 0.5
    stores = scalar(con, "SELECT count(*) FROM pos.stores")
    assert 50 <= stores <= 70
    assert scalar(con, "SELECT count(*) FROM product.products") >= 1500
    assert 25 <= scalar(con, "SELECT count(DISTINCT brand) FROM product.products") <= 40


def test_most_buy_rarely_and_loyal_tiers_buy_more(con: duckdb.DuckDBPyConnection) -> None:
    counts = f"SELECT customer_id, count(*) AS n FROM {PURCHASES} GROUP BY customer_id"
    median = scalar(con, f"SELECT median(n) FROM ({counts})")
    top = scalar(con, f"SELECT max(n) FROM ({counts})")
    assert median <= 3
    assert top >= 20
    per_tier = dict(con.execute(f"""
        SELECT c.loyalty_tier, count(p.customer_id) / count(DISTINCT c.customer_id)
        FROM crm.customers c LEFT JOIN {PURCHASES} p USING (customer_id) GROUP BY 1
    """).fetchall())
    assert per_tier["vip"] > per_tier["gold"] > per_tier["silver"] > per_tier["none"]


def test_seasonality(con: duckdb.DuckDBPyConnection) -> None:
    by_month = dict(con.execute(f"""
        SELECT month(ts), count(*) FROM {PURCHASES} WHERE ts >= TIMESTAMP '2023-07-01'
        GROUP BY 1
    """).fetchall())
    mean = sum(by_month.values()) / 12
    assert by_month[12] > 1.3 * mean
    assert by_month[11] > mean
    assert by_month[1] > by_month[2]
    assert by_month[12] > by_month[8]


def test_scores_follow_behaviour(con: duckdb.DuckDBPyConnection) -> None:
    churn = dict(con.execute(f"""
        SELECT last_ts >= TIMESTAMP '2026-01-01', avg(churn_score)
        FROM (SELECT customer_id, max(ts) AS last_ts FROM {PURCHASES} GROUP BY 1)
        JOIN crm.scores USING (customer_id) GROUP BY 1
    """).fetchall())
    assert churn[True] + 0.3 < churn[False]
    corr = scalar(con, f"""
        SELECT corr(s.clv_eur, p.spend) FROM crm.scores s
        JOIN (SELECT customer_id, sum(amount_eur) AS spend FROM {PURCHASES} GROUP BY 1) p
        USING (customer_id)
    """)
    assert corr > 0.5
    # the category a customer buys most has a higher appetence than the others on average
    assert scalar(con, """
        WITH lines AS (
            SELECT t.customer_id, p.category FROM pos.transaction_lines l
            JOIN pos.transactions t USING (transaction_id)
            JOIN product.products p USING (product_id)
            WHERE t.customer_id IS NOT NULL
        )
        SELECT avg(CASE category WHEN 'shoes' THEN appetence_shoes
                    WHEN 'apparel' THEN appetence_apparel
                    WHEN 'accessories' THEN appetence_accessories
                    WHEN 'beauty' THEN appetence_beauty
                    WHEN 'home' THEN appetence_home ELSE appetence_sport END)
        FROM (SELECT customer_id, mode(category) AS category FROM lines GROUP BY 1)
        JOIN crm.scores USING (customer_id)
    """) > 0.55
    assert scalar(con, """
        SELECT count(*) FROM crm.scores s
        JOIN crm.customers c USING (customer_id)
        WHERE s.rfm_segment = 'champions' AND c.loyalty_tier = 'none'
    """) < scalar(con, """
        SELECT count(*) FROM crm.scores s
        JOIN crm.customers c USING (customer_id)
        WHERE s.rfm_segment = 'champions' AND c.loyalty_tier IN ('gold', 'vip')
    """)


# Documented phrases (semantics.md) must each match someone, with as_of = 2026-06-30.
PHRASES: dict[str, str] = {
    "bought in the last 7 days": f"""
        SELECT count(DISTINCT customer_id) FROM {PURCHASES}
        WHERE ts >= TIMESTAMP '2026-06-24'""",
    "bought in store today": """
        SELECT count(*) FROM pos.transactions
        WHERE customer_id IS NOT NULL AND transaction_at >= TIMESTAMP '2026-06-30'""",
    "bought online yesterday": """
        SELECT count(*) FROM ecom.orders WHERE status = 'completed'
        AND ordered_at >= TIMESTAMP '2026-06-29' AND ordered_at < TIMESTAMP '2026-06-30'""",
    "abandoned cart in the last 7 days": """
        SELECT count(DISTINCT customer_id) FROM web.events w
        WHERE event_type = 'add_to_cart' AND occurred_at >= TIMESTAMP '2026-06-24'
        AND customer_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ecom.orders o WHERE o.customer_id = w.customer_id
            AND o.status = 'completed' AND o.ordered_at >= TIMESTAMP '2026-06-24')""",
    "unhappy in the last 30 days": """
        SELECT count(*) FROM support.tickets
        WHERE satisfaction <= 2 AND opened_at >= TIMESTAMP '2026-05-31'""",
    "contacted customer service in the last 7 days": """
        SELECT count(*) FROM support.tickets WHERE opened_at >= TIMESTAMP '2026-06-24'""",
    "first purchase in the last 30 days": f"""
        SELECT count(*) FROM (SELECT customer_id, min(ts) AS f FROM {PURCHASES} GROUP BY 1)
        WHERE f >= TIMESTAMP '2026-05-31'""",
    "new customers (signed up in the last 30 days)": """
        SELECT count(*) FROM crm.customers WHERE signup_date >= DATE '2026-05-31'""",
    "signed up more than 5 years ago": """
        SELECT count(*) FROM crm.customers WHERE signup_date < DATE '2021-07-01'""",
    "born in the 1980s": """
        SELECT count(*) FROM crm.customers
        WHERE birth_date >= DATE '1980-01-01' AND birth_date < DATE '1990-01-01'""",
    "under 25": """
        SELECT count(*) FROM crm.customers WHERE birth_date > DATE '2001-06-30'""",
    "over 65": """
        SELECT count(*) FROM crm.customers WHERE birth_date < DATE '1960-06-30'""",
    "lapsed": f"""
        SELECT count(*) FROM (SELECT customer_id, max(ts) AS l FROM {PURCHASES} GROUP BY 1)
        WHERE l < TIMESTAMP '2025-07-01'""",
    "last purchase more than 2 years ago": f"""
        SELECT count(*) FROM (SELECT customer_id, max(ts) AS l FROM {PURCHASES} GROUP BY 1)
        WHERE l < TIMESTAMP '2024-07-01'""",
    "bought during Black Friday 2025": f"""
        SELECT count(*) FROM {PURCHASES}
        WHERE ts >= TIMESTAMP '2025-11-28' AND ts < TIMESTAMP '2025-11-29'""",
    "bought in an outlet last month": """
        SELECT count(*) FROM pos.transactions t JOIN pos.stores s USING (store_id)
        WHERE s.store_format = 'outlet' AND t.customer_id IS NOT NULL
        AND t.transaction_at >= TIMESTAMP '2026-05-01'
        AND t.transaction_at < TIMESTAMP '2026-06-01'""",
    "bought in a store in Luxembourg": """
        SELECT count(*) FROM pos.transactions t JOIN pos.stores s USING (store_id)
        WHERE s.region = 'Luxembourg' AND t.customer_id IS NOT NULL""",
    "used a promo code in the app": """
        SELECT count(*) FROM ecom.orders
        WHERE promo_code IS NOT NULL AND device = 'app' AND status = 'completed'""",
    "high churn risk VIP": """
        SELECT count(*) FROM crm.scores JOIN crm.customers USING (customer_id)
        WHERE churn_score > 0.8 AND loyalty_tier IN ('gold', 'vip')""",
    "moderate churn risk": """
        SELECT count(*) FROM crm.scores WHERE churn_score BETWEEN 0.5 AND 0.8""",
    "clicked an email in the last 30 days": """
        SELECT count(*) FROM email.events
        WHERE event_type = 'click' AND occurred_at >= TIMESTAMP '2026-05-31'""",
    "opened an email in the last 7 days": """
        SELECT count(*) FROM email.events
        WHERE event_type = 'open' AND occurred_at >= TIMESTAMP '2026-06-24'""",
    "unsubscribed from email in the last 3 months": """
        SELECT count(*) FROM email.events
        WHERE event_type = 'unsubscribe' AND occurred_at >= TIMESTAMP '2026-04-01'""",
    "searched on the site this week": """
        SELECT count(*) FROM web.events WHERE event_type = 'search'
        AND customer_id IS NOT NULL AND occurred_at >= TIMESTAMP '2026-06-29'""",
    "SMS audience of Parisian women": """
        SELECT count(*) FROM crm.customers WHERE city = 'Paris' AND gender = 'F'
        AND sms_opt_in AND phone IS NOT NULL""",
} | {
    f"high propensity for {category}": f"""
        SELECT count(*) FROM crm.scores WHERE appetence_{category} >= 0.7"""
    for category in ("shoes", "apparel", "accessories", "beauty", "home", "sport")
} | {
    f"bought {category} in the last month": f"""
        SELECT count(*) FROM pos.transaction_lines l
        JOIN pos.transactions t USING (transaction_id)
        JOIN product.products p USING (product_id)
        WHERE p.category = '{category}' AND t.customer_id IS NOT NULL
        AND t.transaction_at >= TIMESTAMP '2026-05-31'"""
    for category in ("shoes", "apparel", "accessories", "beauty", "home", "sport")
}


@pytest.mark.parametrize("phrase", sorted(PHRASES))
def test_documented_phrases_match_someone(con: duckdb.DuckDBPyConnection, phrase: str) -> None:
    assert scalar(con, PHRASES[phrase]) > 0, phrase


# ------------------------------------------------------------------------ file handling


def test_refuses_to_overwrite_without_permission(demo: DemoSummary) -> None:
    before = demo.path.stat().st_mtime_ns
    with pytest.raises(FileExistsError, match="overwrite"):
        generate_demo(demo.path, customers=CUSTOMERS)
    assert demo.path.stat().st_mtime_ns == before


def test_overwrite_replaces_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "demo.duckdb"
    target.write_text("not a database")
    steps: list[tuple[str, int, int]] = []
    summary = generate_demo(
        target,
        customers=300,
        seed=3,
        overwrite=True,
        progress=lambda name, index, total: steps.append((name, index, total)),
    )
    assert summary.row_counts["crm.customers"] == 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]
    assert [index for _, index, _ in steps] == list(range(len(steps)))
    assert {total for _, _, total in steps} == {len(steps)}
    with duckdb.connect(str(target), read_only=True) as c:
        assert c.execute("SELECT customers, seed FROM meta.dataset").fetchall() == [(300, 3)]


def test_interrupted_run_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "demo.duckdb"

    def interrupt(name: str, index: int, total: int) -> None:
        if index == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_demo(target, customers=300, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 100"):
        generate_demo(tmp_path / "small.duckdb", customers=99)
    with pytest.raises(ValueError, match="32-bit"):
        generate_demo(tmp_path / "seed.duckdb", customers=100, seed=2**40)
    assert list(tmp_path.iterdir()) == []


def test_other_reference_date(tmp_path: Path) -> None:
    ref = dt.date(2025, 3, 15)
    generate_demo(tmp_path / "ref.duckdb", customers=500, reference_date=ref)
    with duckdb.connect(str(tmp_path / "ref.duckdb"), read_only=True) as c:
        for table, column in TIMESTAMPS.items():
            latest = c.execute(f"SELECT max({column}) FROM {table}").fetchone()
            assert latest is not None
            assert latest[0] < dt.datetime(2025, 3, 16), table
        assert c.execute("SELECT reference_date FROM meta.dataset").fetchall() == [(ref,)]
        for table, column in (("crm.customers", "signup_date"), ("crm.customers", "birth_date"),
                              ("pos.stores", "opened_on")):
            latest = c.execute(f"SELECT max({column}) FROM {table}").fetchone()
            assert latest is not None
            assert latest[0] <= ref, (table, column)
