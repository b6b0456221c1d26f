"""``catalog check`` runs what previews will run (issue 11 §4): one smoke query per event
source, profile field, property path and computed column, the joins' many-to-one keys, the
type of each event time, and how fresh each source is.

The database is a small star schema written to a DuckDB file, TPC-DS style: a customer with
``*_sk`` keys, an address and demographics reached from it, a date dimension, a sales fact at
line grain and web sales at event grain.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from nl2seg.catalog import Catalog, parse_catalog
from nl2seg.catalog.check import check_catalog
from nl2seg.catalog.freshness import allowed_gap, freshness, gap
from nl2seg.catalog.models import Refresh
from nl2seg.cli import main
from nl2seg.compile.compiler import compile_rule
from nl2seg.db import open_db
from nl2seg.validate import parse_rule, validate

STAR = """
CREATE TABLE customer (c_customer_sk BIGINT, c_first_name VARCHAR, c_current_addr_sk BIGINT,
  c_current_cdemo_sk BIGINT, c_birth_year INTEGER, c_birth_month INTEGER, c_birth_day INTEGER);
CREATE TABLE customer_address (ca_address_sk BIGINT, ca_state VARCHAR);
CREATE TABLE customer_demographics (cd_demo_sk BIGINT, cd_gender VARCHAR);
CREATE TABLE date_dim (d_date_sk BIGINT, d_date DATE);
CREATE TABLE item (i_item_sk BIGINT, i_category VARCHAR);
CREATE TABLE store_sales (ss_sold_date_sk BIGINT, ss_item_sk BIGINT, ss_customer_sk BIGINT,
  ss_ticket_number BIGINT, ss_net_paid DECIMAL(7,2));
CREATE TABLE web_sales (ws_order_number BIGINT, ws_customer_sk BIGINT, ws_sold_date_sk BIGINT,
  ws_sold_at TIMESTAMP, ws_net_paid DECIMAL(7,2));
INSERT INTO customer VALUES (1, 'Ann', 10, 100, 1980, 5, 17), (2, 'Bob', 11, 101, 1975, 12, 1),
  (3, 'Cy', 12, NULL, NULL, NULL, NULL);
INSERT INTO customer_address VALUES (10, 'CA'), (11, 'NY'), (12, 'TX'), (13, 'WA');
INSERT INTO customer_demographics VALUES (100, 'F'), (101, 'M'), (102, 'F');
INSERT INTO date_dim VALUES (1, '2002-12-30'), (2, '2002-12-31'), (3, '2003-01-01'),
  (4, '2003-01-02'), (5, '2003-01-03');
INSERT INTO item VALUES (1000, 'Books'), (1001, 'Music');
INSERT INTO store_sales VALUES (3, 1000, 1, 1, 10.00), (3, 1001, 1, 1, 5.00),
  (4, 1000, 2, 2, 7.50), (4, 1001, NULL, 3, 3.00);
INSERT INTO web_sales VALUES (1, 1, 3, '2003-01-01 10:00', 20.00),
  (2, 3, 4, '2003-01-02 21:00', 12.00);
"""


def _labels(en: str) -> dict[str, str]:
    return {"en": en, "fr": en}


def _bigint(*names: str) -> dict[str, Any]:
    return {n: {"type": "BIGINT"} for n in names}


CATALOG: dict[str, Any] = {
    "catalog": "star",
    "version": "1",
    "entity": {"name": "customer", "table": "main.customer", "key": "c_customer_sk",
               "label": _labels("customer")},
    "reference_date": {"latest": "purchase", "source": "store"},
    "sources": {
        "crm": {"label": _labels("crm"), "refresh": {"cadence": "daily", "lag_hours": 24}},
        "pos": {"label": _labels("pos"), "refresh": {"cadence": "daily", "lag_hours": 24}},
        "web": {"label": _labels("web"), "refresh": {"cadence": "hourly", "lag_hours": 1}},
    },
    "tables": {
        "main.customer": {
            "source": "crm", "grain": "customer", "primary_key": ["c_customer_sk"],
            "customer_key": "c_customer_sk",
            "references": {"c_current_addr_sk": "main.customer_address.ca_address_sk",
                           "c_current_cdemo_sk": "main.customer_demographics.cd_demo_sk"},
            "columns": {
                **_bigint("c_customer_sk"),
                "c_first_name": {"type": "VARCHAR", "pii": True},
                **_bigint("c_current_addr_sk", "c_current_cdemo_sk"),
                "c_birth_year": {"type": "INTEGER"}, "c_birth_month": {"type": "INTEGER"},
                "c_birth_day": {"type": "INTEGER"},
                "birth_date": {"type": "DATE", "role": "birth_date",
                               "expr": "make_date(c_birth_year, c_birth_month, c_birth_day)"},
            },
        },
        "main.customer_address": {
            "source": "crm", "grain": "lookup", "profile": True, "primary_key": ["ca_address_sk"],
            "columns": {**_bigint("ca_address_sk"), "ca_state": {"type": "VARCHAR"}},
        },
        "main.customer_demographics": {
            "source": "crm", "grain": "lookup", "profile": True, "primary_key": ["cd_demo_sk"],
            "columns": {**_bigint("cd_demo_sk"),
                        "cd_gender": {"type": "VARCHAR",
                                      "values": [{"value": "F"}, {"value": "M"}]}},
        },
        "main.date_dim": {"source": "pos", "grain": "lookup", "primary_key": ["d_date_sk"],
                          "columns": {**_bigint("d_date_sk"), "d_date": {"type": "DATE"}}},
        "main.item": {"source": "pos", "grain": "lookup", "primary_key": ["i_item_sk"],
                      "columns": {**_bigint("i_item_sk"), "i_category": {"type": "VARCHAR"}}},
        "main.store_sales": {
            "source": "pos", "grain": "event", "customer_key": "ss_customer_sk",
            "references": {"ss_sold_date_sk": "main.date_dim.d_date_sk",
                           "ss_item_sk": "main.item.i_item_sk"},
            "columns": {**_bigint("ss_sold_date_sk", "ss_item_sk", "ss_customer_sk",
                                  "ss_ticket_number"),
                        "ss_net_paid": {"type": "DECIMAL(7,2)"}},
        },
        "main.web_sales": {
            "source": "web", "grain": "event", "customer_key": "ws_customer_sk",
            "references": {"ws_sold_date_sk": "main.date_dim.d_date_sk"},
            "columns": {**_bigint("ws_order_number", "ws_customer_sk", "ws_sold_date_sk"),
                        "ws_sold_at": {"type": "TIMESTAMP"},
                        "ws_net_paid": {"type": "DECIMAL(7,2)"}},
        },
    },
    "events": {"purchase": {
        "label": _labels("purchase"),
        "properties": {"amount": {"type": "DECIMAL(12,2)", "label": _labels("amount")},
                       "category": {"type": "VARCHAR", "label": _labels("category")}},
        "sources": [
            {"name": "store", "table": "main.store_sales", "key": "ss_ticket_number",
             "grain": "line",
             "time": {"column": "d_date",
                      "via": [{"table": "main.date_dim", "join_on": {"ss_sold_date_sk":
                                                                     "d_date_sk"}}]},
             "properties": {
                 "amount": {"column": "ss_net_paid", "aggregate": "sum"},
                 "category": {"column": "i_category",
                              "via": [{"table": "main.item",
                                       "join_on": {"ss_item_sk": "i_item_sk"}}]}}},
            {"name": "web", "table": "main.web_sales", "key": "ws_order_number",
             "time": "ws_sold_at", "properties": {"amount": {"column": "ws_net_paid"}}},
        ],
    }},
}

FRESH = [
    "events.purchase.sources[store]: latest 2003-01-02, 0 days before the reference date "
    "2003-01-02 (3 rows)",
    "events.purchase.sources[web]: latest 2003-01-02, 0 days before the reference date "
    "2003-01-02 (2 rows)",
]


def star(tmp_path: Path, *changes: str) -> Path:
    """The star schema as a DuckDB file, with ``changes`` (SQL) applied after the rows."""
    path = tmp_path / "star.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(STAR)
        for sql in changes:
            con.execute(sql)
    return path


def catalog(**edits: Any) -> Catalog:
    """The star catalog, through YAML as a user writes it, with ``edits`` applied
    (``"a.b.c": value`` sets a nested key; a list index is a number)."""
    data = copy.deepcopy(CATALOG)
    for dotted, value in edits.items():
        *path, last = dotted.split("/")
        node: Any = data
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return parse_catalog(yaml.safe_dump(data, allow_unicode=True), origin="star.yaml")


def check(path: Path, cat: Catalog | None = None) -> tuple[list[str], list[str]]:
    with open_db(path) as con:
        report = check_catalog(cat or catalog(), con)
    return report.problems, report.notes


# -- a clean star schema ---------------------------------------------------------------------

def test_a_clean_star_schema_passes_with_freshness_notes(tmp_path: Path) -> None:
    with open_db(star(tmp_path)) as con:
        report = check_catalog(catalog(), con)
    assert report.problems == []
    assert report.notes == FRESH
    assert report.checked == {"event sources": 2, "profile fields": 10, "property paths": 1,
                              "computed columns": 1, "many-to-one keys": 5}
    assert report.queries == 12


# -- many-to-one -----------------------------------------------------------------------------

def test_a_duplicate_key_of_a_profile_lookup_is_a_problem(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "INSERT INTO customer_address VALUES (10, 'OR')"))
    assert problems == [
        "tables.main.customer_address: main.customer_address.ca_address_sk is not unique "
        "(1 referenced value repeated, e.g. 10 on 2 rows), so customers joined through "
        "main.customer.c_current_addr_sk would be repeated: keep one row per ca_address_sk"]


def test_a_duplicate_key_no_customer_references_is_harmless(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "INSERT INTO customer_address VALUES (13, 'OR')"))
    assert problems == []


def test_a_customer_table_with_two_rows_for_a_customer_is_a_problem(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "INSERT INTO customer VALUES "
                                       "(2, 'Bob', 11, 101, 1975, 12, 1)"))
    assert problems == [
        "tables.main.customer.customer_key: main.customer.c_customer_sk is not unique "
        "(1 value repeated, e.g. 2 on 2 rows), so customers would be repeated: a 'customer' "
        "table holds one row per customer"]


def test_a_repeated_date_key_repeats_events(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "INSERT INTO date_dim VALUES (4, '2003-01-02')"))
    assert problems == [
        "events.purchase.sources[0].time.via[0]: main.date_dim.d_date_sk is not unique "
        "(1 value repeated, e.g. 4 on 2 rows), so events would be repeated (and amounts "
        "summed twice)"]


def test_a_ticket_shared_by_two_customers_is_a_note(tmp_path: Path) -> None:
    problems, notes = check(star(tmp_path, "INSERT INTO store_sales VALUES (4, 1001, 1, 2, 1)"))
    assert problems == []
    assert ("events.purchase.sources[store]: 1 ss_ticket_number value belongs to more than "
            "one customer (e.g. 2): each counts as one occurrence for each of its "
            "customers") in notes


# -- event times -----------------------------------------------------------------------------

def test_a_date_key_declared_as_the_time_is_caught_with_its_fix(tmp_path: Path) -> None:
    path = star(tmp_path)
    cat = catalog(**{"events/purchase/sources/1/time": "ws_sold_date_sk",
                     "tables/main.web_sales/columns/ws_sold_date_sk": {"type": "TIMESTAMP"}})
    # what a preview used to hit
    rule = parse_rule({"where": {"kind": "event", "event": "purchase",
                                 "window": {"kind": "last", "n": 30, "unit": "day"}}})
    sql = compile_rule(validate(rule, cat, dt.date(2003, 1, 2))).sql()
    with open_db(path) as con, pytest.raises(duckdb.BinderException,
                                             match="Cannot compare values of type BIGINT"):
        con.execute(sql)
    problems, _ = check(path, cat)
    assert problems == [
        "main.web_sales: column 'ws_sold_date_sk' is TIMESTAMP in the catalog but BIGINT in "
        "the database",
        "events.purchase.sources[1].time: main.web_sales.ws_sold_date_sk is BIGINT in the "
        "database, not a DATE or TIMESTAMP, so no window can compare with it; read the day "
        "through the dimension: time: {column: d_date, via: [{table: main.date_dim, "
        "join_on: {ws_sold_date_sk: d_date_sk}}]}"]


def test_a_time_column_through_a_dimension_is_type_checked(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "ALTER TABLE date_dim ALTER COLUMN d_date TYPE VARCHAR"))
    assert problems == [
        "main.date_dim: column 'd_date' is DATE in the catalog but VARCHAR in the database",
        "events.purchase.sources[0].time: main.date_dim.d_date is VARCHAR in the database, "
        "not a DATE or TIMESTAMP, so no window can compare with it; point time.column at a "
        "DATE or TIMESTAMP column of main.date_dim"]


def test_a_computed_time_column_is_refused(tmp_path: Path) -> None:
    cat = catalog(**{"events/purchase/sources/1/time": "sold_on",
                     "tables/main.web_sales/columns/sold_on": {
                         "type": "DATE", "expr": "CAST(ws_sold_at AS DATE)"}})
    problems, _ = check(star(tmp_path), cat)
    assert problems == [
        "events.purchase.sources[1].time: main.web_sales.sold_on is a computed column; an "
        "event's time must be a stored DATE or TIMESTAMP column (of the event table or of a "
        "dimension)"]


# -- smoke queries: a failure names the catalog place and the database's message -------------

def test_a_path_key_of_another_type_fails_at_check_as_at_preview(tmp_path: Path) -> None:
    path = star(tmp_path, "ALTER TABLE item ALTER COLUMN i_item_sk TYPE VARCHAR")
    cat = catalog(**{"tables/main.item/columns/i_item_sk": {"type": "VARCHAR"}})
    rule = parse_rule({"where": {"kind": "event", "event": "purchase", "filters": [
        {"property": "category", "op": "eq", "value": "Books"}]}})
    sql = compile_rule(validate(rule, cat, dt.date(2003, 1, 2))).sql()
    with open_db(path) as con, pytest.raises(duckdb.BinderException) as preview:
        con.execute(sql)
    problems, _ = check(path, cat)
    message = str(preview.value).split("\n")[0]
    assert message.startswith("Binder Error: Cannot compare values of type BIGINT and VARCHAR")
    assert problems == [f"events.purchase.sources[0].properties.category: {message}"]


def test_a_profile_join_that_previews_accept_passes(tmp_path: Path) -> None:
    """DuckDB joins a VARCHAR key with a BIGINT one on "=": previews work, so does check."""
    path = star(tmp_path, "ALTER TABLE customer_address ALTER COLUMN ca_address_sk TYPE VARCHAR")
    cat = catalog(**{"tables/main.customer_address/columns/ca_address_sk": {"type": "VARCHAR"}})
    assert check(path, cat) == ([], FRESH)


def test_a_property_of_another_type_family_is_a_problem(tmp_path: Path) -> None:
    cat = catalog(**{"events/purchase/properties/amount": {"type": "VARCHAR",
                                                           "label": _labels("amount")}})
    problems, _ = check(star(tmp_path), cat)
    assert problems == [
        "events.purchase.sources[0].properties.amount: main.store_sales.ss_net_paid is "
        "DECIMAL(7,2) in the database, but the property is VARCHAR",
        "events.purchase.sources[1].properties.amount: main.web_sales.ws_net_paid is "
        "DECIMAL(7,2) in the database, but the property is VARCHAR"]


def test_a_path_hop_on_two_columns_is_a_problem(tmp_path: Path) -> None:
    cat = catalog(**{"events/purchase/sources/0/properties/category/via/0/join_on": {
        "ss_item_sk": "i_item_sk", "ss_customer_sk": "i_item_sk"}})
    problems, _ = check(star(tmp_path), cat)
    assert problems == [
        "events.purchase.sources[0].properties.category.via[0]: a property path joins on one "
        "column per hop (main.item joins on 2)"]


def test_a_path_no_row_goes_through_is_a_note(tmp_path: Path) -> None:
    problems, notes = check(star(tmp_path, "UPDATE item SET i_item_sk = i_item_sk + 5"))
    assert problems == []
    assert ("events.purchase.sources[store].properties.category: no row of main.store_sales "
            "reaches a value in main.item through its path (do the join columns hold the same "
            "keys?)") in notes


def test_what_is_missing_is_reported_once(tmp_path: Path) -> None:
    """The smoke queries skip what the comparison found missing: one line per cause."""
    renamed = star(tmp_path,
                   "ALTER TABLE customer_address RENAME COLUMN ca_state TO ca_states")
    assert check(renamed) == (
        ["main.customer_address: column 'ca_state' is in the catalog but not in the database"
         " — did you mean 'ca_states'?"], FRESH)
    with duckdb.connect(str(renamed)) as con:
        con.execute("DROP TABLE item; DROP TABLE date_dim")
    assert check(renamed) == (
        ["main.customer_address: column 'ca_state' is in the catalog but not in the database"
         " — did you mean 'ca_states'?",
         "main.date_dim: table is in the catalog but not in the database",
         "main.item: table is in the catalog but not in the database"],
        [])  # no date dimension, so no reference date (the latest store sale) to measure from


# -- computed columns ------------------------------------------------------------------------

def test_a_computed_column_of_another_type_is_a_problem(tmp_path: Path) -> None:
    cat = catalog(**{"tables/main.customer/columns/birth_date/type": "VARCHAR"})
    problems, _ = check(star(tmp_path), cat)
    assert problems == [
        "tables.main.customer.columns.birth_date.expr: 'make_date(c_birth_year, c_birth_month, "
        "c_birth_day)' gives DATE, but the column is declared VARCHAR"]


def test_a_computed_column_is_run_on_every_row(tmp_path: Path) -> None:
    problems, _ = check(star(tmp_path, "UPDATE customer SET c_birth_month = 13 "
                                       "WHERE c_customer_sk = 2"))
    [problem] = problems
    assert problem.startswith("tables.main.customer.columns.birth_date.expr: Conversion "
                              "Error: Date out of range: 1975-13-1")


def test_a_computed_column_null_everywhere_is_a_note(tmp_path: Path) -> None:
    problems, notes = check(star(tmp_path, "UPDATE customer SET c_birth_year = NULL"))
    assert problems == []
    assert notes == ["tables.main.customer.columns.birth_date.expr: 'make_date(c_birth_year, "
                     "c_birth_month, c_birth_day)' is NULL on every row of main.customer",
                     *FRESH]


def test_a_computed_column_with_values_is_checked_through_its_expression(
        tmp_path: Path) -> None:
    cat = catalog(**{"tables/main.customer/columns/born_early": {
        "type": "BOOLEAN", "expr": "c_birth_year < 1978",
        "values": [{"value": True}]}})
    problems, _ = check(star(tmp_path), cat)
    assert problems == [
        "main.customer: column 'born_early' has values the catalog does not declare: False "
        "(1 row) — add them to its values list or fix the data"]


# -- freshness -------------------------------------------------------------------------------

def test_freshness_notes_say_stale_late_and_timeless(tmp_path: Path) -> None:
    problems, notes = check(star(
        tmp_path,
        "UPDATE web_sales SET ws_sold_at = '2002-12-01 10:00'",
        "INSERT INTO store_sales VALUES (NULL, 1000, 1, 7, 1), (99, 1000, 1, 8, 1)"))
    assert problems == []
    assert notes == [
        "events.purchase.sources[store]: latest 2003-01-02, 0 days before the reference date "
        "2003-01-02 (5 rows)",
        "events.purchase.sources[store]: 2 of 5 rows have no time (NULL, or no main.date_dim "
        "row) and are outside every window",
        "events.purchase.sources[web]: latest 2002-12-01, 32 days before the reference date "
        "2003-01-02 (2 rows) — stale: more than 2 × (hourly refresh + 1 h lag) = 4 h behind"]


def test_rows_after_the_reference_date_are_a_note(tmp_path: Path) -> None:
    _, notes = check(star(tmp_path, "INSERT INTO web_sales VALUES "
                                    "(3, 1, 5, '2003-01-05 09:00', 1)"))
    assert notes[1:] == [
        "events.purchase.sources[web]: latest 2003-01-05, 3 days after the reference date "
        "2003-01-02 (3 rows)",
        "events.purchase.sources[web]: 1 of 3 rows are after the reference date 2003-01-02, "
        "outside every window"]


def test_a_source_without_rows_is_a_note(tmp_path: Path) -> None:
    _, notes = check(star(tmp_path, "DELETE FROM web_sales"))
    assert notes == [FRESH[0], "events.purchase.sources[web]: no rows with a customer"]


def test_without_a_reference_date_the_check_says_today_is_used(tmp_path: Path) -> None:
    _, notes = check(star(tmp_path), catalog(reference_date=None))
    today = dt.date.today().isoformat()
    assert notes[0] == (
        f"reference_date: the catalog gives none, so windows end today ({today}); for data "
        "that ends in the past, state it (reference_date: {date: YYYY-MM-DD}) or read it from "
        "the data (reference_date: {latest: <event>})")
    assert notes[1].endswith("— stale: more than 2 × (daily refresh + 24 h lag) = 4 days "
                             "behind")


@pytest.mark.parametrize(("latest", "stale"), [
    (dt.datetime(2003, 1, 2, 20, 30), False),   # 3.5 h before the end of the reference day
    (dt.datetime(2003, 1, 2, 19, 30), True),    # 4.5 h
    (dt.date(2003, 1, 2), False),               # a DATE may be any time of its day
    (dt.date(2003, 1, 1), True),
])
def test_an_hourly_source_is_stale_after_twice_its_cadence_and_lag(
        latest: dt.date, stale: bool) -> None:
    note = freshness("e", latest, dt.date(2003, 1, 2), Refresh(cadence="hourly", lag_hours=1))
    assert ("stale" in note) is stale


def test_a_daily_source_may_be_four_days_behind() -> None:
    daily = Refresh(cadence="daily", lag_hours=24)
    assert allowed_gap(daily) == dt.timedelta(days=4)
    assert gap(dt.date(2003, 1, 1), dt.date(2003, 1, 2)) == dt.timedelta(days=1)
    assert "stale" not in freshness("e", dt.date(2002, 12, 29), dt.date(2003, 1, 2), daily)
    assert freshness("e", dt.date(2002, 12, 28), dt.date(2003, 1, 2), daily) == (
        "e: latest 2002-12-28, 5 days before the reference date 2003-01-02 — stale: more "
        "than 2 × (daily refresh + 24 h lag) = 4 days behind")
    assert freshness("e", dt.date(2003, 1, 3), dt.date(2003, 1, 2), daily, rows=1) == (
        "e: latest 2003-01-03, 1 day after the reference date 2003-01-02 (1 rows)")


# -- the command line and the demo -----------------------------------------------------------

def test_the_cli_prints_notes_problems_and_a_summary_with_timing(tmp_path: Path) -> None:
    path = star(tmp_path)
    yaml_path = tmp_path / "star.yaml"
    yaml_path.write_text(yaml.safe_dump(CATALOG, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(main, ["catalog", "check", "--db", str(path), "--catalog",
                                    str(yaml_path)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[:2] == [f"note: {n}" for n in FRESH]
    summary = lines[2]
    assert summary.startswith(
        f"catalog 'star' (version 1) matches {path}: 7 tables; smoke queries on 2 event "
        "sources, 10 profile fields, 1 property path, 1 computed column, 5 many-to-one keys "
        "(12 queries); 2 note(s); ")
    assert summary.endswith(" s.")

    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO customer_address VALUES (10, 'OR')")
    res = CliRunner().invoke(main, ["catalog", "check", "--db", str(path), "--catalog",
                                    str(yaml_path)])
    assert res.exit_code == 1
    problem, summary = res.stderr.splitlines()
    assert problem.startswith("problem: tables.main.customer_address: main.customer_address."
                              "ca_address_sk is not unique")
    assert summary.startswith(f"catalog 'star' (version 1) does NOT match {path}: 1 "
                              "problem(s); 7 tables; smoke queries on ")


def test_the_demo_database_stays_clean_and_fast(catalog: Catalog, demo_db: Path) -> None:
    started = time.perf_counter()
    with open_db(demo_db) as con:
        report = check_catalog(catalog, con)
    assert time.perf_counter() - started < 30  # about 1 s alone; CI machines are shared
    assert report.problems == []
    assert not [n for n in report.notes if "stale" in n or "outside every window" in n]
    assert report.checked == {"event sources": 6, "profile fields": 30, "property paths": 11,
                              "computed columns": 0, "many-to-one keys": 2}
    assert ("events.purchase.sources[store]: latest 2026-06-30, 0 days before the reference "
            "date 2026-06-30") in "\n".join(report.notes)


def test_a_reference_date_with_no_value_in_the_data_says_today_is_used(tmp_path: Path) -> None:
    _, notes = check(star(tmp_path, "UPDATE store_sales SET ss_customer_sk = NULL"))
    today = dt.date.today().isoformat()
    assert notes[0] == (
        f"reference_date: the latest purchase (store) has no value in the data, so windows end "
        f"today ({today}); for data that ends in the past, state it (reference_date: {{date: "
        "YYYY-MM-DD}) or read it from the data (reference_date: {latest: <event>})")
    assert notes[1] == "events.purchase.sources[store]: no rows with a customer"


def test_the_catalog_doc_shows_what_the_check_prints(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/catalog.md, "What `catalog check` proves": its example is this run's output."""
    doc = (Path(__file__).parents[1] / "docs" / "catalog.md").read_text(encoding="utf-8")
    section = doc.split("## What `catalog check` proves", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    star(tmp_path, "INSERT INTO customer_address VALUES (10, 'OR')",
         "INSERT INTO store_sales VALUES (4, 1001, 1, 2, 1)")
    data = copy.deepcopy(CATALOG)
    data["events"]["purchase"]["sources"][1]["time"] = "ws_sold_date_sk"
    data["tables"]["main.web_sales"]["columns"]["ws_sold_date_sk"] = {"type": "TIMESTAMP"}
    (tmp_path / "star.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, example[0].removeprefix("$ nl2seg ").split())
    assert res.exit_code == 1
    *lines, summary = res.output.splitlines()
    assert lines == example[1:-1]
    timing = " ".join(summary.rsplit(" ", 2)[:-2])  # the seconds differ from run to run
    assert example[-1].startswith(timing + " ")
    stale = " ".join(section.split("an `hourly` one with a 1-hour lag 4 hours:\n`", 1)[1]
                     .split("`", 1)[0].split())
    assert freshness("events.purchase.sources[web]", dt.datetime(2002, 12, 1, 10),
                     dt.date(2003, 1, 2), Refresh(cadence="hourly", lag_hours=1),
                     rows=2) == stale


def test_a_failing_computed_column_with_values_is_one_problem(tmp_path: Path) -> None:
    cat = catalog(**{"tables/main.customer/columns/birth_date/values": [
        {"value": "1980-05-17"}]})
    problems, _ = check(star(tmp_path, "UPDATE customer SET c_birth_month = 13 "
                                       "WHERE c_customer_sk = 2"), cat)
    [problem] = problems
    assert problem.startswith("tables.main.customer.columns.birth_date.expr: Conversion "
                              "Error: Date out of range")
