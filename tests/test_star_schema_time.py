"""Event time through a date dimension (issue 11 §1): ``time: {column, via}``.

Customer ``c`` has one ticket on the day of date key ``c + 1`` (1: 2023-06-30, 2:
2023-07-01, 3: 2023-12-31, 4: 2024-01-01, 5: 2024-03-31, 6: 2024-04-01, 7: 2024-06-01, 8:
2024-06-30), and some have a second ticket that no window can hold: 1 after the reference
date, 2 with a date key the dimension lacks, 3 with no date key, 4 with a dimension row that
has no date. The reference date is 2024-06-30, so "the last 12 months" starts on 2023-07-01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from test_star_schema_fixture import (
    AS_OF,
    DANGLING_DATE,
    LAYOUTS,
    Layout,
    Line,
    Ticket,
    audience,
    catalog_data,
    compiled_sql,
    database,
    edited,
    load,
    star_catalog,
)

from nl2seg.errors import CatalogError
from nl2seg.reference import reference_of
from nl2seg.rule.nodes import (
    CalendarWindow,
    DatesWindow,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
)


def _ticket(tid: int, customer: int, date_sk: int | None) -> Ticket:
    return Ticket(tid, customer, date_sk, 1, (Line(1, Decimal("10")), Line(3, Decimal("5"))))


TICKETS = [_ticket(c, c, c + 1) for c in range(1, 9)] + [
    _ticket(11, 1, 10), _ticket(12, 2, DANGLING_DATE), _ticket(13, 3, None), _ticket(14, 4, 11)]
CASES: list[tuple[str, EventCondition, set[int]]] = [
    ("ever (up to the reference date)", EventCondition(event="purchase"), set(range(1, 9))),
    ("last 12 months, from 2023-07-01 included",
     EventCondition(event="purchase", window=LastWindow(n=12, unit="month")), set(range(2, 9))),
    ("last 6 months", EventCondition(event="purchase", window=LastWindow(n=6, unit="month")),
     {4, 5, 6, 7, 8}),
    ("this quarter", EventCondition(event="purchase", window=CalendarWindow(unit="quarter")),
     {6, 7, 8}),
    ("last quarter", EventCondition(event="purchase", window=CalendarWindow(
        unit="quarter", offset=-1)), {4, 5}),
    ("more than a year ago", EventCondition(
        event="purchase", window=MoreThanAgoWindow(n=1, unit="year")), {1}),
    ("fixed dates", EventCondition(event="purchase", window=DatesWindow(
        since=dt.date(2023, 12, 31), before=dt.date(2024, 4, 1))), {3, 4, 5}),
    ("none in the last 12 months", EventCondition(
        event="purchase", aggregate="none", window=LastWindow(n=12, unit="month")), {1}),
    ("two purchases: the undated tickets are not purchases in any window", EventCondition(
        event="purchase", aggregate="count", op="gte", value=2), set()),
    ("first purchase in the last 6 months", EventCondition(
        event="purchase", aggregate="first", window=LastWindow(n=6, unit="month")),
     {4, 5, 6, 7, 8}),
    ("last purchase more than a year ago: 1's ticket after the reference date does not count",
     EventCondition(event="purchase", aggregate="last",
                    window=MoreThanAgoWindow(n=1, unit="year")), {1}),
    ("last purchase this quarter", EventCondition(
        event="purchase", aggregate="last", window=CalendarWindow(unit="quarter")), {6, 7, 8}),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("time_type", ["DATE", "TIMESTAMP"])
@pytest.mark.parametrize(("title", "where", "expected"), CASES, ids=[c[0] for c in CASES])
def test_windows_on_a_time_in_the_date_dimension(layout: Layout, time_type: str, title: str,
                                                 where: EventCondition,
                                                 expected: set[int]) -> None:
    con = _SHARED[time_type]
    cat = CATALOGS[layout, time_type]
    assert audience(cat, con, where) == expected, title
    assert audience(cat, con, Not(condition=where)) == set(range(1, 9)) - expected


def _database(time_type: str) -> Any:
    con = database(TICKETS, time_type)
    if time_type == "TIMESTAMP":  # late in the day: still that day, never the next
        con.execute("UPDATE shop.date_dim SET d_date = d_date + INTERVAL '23:59:59' "
                    "WHERE date_sk IN (2, 9)")
    return con


CATALOGS = {(layout, t): star_catalog(layout, t) for layout in LAYOUTS
            for t in ("DATE", "TIMESTAMP")}
#: Read-only for the window tests (a connection costs 0.1 s).
_SHARED = {t: _database(t) for t in ("DATE", "TIMESTAMP")}


def test_the_bounds_are_literals_of_the_time_column_type() -> None:
    where = EventCondition(event="purchase", window=LastWindow(n=12, unit="month"))
    assert ("d_date >= CAST('2023-07-01' AS DATE)"
            in compiled_sql(star_catalog("line", "DATE"), where))
    assert ("d_date >= CAST('2023-07-01 00:00:00' AS TIMESTAMP)"
            in compiled_sql(star_catalog("line", "TIMESTAMP"), where))


def test_the_dimension_is_inner_joined_on_its_key() -> None:
    sql = compiled_sql(star_catalog("line"), EventCondition(event="purchase"))
    assert "JOIN shop.date_dim AS t0 ON s.date_sk = t0.date_sk" in sql


# -- a DATE dimension and a TIMESTAMP column in one event ----------------------------------
def _with_web_orders(layout: Layout) -> dict[str, Any]:
    data = catalog_data(layout)
    data["tables"]["shop.web_orders"] = {
        "source": "shop", "grain": "event", "customer_key": "customer_id",
        "columns": {"order_id": {"type": "BIGINT"}, "customer_id": {"type": "BIGINT"},
                    "ordered_at": {"type": "TIMESTAMP"}, "total": {"type": "DECIMAL(10,2)"}}}
    data["events"]["purchase"]["sources"].append({
        "name": "web", "table": "shop.web_orders", "time": "ordered_at", "key": "order_id",
        "properties": {"amount": {"column": "total"}}})
    return data


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_dimension_date_and_a_timestamp_column_in_one_event(layout: Layout) -> None:
    con = _database("DATE")
    con.execute("CREATE TABLE shop.web_orders (order_id BIGINT, customer_id BIGINT, "
                "ordered_at TIMESTAMP, total DECIMAL(10,2))")
    con.execute("INSERT INTO shop.web_orders VALUES (1, 1, '2024-06-30 18:00:00', 20), "
                "(2, 8, '2023-01-01 09:00:00', 20), (3, 2, '2024-07-01 00:00:00', 20)")
    cat = load(_with_web_orders(layout))
    last = EventCondition(event="purchase", aggregate="last",
                          window=LastWindow(n=6, unit="month"))
    first = EventCondition(event="purchase", aggregate="first",
                           window=MoreThanAgoWindow(n=1, unit="year"))
    assert audience(cat, con, last) == {1, 4, 5, 6, 7, 8}
    assert audience(cat, con, first) == {1, 8}
    assert "CAST('2024-01-01 00:00:00' AS TIMESTAMP)" in compiled_sql(cat, last)
    # Counted and summed across both sources: a ticket of two lines is one purchase (15).
    assert audience(cat, con, EventCondition(event="purchase", aggregate="count", op="gte",
                                             value=2)) == {1, 8}
    assert audience(cat, con, EventCondition(event="purchase", aggregate="avg",
                                             property="amount", op="eq", value=17.5)) == {1, 8}


# -- refused at load ------------------------------------------------------------------------
def test_a_date_key_as_the_time_is_refused_with_the_way_to_the_dimension() -> None:
    """Issue 11: the surrogate key passed the check, then the preview failed in DuckDB."""
    data = edited(catalog_data(), ["events", "purchase", "sources", 0, "time"], "date_sk")
    with pytest.raises(CatalogError) as info:
        load(data)
    assert ("events.purchase.sources[0].time: shop.sales.date_sk is BIGINT, not a DATE or "
            "TIMESTAMP; a date key reaches its day through the date dimension: time: "
            "{column: <date column>, via: [{table: <dimension>, join_on: {<key>: <dimension "
            "key>}}]}") in str(info.value)


def test_a_time_via_an_unknown_column_is_refused() -> None:
    data = edited(catalog_data(), ["events", "purchase", "sources", 0, "time"],
                  {"column": "d_date", "via": [{"table": "shop.date_dim",
                                                "join_on": {"sold_date_sk": "date_sk"}}]})
    with pytest.raises(CatalogError) as info:
        load(data)
    assert "events.purchase.sources[0].time.via" in str(info.value)
    assert "sold_date_sk" in str(info.value)


# -- the reference date read through the dimension -------------------------------------------
def test_the_reference_date_is_the_day_of_the_latest_purchase_through_the_dimension() -> None:
    con = _database("TIMESTAMP")
    data = edited(catalog_data("line", "TIMESTAMP"), ["reference_date"],
                  {"latest": "purchase"})
    asof = reference_of(load(data), con)
    assert (asof.day, asof.origin) == (dt.date(2024, 7, 1), "data")  # 1's late ticket
    con.execute("DELETE FROM shop.sales WHERE date_sk = 10")
    assert reference_of(load(data), con).day == AS_OF
