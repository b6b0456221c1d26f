"""The catalog: loading, checking it against a database, opening databases, drafting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest_schema import DEMO_TABLES, create_demo_schema
from hypothesis import given
from hypothesis import strategies as st

from nl2seg.catalog import Catalog, load_catalog, parse_catalog
from nl2seg.catalog.check import (
    assert_catalog_matches,
    check_catalog,
    normalize_type,
)
from nl2seg.catalog.draft import draft_catalog, draft_yaml
from nl2seg.catalog.load import DEMO_CATALOG
from nl2seg.db import open_db, table_columns
from nl2seg.errors import CatalogError, CatalogMismatch, DatabaseError

DEMO_ROWS = """
INSERT INTO meta.dataset VALUES ('2026-06-30', 42, 3);
INSERT INTO crm.customers VALUES
  (1, 'alice@example.com', '+33600000001', 'Alice', 'Martin', 'F', '1990-05-01', 'Paris',
   '75001', 'Île-de-France', 'FR', '2024-01-10', 'web', 'gold', 120, true, false, true, 1),
  (2, NULL, NULL, 'Bruno', 'Durand', 'M', NULL, 'Lyon', '69001', 'Auvergne-Rhône-Alpes', 'FR',
   '2025-03-02', 'store', 'none', 0, false, false, false, NULL),
  (3, 'chloe@example.com', NULL, 'Chloé', 'Petit', 'U', '1985-11-23', 'Bruxelles', '1000',
   'Bruxelles-Capitale', 'BE', '2023-07-15', 'app', 'vip', 900, true, true, false, 2);
INSERT INTO crm.scores VALUES
  (1, 0.91, 1500.00, 'at_risk', 0.8, 0.2, 0.1, 0.3, 0.0, 0.5, '2026-06-30'),
  (2, 0.30, 80.50, 'new', 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, '2026-06-30'),
  (3, 0.05, 4200.00, 'champions', 0.9, 0.7, 0.4, 0.6, 0.2, 0.3, '2026-06-30');
INSERT INTO pos.stores VALUES
  (1, 'Paris Rivoli', 'Paris', 'Île-de-France', 'flagship', '2010-01-01'),
  (2, 'Lyon Part-Dieu', 'Lyon', 'Auvergne-Rhône-Alpes', 'mall', '2015-06-01');
INSERT INTO pos.transactions VALUES
  (100, 1, 1, '2026-06-01 10:00', 59.90, 2),
  (101, NULL, 2, '2026-06-02 11:00', 20.00, 1),
  (102, 3, 1, '2026-06-03 12:00', 35.00, 1);
INSERT INTO pos.transaction_lines VALUES
  (100, 10, 1, 39.90), (100, 11, 1, 20.00), (101, 12, 1, 20.00), (102, 10, 1, 35.00);
INSERT INTO ecom.orders VALUES
  (200, 1, '2026-05-01 09:00', 80.00, 'mobile', 'completed', NULL),
  (201, 3, '2026-05-05 20:00', 45.00, 'app', 'returned', 'SUMMER10'),
  (202, 1, '2026-05-09 18:30', 30.00, 'desktop', 'cancelled', NULL);
INSERT INTO ecom.order_lines VALUES
  (200, 11, 2, 40.00), (200, 12, 2, 40.00), (201, 12, 1, 45.00), (202, 10, 1, 30.00);
INSERT INTO product.products VALUES
  (10, 'Runner', 'shoes', 'Foulée', 39.90),
  (11, 'Tee', 'apparel', 'Lin & Laine', 20.00),
  (12, 'Cream', 'beauty', 'Dermalys', 20.00);
INSERT INTO web.events VALUES
  (300, 1, 's1', 'page_view', '2026-06-10 08:00', NULL, 'desktop'),
  (301, NULL, 's2', 'product_view', '2026-06-10 09:00', 10, 'mobile'),
  (302, 3, 's3', 'add_to_cart', '2026-06-11 21:00', 12, 'app');
INSERT INTO email.campaigns VALUES
  (1, 'June promo', 'promo', '2026-06-01 07:00'),
  (2, 'Newsletter 24', 'newsletter', '2026-06-15 07:00');
INSERT INTO email.events VALUES
  (1, 1, 'sent', '2026-06-01 07:00'), (1, 1, 'open', '2026-06-01 08:00'),
  (3, 2, 'sent', '2026-06-15 07:00'), (3, 2, 'click', '2026-06-15 09:00');
INSERT INTO support.tickets VALUES
  (400, 2, '2026-04-01 10:00', 'delivery', 'closed', 4),
  (401, 3, '2026-06-20 15:00', 'return', 'open', NULL);
"""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEMO_CATALOG)


@pytest.fixture
def demo_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """The demo schema with a handful of rows, all within the catalog's value lists."""
    con = duckdb.connect(":memory:")
    create_demo_schema(con)
    con.execute(DEMO_ROWS)
    yield con
    con.close()


@pytest.fixture
def shop_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A database with other names than the demo: clients, sales, items."""
    con = duckdb.connect(":memory:")
    con.execute("""
        CREATE SCHEMA shop;
        CREATE TABLE shop.clients (client_id INTEGER, email VARCHAR, first_name VARCHAR,
                                   segment VARCHAR, newsletter BOOLEAN);
        CREATE TABLE shop.sales (sale_id BIGINT, client_id INTEGER, sold_at TIMESTAMP,
                                 total DECIMAL(10,2));
        CREATE TABLE shop.items (item_id INTEGER, kind VARCHAR);
        CREATE TABLE shop.sale_items (sale_id BIGINT, item_id INTEGER, quantity INTEGER);
        INSERT INTO shop.clients VALUES (1, 'a@x.org', 'Ann', 'retail', true),
                                        (2, NULL, 'Bob', 'pro', false),
                                        (3, 'c@x.org', 'Cy', 'retail', NULL);
        INSERT INTO shop.sales VALUES (10, 1, '2026-01-02 10:00', 12.50),
                                      (11, 1, '2026-02-03 11:00', 99.00),
                                      (12, 3, '2026-03-04 12:00', 5.00);
        INSERT INTO shop.items VALUES (100, 'book'), (101, 'game'), (102, 'book');
        INSERT INTO shop.sale_items VALUES (10, 100, 1), (10, 101, 2), (11, 102, 1),
                                           (12, 100, 3);
    """)
    yield con
    con.close()


# -- the demo catalog ------------------------------------------------------------------------

def test_demo_catalog_loads(catalog: Catalog) -> None:
    assert catalog.catalog == "demo_retail"
    assert (catalog.entity.table, catalog.entity.key) == ("crm.customers", "customer_id")
    assert set(catalog.tables) == set(DEMO_TABLES)
    assert {"purchase", "order", "web_visit", "email_activity", "support_ticket"} <= set(
        catalog.events)
    assert set(catalog.channels) == {"email", "sms", "push"}


def test_demo_schema_helper_matches_the_catalog_types(catalog: Catalog) -> None:
    con = duckdb.connect(":memory:")
    create_demo_schema(con)
    db = table_columns(con)
    for name, table in catalog.tables.items():
        assert list(db[name]) == list(table.columns), name
        for col, spec in table.columns.items():
            assert normalize_type(db[name][col]) == normalize_type(spec.type), (name, col)


# -- check_catalog ---------------------------------------------------------------------------

def test_check_passes_on_the_demo_schema(catalog: Catalog,
                                         demo_con: duckdb.DuckDBPyConnection) -> None:
    report = check_catalog(catalog, demo_con)
    assert report.ok, report.problems
    assert report.problems == []
    assert_catalog_matches(catalog, demo_con)
    # the rows do not use every declared value: that is a note, not a problem
    assert ("crm.customers: column 'loyalty_tier': declared value(s) not found in the data: "
            "'silver'") in report.notes


def test_check_reports_a_renamed_column(catalog: Catalog,
                                        demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("ALTER TABLE crm.customers RENAME COLUMN loyalty_tier TO loyality_tier")
    assert check_catalog(catalog, demo_con).problems == [
        "crm.customers: column 'loyalty_tier' is in the catalog but not in the database"
        " — did you mean 'loyality_tier'?"
    ]


def test_check_reports_a_type_difference(catalog: Catalog,
                                         demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("ALTER TABLE crm.customers ALTER COLUMN loyalty_points TYPE BIGINT")
    demo_con.execute("ALTER TABLE pos.transactions ALTER COLUMN amount_eur TYPE DECIMAL(12,2)")
    assert check_catalog(catalog, demo_con).problems == [
        "crm.customers: column 'loyalty_points' is INTEGER in the catalog but BIGINT in the "
        "database",
        "pos.transactions: column 'amount_eur' is DECIMAL(10,2) in the catalog but "
        "DECIMAL(12,2) in the database",
    ]


def test_check_reports_a_missing_table(catalog: Catalog,
                                       demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("ALTER TABLE support.tickets RENAME TO ticket")
    assert check_catalog(catalog, demo_con).problems == [
        "support.tickets: table is in the catalog but not in the database"
        " — did you mean 'support.ticket'?"
    ]
    demo_con.execute("DROP TABLE support.ticket")
    assert check_catalog(catalog, demo_con).problems == [
        "support.tickets: table is in the catalog but not in the database"
    ]


def test_check_reports_an_undeclared_value(catalog: Catalog,
                                           demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("UPDATE crm.customers SET loyalty_tier = 'platinum' WHERE customer_id > 1")
    expected = [
        "crm.customers: column 'loyalty_tier' has values the catalog does not declare: "
        "'platinum' (2 rows) — add them to its values list or fix the data"
    ]
    assert check_catalog(catalog, demo_con).problems == expected
    with pytest.raises(CatalogMismatch) as info:
        assert_catalog_matches(catalog, demo_con)
    assert info.value.problems == expected
    assert info.value.code == "catalog_mismatch"
    assert "'platinum' (2 rows)" in str(info.value)


def test_check_lists_at_most_ten_undeclared_values(catalog: Catalog,
                                                   demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("INSERT INTO product.products SELECT 20 + i, 'x', 'cat' || lpad(i::VARCHAR,"
                     " 2, '0'), 'Lueur', 1.00 FROM range(12) t(i)")
    [problem] = check_catalog(catalog, demo_con).problems
    assert problem.startswith("product.products: column 'category' has values the catalog "
                              "does not declare: 'cat00' (1 row), 'cat01' (1 row)")
    assert "'cat09' (1 row) and 2 more — add them" in problem
    assert "'cat10'" not in problem


def test_check_notes_tables_outside_the_catalog(catalog: Catalog,
                                                demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("CREATE TABLE crm.audit (x INTEGER)")
    report = check_catalog(catalog, demo_con)
    assert report.ok
    assert ("crm.audit: table is in the database but not in the catalog (nl2seg will not use "
            "it)") in report.notes


def test_check_accepts_type_aliases_and_spacing() -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE main.people (id INTEGER, name VARCHAR, ok BOOLEAN, "
                "amount DECIMAL(10,2), n BIGINT, kind VARCHAR)")
    con.execute("INSERT INTO main.people VALUES (1, 'a', true, 1.50, 7, 'x')")
    cat = parse_catalog("""
catalog: t
version: "1"
entity: {name: person, table: main.people, key: id, label: {en: person, fr: personne}}
sources: {main: {label: {en: m, fr: m}, refresh: {cadence: daily}}}
tables:
  main.people:
    source: main
    grain: customer
    customer_key: id
    columns:
      id: {type: int}
      name: {type: TEXT}
      ok: {type: bool, values: [{value: true}, {value: false}]}
      amount: {type: "decimal(10, 2)", values: [{value: 1.5}]}
      n: {type: int8}
      kind: {type: "VARCHAR(10)", values: [{value: x}]}
""")
    report = check_catalog(cat, con)
    assert report.problems == []
    assert report.notes == ["main.people: column 'ok': declared value(s) not found in the data: "
                            "False"]


@given(st.integers(1, 38), st.integers(0, 9), st.sampled_from(["", " ", "  "]),
       st.booleans())
def test_normalize_type_ignores_case_and_spaces(p: int, s: int, space: str, lower: bool) -> None:
    spelled = f"DECIMAL{space}({space}{p}{space},{space}{s}{space})"
    assert normalize_type(spelled.lower() if lower else spelled) == f"DECIMAL({p},{s})"


@pytest.mark.parametrize(("a", "b"), [("INT", "INTEGER"), ("TEXT", "VARCHAR"),
                                      ("BOOL", "BOOLEAN"), ("NUMERIC", "DECIMAL(18,3)"),
                                      ("timestamptz", "TIMESTAMP WITH TIME ZONE"),
                                      ("int[]", "INTEGER[]"), ("float8", "DOUBLE")])
def test_normalize_type_aliases(a: str, b: str) -> None:
    assert normalize_type(a) == normalize_type(b)


def test_normalize_type_keeps_real_differences() -> None:
    assert normalize_type("INTEGER") != normalize_type("BIGINT")
    assert normalize_type("DECIMAL(10,2)") != normalize_type("DECIMAL(12,2)")


# -- broken catalogs -------------------------------------------------------------------------

def _demo_text() -> str:
    return DEMO_CATALOG.read_text(encoding="utf-8")


def _broken(old: str, new: str) -> str:
    text = _demo_text()
    assert old in text
    return text.replace(old, new, 1)


def test_invalid_yaml_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(_broken("tables:\n", "tables:\n  - [unclosed\n"), origin="demo.yaml")
    assert info.value.code == "catalog_yaml"
    assert "demo.yaml is not valid YAML" in str(info.value)
    assert "line" in str(info.value)


def test_unknown_table_in_an_event_source_is_named() -> None:
    text = _broken("table: web.events\n", "table: web.event\n")
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    assert ("events.web_visit.sources[0]: unknown table 'web.event' — did you mean "
            "'web.events'") in str(info.value)


def test_join_on_typo_is_named() -> None:
    text = _broken("join_on: {transaction_id: transaction_id}",
                   "on: {transaction_id: transaction_id}")
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    message = str(info.value)
    assert info.value.code == "catalog_invalid"
    assert "events.purchase.sources.0.properties.category.via.0.join_on: Field required" in message


def test_dangling_reference_is_named() -> None:
    text = _broken("preferred_store_id: pos.stores.store_id",
                   "preferred_store_id: pos.store.store_id")
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    assert ("tables.crm.customers.references.preferred_store_id: unknown table 'pos.store' — "
            "did you mean 'pos.stores'?") in str(info.value)


def test_missing_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "nope.yaml")
    assert info.value.code == "catalog_not_found"


# -- open_db ---------------------------------------------------------------------------------

def test_open_db_missing_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    with pytest.raises(DatabaseError) as info:
        open_db(path)
    assert info.value.code == "db_missing"
    assert f"nl2seg demo init --db {path}" in str(info.value)
    assert not path.exists()


def test_open_db_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "random.duckdb"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(DatabaseError) as info:
        open_db(path)
    assert info.value.code == "db_corrupt"
    assert "not a usable DuckDB database" in str(info.value)


def test_open_db_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as info:
        open_db(tmp_path)
    assert info.value.code == "db_corrupt"


def test_open_db_reads_and_writes(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    con = open_db(path, read_only=False)
    con.execute("CREATE SCHEMA s; CREATE TABLE s.t (a INTEGER)")
    con.close()
    ro = open_db(path)
    assert table_columns(ro) == {"s.t": {"a": "INTEGER"}}
    with pytest.raises(duckdb.Error):
        ro.execute("INSERT INTO s.t VALUES (1)")
    ro.close()


def test_open_db_conflicting_config_in_process(tmp_path: Path) -> None:
    path = tmp_path / "db.duckdb"
    writer = open_db(path, read_only=False)
    try:
        with pytest.raises(DatabaseError) as info:
            open_db(path)
        assert info.value.code == "db_locked"
    finally:
        writer.close()


def test_open_db_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "db.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseError) as info:
            open_db(path)
        assert info.value.code == "db_locked"
        assert "locked by another process" in str(info.value)
    finally:
        holder.communicate(timeout=30)


def test_table_columns_lists_user_tables_only(demo_con: duckdb.DuckDBPyConnection) -> None:
    demo_con.execute("CREATE TEMP TABLE scratch (a INTEGER); CREATE VIEW crm.v AS SELECT 1 AS x")
    cols = table_columns(demo_con)
    assert set(cols) == {*DEMO_TABLES, "crm.v"}
    assert cols["pos.transactions"]["amount_eur"] == "DECIMAL(10,2)"
    assert list(cols["meta.dataset"]) == ["reference_date", "seed", "customers"]


# -- draft -----------------------------------------------------------------------------------

def _round_trip(con: duckdb.DuckDBPyConnection, entity_table: str | None = None,
                entity_key: str | None = None) -> Catalog:
    """Draft as YAML, load it back, and check it against the database it came from."""
    text = draft_yaml(con, name="draft", entity_table=entity_table, entity_key=entity_key)
    cat = parse_catalog(text, origin="draft.yaml")
    report = check_catalog(cat, con)
    assert report.problems == []
    return cat


def test_draft_of_the_demo_schema(demo_con: duckdb.DuckDBPyConnection) -> None:
    cat = _round_trip(demo_con)
    assert (cat.entity.table, cat.entity.key, cat.entity.name) == (
        "crm.customers", "customer_id", "customer")
    assert set(cat.sources) == {"meta", "crm", "pos", "ecom", "product", "web", "email",
                                "support"}
    grains = {name: t.grain for name, t in cat.tables.items()}
    assert grains["crm.customers"] == "customer"
    assert grains["crm.scores"] == "customer"
    assert grains["pos.transactions"] == "event"
    assert grains["email.events"] == "event"
    assert grains["email.campaigns"] == "lookup"
    assert grains["pos.stores"] == "lookup"
    assert grains["pos.transaction_lines"] == "detail"
    tx = cat.tables["pos.transactions"]
    assert tx.primary_key == ["transaction_id"]
    assert tx.customer_key == "customer_id"
    assert tx.references == {"store_id": "pos.stores.store_id"}
    assert cat.tables["ecom.order_lines"].references == {
        "order_id": "ecom.orders.order_id", "product_id": "product.products.product_id"}
    customers = cat.tables["crm.customers"].columns
    assert customers["loyalty_tier"].value_names() == ["gold", "none", "vip"]
    assert customers["email"].pii and customers["birth_date"].pii
    assert customers["email"].values is None
    assert not customers["email_opt_in"].pii
    assert customers["loyalty_points"].label is not None
    assert customers["loyalty_points"].label.fr == "loyalty points"
    # the draft proposes the purchase event from the tickets and orders, never a consent flag
    assert set(cat.events) == {"purchase"} and cat.channels == {}


def test_draft_of_a_database_with_other_names(shop_con: duckdb.DuckDBPyConnection) -> None:
    cat = _round_trip(shop_con)
    assert (cat.entity.table, cat.entity.key, cat.entity.name) == (
        "shop.clients", "client_id", "client")
    assert list(cat.sources) == ["shop"]
    assert cat.sources["shop"].refresh.cadence == "daily"
    assert cat.sources["shop"].refresh.lag_hours == 24
    assert {n: t.grain for n, t in cat.tables.items()} == {
        "shop.clients": "customer", "shop.sales": "event", "shop.items": "lookup",
        "shop.sale_items": "detail"}
    assert cat.tables["shop.sales"].customer_key == "client_id"
    assert cat.tables["shop.sales"].primary_key == ["sale_id"]
    assert cat.tables["shop.sale_items"].references == {
        "sale_id": "shop.sales.sale_id", "item_id": "shop.items.item_id"}
    assert cat.tables["shop.items"].columns["kind"].value_names() == ["book", "game"]
    assert cat.tables["shop.clients"].columns["segment"].value_names() == ["pro", "retail"]
    assert cat.tables["shop.clients"].columns["first_name"].pii


def test_draft_yaml_marks_placeholders(shop_con: duckdb.DuckDBPyConnection) -> None:
    text = draft_yaml(shop_con, name="shop")
    assert text.startswith("# Draft catalog generated by `nl2seg catalog draft`")
    assert "refresh: {cadence: daily, lag_hours: 24}  # placeholder" in text
    assert "#       - {name: main, table: shop.sales, time: sold_at, key: sale_id}" in text
    assert "#     consent: shop.clients.newsletter" in text
    assert "#     contact: shop.clients.email" in text
    assert yaml.safe_load(text) == draft_catalog(shop_con, name="shop")


def test_draft_respects_max_values(shop_con: duckdb.DuckDBPyConnection) -> None:
    cat = parse_catalog(draft_yaml(shop_con, name="shop", max_values=1))
    assert cat.tables["shop.items"].columns["kind"].values is None
    assert cat.tables["shop.clients"].columns["segment"].values is None


def test_draft_entity_override(shop_con: duckdb.DuckDBPyConnection) -> None:
    cat = _round_trip(shop_con, entity_table="shop.items", entity_key="item_id")
    assert (cat.entity.table, cat.entity.key) == ("shop.items", "item_id")
    assert cat.tables["shop.items"].grain == "customer"
    assert cat.tables["shop.sale_items"].customer_key == "item_id"
    with pytest.raises(CatalogError, match=re.escape("did you mean 'shop.clients'")):
        draft_catalog(shop_con, name="x", entity_table="shop.client")
    with pytest.raises(CatalogError, match="did you mean 'item_id'"):
        draft_catalog(shop_con, name="x", entity_table="shop.items", entity_key="itemid")


def test_draft_guesses_the_most_referenced_key_without_entity_words() -> None:
    con = duckdb.connect(":memory:")
    con.execute("""
        CREATE TABLE accounts (account_id INTEGER, plan VARCHAR);
        CREATE TABLE logins (login_id INTEGER, account_id INTEGER, "at" TIMESTAMP);
        INSERT INTO accounts VALUES (1, 'free'), (2, 'paid');
        INSERT INTO logins VALUES (1, 1, '2026-01-01'), (2, 1, '2026-01-02'), (3, 2, NULL);
    """)
    cat = _round_trip(con)
    assert (cat.entity.table, cat.entity.key) == ("main.accounts", "account_id")
    assert cat.tables["main.logins"].grain == "event"


def test_draft_of_an_empty_database_is_an_error() -> None:
    with pytest.raises(CatalogError, match="no tables"):
        draft_catalog(duckdb.connect(":memory:"), name="x")


def test_every_concept_of_the_demo_catalog_validates(catalog: Catalog) -> None:
    import datetime as dt

    from nl2seg.concepts import concept_condition
    from nl2seg.rule import LastWindow, Rule
    from nl2seg.validate import validate

    assert set(catalog.concepts) == {"abandoned_cart", "repeat_buyers", "one_time_buyers",
                                     "first_time_buyers", "omnichannel", "big_spenders",
                                     "win_back"}
    for name in catalog.concepts:
        for window in (None, LastWindow(n=30, unit="day")):
            node = concept_condition(catalog, name, window)
            validate(Rule(where=node), catalog, dt.date(2026, 6, 30))
