"""The same sales at ticket grain and at line grain give the same audiences (issue 11 §2).

Hypothesis draws tickets of 1 to 4 lines (some without a known customer, some whose date
key is NULL, dangling or after the reference date, some lines whose item has no category
or no row at all) and rules from a fixed menu of shapes. Each rule must select the same
customers from the ticket-grain tables (``shop.tickets`` + ``shop.ticket_lines``), from the
line-grain ``shop.sales`` (category through the items) and from the same lines with the
category copied on each row. A few rules are also checked against SQL written by hand on
the line-grain table: counts are counts of distinct tickets, averages are per ticket.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_star_schema_fixture import (
    CATEGORIES,
    CUSTOMERS,
    DANGLING_DATE,
    DANGLING_ITEM,
    DAYS,
    LAYOUTS,
    ORPHAN,
    Layout,
    Line,
    Ticket,
    audience,
    compiled_sql,
    database,
    load_sales,
    rows,
    star_catalog,
)

from nl2seg.rule.nodes import (
    All,
    AnyOf,
    CalendarWindow,
    Condition,
    DatesWindow,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Window,
)

CATALOGS = {layout: star_catalog(layout) for layout in LAYOUTS}
#: One connection for the generated examples (opening one costs 0.1 s); each reloads sales.
CON = database([])
SETTINGS = settings(max_examples=int(os.environ.get("NL2SEG_HYPOTHESIS_EXAMPLES", "30")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
AMOUNTS = [Decimal("5.00"), Decimal("10.50"), Decimal("20.00"), Decimal("35.25")]


# -- data -------------------------------------------------------------------------------------
def _line() -> st.SearchStrategy[Line]:
    items = [*CATEGORIES, DANGLING_ITEM]
    return st.builds(Line, item=st.sampled_from(items), amount=st.sampled_from(AMOUNTS))


@st.composite
def tickets(draw: st.DrawFn) -> list[Ticket]:
    """Up to 14 tickets; customers 1–4 often, so counts above 1 happen."""
    who = st.one_of(st.sampled_from([1, 2, 3, 4]), st.sampled_from([None, *CUSTOMERS, ORPHAN]))
    when = st.sampled_from([None, *DAYS, DANGLING_DATE])
    n = draw(st.integers(0, 14))
    return [Ticket(id=1000 + i, customer=draw(who), date_sk=draw(when),
                   store=draw(st.sampled_from([1, 2])),
                   lines=tuple(draw(st.lists(_line(), min_size=1, max_size=4))))
            for i in range(n)]


# -- rules ------------------------------------------------------------------------------------
WINDOWS: list[Window | None] = [
    None, LastWindow(n=6, unit="month"), LastWindow(n=1, unit="year"),
    CalendarWindow(unit="year"), CalendarWindow(unit="year", offset=-1),
    MoreThanAgoWindow(n=1, unit="year"),
    DatesWindow(since=DAYS[3], before=DAYS[7]),
]


def _pf(prop: str, op: str, value: object = None, values: list[object] | None = None,
        ) -> PropertyFilter:
    return PropertyFilter.model_validate(
        {"property": prop, "op": op, "value": value, "values": values})


FILTERS: list[list[PropertyFilter]] = [
    [], [_pf("category", "eq", "food")], [_pf("category", "in", values=["food", "toys"])],
    [_pf("category", "ne", "food")], [_pf("category", "not_in", values=["food", "books"])],
    [_pf("category", "is_null")], [_pf("category", "is_not_null")],
    [_pf("category", "contains", "oo")], [_pf("amount", "gte", 30)], [_pf("amount", "lt", 20)],
    [_pf("category", "eq", "toys"), _pf("amount", "gte", 20)],
    [_pf("category", "ne", "toys"), _pf("amount", "between", values=[10, 40])],
]
#: aggregate, property, op, value, values
MEASURES: list[tuple[str, str | None, str | None, float | None, list[float] | None]] = [
    ("exists", None, None, None, None), ("none", None, None, None, None),
    ("count", None, "gte", 2, None), ("count", None, "eq", 1, None),
    ("count", None, "eq", 2, None), ("count", None, "lt", 2, None),
    ("count", None, "lte", 1, None), ("count", None, "gt", 2, None),
    ("count", None, "ne", 1, None), ("count", None, "between", None, [1, 2]),
    ("count", None, "top_percent", 50, None),
    ("sum", "amount", "gte", 40, None), ("sum", "amount", "lt", 30, None),
    ("sum", "amount", "top_percent", 30, None),
    ("avg", "amount", "gte", 25, None), ("avg", "amount", "lt", 15.5, None),
    ("avg", "amount", "top_percent", 40, None),
    ("min", "amount", "lte", 10.5, None), ("max", "amount", "gte", 40, None),
    ("first", None, None, None, None), ("last", None, None, None, None),
]


@st.composite
def purchases(draw: st.DrawFn) -> EventCondition:
    agg, prop, op, value, values = draw(st.sampled_from(MEASURES))
    window = draw(st.sampled_from(WINDOWS))
    if agg in ("first", "last") and window is None:
        window = LastWindow(n=6, unit="month")
    return EventCondition.model_validate({
        "event": "purchase", "filters": draw(st.sampled_from(FILTERS)), "window": window,
        "aggregate": agg, "property": prop, "op": op, "value": value, "values": values})


def conditions() -> st.SearchStrategy[Condition]:
    leaf: st.SearchStrategy[Condition] = purchases()
    return st.recursive(leaf, lambda inner: st.one_of(
        st.builds(Not, condition=inner),
        st.builds(AnyOf, conditions=st.lists(inner, min_size=2, max_size=3)),
        st.builds(All, conditions=st.lists(inner, min_size=2, max_size=3))), max_leaves=4)


@SETTINGS
@given(data=tickets(), rules=st.lists(conditions(), min_size=1, max_size=5))
def test_ticket_grain_and_line_grain_give_the_same_audience(
        data: list[Ticket], rules: list[Condition]) -> None:
    load_sales(CON, data)
    for where in rules:
        got = {layout: audience(CATALOGS[layout], CON, where) for layout in LAYOUTS}
        assert got["line"] == got["ticket"], (where, got)
        assert got["flat"] == got["ticket"], (where, got)


# -- against SQL written by hand on the line-grain table ------------------------------------
_SALES = ("shop.sales s JOIN shop.date_dim d ON d.date_sk = s.date_sk "
          "WHERE s.customer_id IN (SELECT customer_id FROM shop.customers)")
_LAST_YEAR = "d.d_date >= DATE '2023-07-01' AND d.d_date < DATE '2024-07-01'"
_LAST_6_MONTHS = "d.d_date >= DATE '2024-01-01' AND d.d_date < DATE '2024-07-01'"
_UP_TO_AS_OF = "d.d_date < DATE '2024-07-01'"

HAND_WRITTEN: list[tuple[str, Condition, str]] = [
    ("two purchases or more in the last 12 months: distinct tickets",
     EventCondition(event="purchase", window=LastWindow(n=12, unit="month"),
                    aggregate="count", op="gte", value=2),
     f"SELECT s.customer_id FROM {_SALES} AND {_LAST_YEAR} GROUP BY s.customer_id "
     "HAVING COUNT(DISTINCT s.ticket_number) >= 2"),
    ("exactly one purchase ever", EventCondition(event="purchase", aggregate="count", op="eq",
                                                 value=1),
     f"SELECT s.customer_id FROM {_SALES} AND {_UP_TO_AS_OF} GROUP BY s.customer_id "
     "HAVING COUNT(DISTINCT s.ticket_number) = 1"),
    ("average basket per ticket of 25 or more",
     EventCondition(event="purchase", aggregate="avg", property="amount", op="gte", value=25),
     f"SELECT customer_id FROM (SELECT s.customer_id, s.ticket_number, SUM(s.amount) AS total "
     f"FROM {_SALES} AND {_UP_TO_AS_OF} GROUP BY ALL) GROUP BY customer_id "
     "HAVING AVG(total) >= 25"),
    ("smallest ticket of 10.50 or less",
     EventCondition(event="purchase", aggregate="min", property="amount", op="lte",
                    value=10.5),
     f"SELECT customer_id FROM (SELECT s.customer_id, s.ticket_number, SUM(s.amount) AS total "
     f"FROM {_SALES} AND {_UP_TO_AS_OF} GROUP BY ALL) GROUP BY customer_id "
     "HAVING MIN(total) <= 10.5"),
    ("spent 40 or more this year", EventCondition(
        event="purchase", window=CalendarWindow(unit="year"), aggregate="sum",
        property="amount", op="gte", value=40),
     f"SELECT s.customer_id FROM {_SALES} AND {_LAST_6_MONTHS} GROUP BY s.customer_id "
     "HAVING SUM(s.amount) >= 40"),
    ("no food in the last 6 months (never bought included)", EventCondition(
        event="purchase", window=LastWindow(n=6, unit="month"), aggregate="none",
        filters=[_pf("category", "eq", "food")]),
     "SELECT customer_id FROM shop.customers EXCEPT SELECT s.customer_id FROM shop.sales s "
     "JOIN shop.date_dim d ON d.date_sk = s.date_sk JOIN shop.items i ON i.item_sk = s.item_sk "
     f"WHERE i.category = 'food' AND {_LAST_6_MONTHS}"),
    ("a ticket without food", EventCondition(
        event="purchase", filters=[_pf("category", "ne", "food")]),
     "SELECT customer_id FROM (SELECT s.customer_id, s.ticket_number FROM shop.sales s "
     "JOIN shop.date_dim d ON d.date_sk = s.date_sk LEFT JOIN shop.items i "
     f"ON i.item_sk = s.item_sk WHERE {_UP_TO_AS_OF} GROUP BY ALL "
     "HAVING COUNT(*) FILTER (WHERE i.category = 'food') = 0) "
     "WHERE customer_id IN (SELECT customer_id FROM shop.customers)"),
    ("two food tickets or more (a ticket with two food lines counts once)", EventCondition(
        event="purchase", filters=[_pf("category", "eq", "food")], aggregate="count",
        op="gte", value=2),
     "SELECT s.customer_id FROM shop.sales s JOIN shop.date_dim d ON d.date_sk = s.date_sk "
     f"JOIN shop.items i ON i.item_sk = s.item_sk WHERE i.category = 'food' AND {_UP_TO_AS_OF}"
     " AND s.customer_id IN (SELECT customer_id FROM shop.customers) GROUP BY s.customer_id "
     "HAVING COUNT(DISTINCT s.ticket_number) >= 2"),
    ("first purchase in the last 6 months", EventCondition(
        event="purchase", window=LastWindow(n=6, unit="month"), aggregate="first"),
     f"SELECT s.customer_id FROM {_SALES} AND {_UP_TO_AS_OF} GROUP BY s.customer_id "
     "HAVING MIN(d.d_date) >= DATE '2024-01-01'"),
    ("top 30 % by purchases in the last year (known customers only, ties in)", EventCondition(
        event="purchase", window=LastWindow(n=1, unit="year"), aggregate="count",
        op="top_percent", value=30),
     f"WITH n AS (SELECT s.customer_id, COUNT(DISTINCT s.ticket_number) AS v FROM {_SALES} "
     f"AND {_LAST_YEAR} GROUP BY s.customer_id) SELECT customer_id FROM n "
     "WHERE v >= (SELECT quantile_cont(v, 0.7) FROM n)"),
]


@SETTINGS
@given(data=tickets())
def test_line_grain_counts_and_averages_match_hand_written_sql(data: list[Ticket]) -> None:
    load_sales(CON, data)
    for title, where, sql in HAND_WRITTEN:
        expected = rows(CON, sql)
        for layout in LAYOUTS:
            assert audience(CATALOGS[layout], CON, where) == expected, (title, layout)


# -- the TPC-DS symptom, by hand ------------------------------------------------------------
def _t(tid: int, customer: int, date_sk: int, *amounts: str) -> Ticket:
    return Ticket(tid, customer, date_sk, 1, tuple(Line(1, Decimal(a)) for a in amounts))


SMALL = [
    _t(1, 1, 9, "10", "20", "30"),     # customer 1: one ticket of three lines (60)
    _t(2, 2, 9, "10"), _t(3, 2, 8, "50"),  # customer 2: two tickets of one line (10, 50)
    _t(4, 3, 9, "5", "5"), _t(5, 3, 9, "5"),  # customer 3: same day, two tickets (10, 5)
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "value", "expected"), [
    ("gte", 2, {2, 3}), ("eq", 1, {1}), ("eq", 3, set()), ("gte", 3, set()),
    ("lt", 2, {1, 4, 5, 6, 7, 8}),
])
def test_a_count_of_purchases_counts_tickets_not_lines(layout: Layout, op: str, value: int,
                                                       expected: set[int]) -> None:
    """The old compiler counted rows: customer 1's three lines made three purchases."""
    load_sales(CON, SMALL)
    where = EventCondition.model_validate({"event": "purchase", "aggregate": "count",
                                           "op": op, "value": value})
    assert audience(CATALOGS[layout], CON, where) == expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("agg", "op", "value", "expected"), [
    ("avg", "gte", 40, {1}),          # 60 / 1, not (10 + 20 + 30) / 3 = 20
    ("avg", "eq", 30, {2}),           # (10 + 50) / 2
    ("avg", "eq", 7.5, {3}),          # (10 + 5) / 2, not 15 / 3 lines
    ("max", "gte", 60, {1}),          # the ticket, not its largest line
    ("min", "lte", 5, {3}),
    ("sum", "eq", 60, {1, 2}),
])
def test_amounts_are_summed_per_ticket_before_any_average(
        layout: Layout, agg: str, op: str, value: float, expected: set[int]) -> None:
    load_sales(CON, SMALL)
    where = EventCondition.model_validate({"event": "purchase", "aggregate": agg,
                                           "property": "amount", "op": op, "value": value})
    assert audience(CATALOGS[layout], CON, where) == expected


def test_the_compiled_line_grain_query_groups_by_ticket() -> None:
    """Readable SQL: the occurrences are (customer, ticket) groups of ``shop.sales``."""
    where = EventCondition(event="purchase", aggregate="count", op="gte", value=2)
    sql = compiled_sql(CATALOGS["line"], where)
    assert "GROUP BY s.customer_id, s.ticket_number" in sql
    assert "COUNT(DISTINCT" not in sql  # one row per ticket already
