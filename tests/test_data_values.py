"""Values read from the data for open text fields (nl2seg/catalog/data_values.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from nl2seg.catalog.data_values import attach_data_values
from nl2seg.catalog.load import parse_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.rule.nodes import All, Attribute, EventCondition
from nl2seg.translate.local import translate_local

AS_OF = dt.date(2024, 6, 30)

CATALOG = """
catalog: shop
version: "1"
entity: {name: customer, table: shop.customers, key: id, label: {en: customer, fr: client}}
sources: {s: {label: {en: shop, fr: boutique}, refresh: {cadence: daily}}}
tables:
  shop.customers:
    source: s
    grain: customer
    customer_key: id
    label: {en: customers, fr: clients}
    columns:
      id: {type: BIGINT}
      city: {type: VARCHAR, label: {en: city, fr: ville}}
      email: {type: VARCHAR, pii: true, label: {en: email, fr: email}}
  shop.items:
    source: s
    grain: lookup
    primary_key: [item]
    columns:
      item: {type: BIGINT}
      brand: {type: VARCHAR}
  shop.sales:
    source: s
    grain: event
    customer_key: id
    columns:
      id: {type: BIGINT}
      ticket: {type: BIGINT}
      item: {type: BIGINT}
      day: {type: DATE}
events:
  purchase:
    label: {en: purchase, fr: achat}
    synonyms: {en: [bought], fr: [acheté]}
    properties:
      brand: {type: VARCHAR, label: {en: brand, fr: marque}}
    sources:
      - {name: shop, table: shop.sales, time: day, key: ticket, grain: line,
         properties: {brand: {via: [{table: shop.items, join_on: {item: item}}], column: brand}}}
"""


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(":memory:")
    c.execute("CREATE SCHEMA shop")
    c.execute("CREATE TABLE shop.customers (id BIGINT, city VARCHAR, email VARCHAR)")
    c.execute("INSERT INTO shop.customers VALUES (1, 'Springfield', 'a@x.io'), "
              "(2, 'Enterprise', 'b@x.io'), (3, NULL, NULL)")
    c.execute("CREATE TABLE shop.items (item BIGINT, brand VARCHAR)")
    c.execute("INSERT INTO shop.items VALUES (1, 'edu packscholar #1'), (2, 'Acme')")
    c.execute("CREATE TABLE shop.sales (id BIGINT, ticket BIGINT, item BIGINT, day DATE)")
    c.execute("INSERT INTO shop.sales VALUES (1, 10, 1, DATE '2024-06-01')")
    return c


@pytest.fixture()
def catalog() -> Catalog:
    return parse_catalog(CATALOG, origin="test")


def test_open_fields_get_their_values_and_pii_none(con: duckdb.DuckDBPyConnection,
                                                   catalog: Catalog) -> None:
    with_values = attach_data_values(catalog, con)
    assert with_values.data_values() == {
        "field:shop.customers.city": ("Enterprise", "Springfield"),
        "prop:purchase.brand": ("Acme", "edu packscholar #1"),
    }
    assert catalog.data_values() == {}  # the loaded catalog is left as it was
    assert with_values.fingerprint() == catalog.fingerprint()  # no approval is voided


def test_a_field_with_more_values_than_the_cap_is_free_text(con: duckdb.DuckDBPyConnection,
                                                            catalog: Catalog) -> None:
    assert "field:shop.customers.city" not in attach_data_values(catalog, con, cap=1)\
        .data_values()


def test_a_request_names_a_value_read_from_the_data(con: duckdb.DuckDBPyConnection,
                                                    catalog: Catalog) -> None:
    cat = attach_data_values(catalog, con)
    t = translate_local("customers in Springfield who bought edu packscholar #1", cat, AS_OF)
    assert t.rule is not None, t.refusal_reason
    where = t.rule.where
    assert isinstance(where, All)
    attrs = [c for c in where.conditions if isinstance(c, Attribute)]
    events = [c for c in where.conditions if isinstance(c, EventCondition)]
    assert [(a.field, a.op, a.value) for a in attrs] == [
        ("shop.customers.city", "eq", "Springfield")]
    assert [(f.property, f.op, f.value) for e in events for f in e.filters] == [
        ("brand", "eq", "edu packscholar #1")]


def test_a_one_word_value_needs_its_capital(con: duckdb.DuckDBPyConnection,
                                            catalog: Catalog) -> None:
    """The city "Enterprise" is not the word "enterprise"."""
    cat = attach_data_values(catalog, con)
    named = translate_local("customers living in Enterprise", cat, AS_OF)
    assert named.rule is not None and isinstance(named.rule.where, Attribute)
    assert named.rule.where.value == "Enterprise"
    assert translate_local("customers of the enterprise", cat, AS_OF).refused


def test_without_the_data_the_value_is_unknown(catalog: Catalog) -> None:
    assert translate_local("customers in Springfield", catalog, AS_OF).refused
