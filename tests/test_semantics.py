"""The conventions of shared/spec/semantics.md, proved end to end on a hand-made dataset.

Each test builds a rule with the AST, validates it against the demo catalog, compiles it, runs
it on the tiny DuckDB dataset of ``semantic_fixture`` (as_of 2026-06-30) and compares the
audience with an answer computed independently in plain Python over the fixture's rows (the
oracle below never uses the compiler, the window resolver or SQL). Where a convention is
clearest as explicit customers, the boundary ids are asserted by hand too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from semantic_fixture import AS_OF, Dataset, build

from nl2seg.catalog import DEMO_CATALOG, load_catalog
from nl2seg.compile import compile_rule
from nl2seg.rule import (
    Age,
    All,
    AnyOf,
    Attribute,
    CalendarWindow,
    Condition,
    DateIn,
    DatesWindow,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
    SegmentRef,
    Window,
)
from nl2seg.validate import validate

CATALOG = load_catalog(DEMO_CATALOG)
D = dt.date
NOW_END = dt.datetime(2026, 7, 1)  # as_of + 1 day at 00:00, written by hand


# === the oracle: plain Python over the fixture's rows =====================================


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def in_window(t: dt.datetime, start: dt.date | None, end: dt.date | None) -> bool:
    """``t`` in ``[start, end)``; nothing at or after the end of as_of ever counts."""
    hi = NOW_END if end is None else min(_at(end), NOW_END)
    return (start is None or t >= _at(start)) and t < hi


def date_in(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if day is None:
        return False
    hi = AS_OF + dt.timedelta(days=1) if end is None else min(end, AS_OF + dt.timedelta(days=1))
    return (start is None or day >= start) and day < hi


@dataclass(frozen=True)
class Buy:
    customer: int
    channel: str  # 'store' | 'online'
    at: dt.datetime
    amount: Decimal
    device: str | None
    categories: frozenset[str]
    brands: frozenset[str]
    store_city: str | None
    store_region: str | None
    store_format: str | None


def buys(ds: Dataset) -> list[Buy]:
    """Purchases: POS tickets with a customer + completed orders, up to the end of as_of."""
    products = {p.product_id: p for p in ds.products}
    stores = {s.store_id: s for s in ds.stores}
    t_lines: dict[int, list[int]] = defaultdict(list)
    for tl in ds.transaction_lines:
        t_lines[tl.transaction_id].append(tl.product_id)
    o_lines: dict[int, list[int]] = defaultdict(list)
    for ol in ds.order_lines:
        o_lines[ol.order_id].append(ol.product_id)
    out = []
    for t in ds.transactions:
        if t.customer_id is None or t.transaction_at >= NOW_END:
            continue
        s = stores[t.store_id]
        prods = [products[p] for p in t_lines[t.transaction_id]]
        out.append(Buy(t.customer_id, "store", t.transaction_at, t.amount_eur, None,
                       frozenset(p.category for p in prods), frozenset(p.brand for p in prods),
                       s.city, s.region, s.store_format))
    for o in ds.orders:
        if o.status != "completed" or o.ordered_at >= NOW_END:
            continue
        prods = [products[p] for p in o_lines[o.order_id]]
        out.append(Buy(o.customer_id, "online", o.ordered_at, o.amount_eur, o.device,
                       frozenset(p.category for p in prods), frozenset(p.brand for p in prods),
                       None, None, None))
    return out


@dataclass(frozen=True)
class WebHit:
    customer: int
    type: str
    at: dt.datetime
    category: str | None


def web_hits(ds: Dataset) -> list[WebHit]:
    products = {p.product_id: p for p in ds.products}
    return [WebHit(w.customer_id, w.event_type, w.occurred_at,
                   products[w.product_id].category if w.product_id is not None else None)
            for w in ds.web_events
            if w.customer_id is not None and w.occurred_at < NOW_END]


@dataclass(frozen=True)
class Mail:
    customer: int
    type: str
    at: dt.datetime
    theme: str


def mails(ds: Dataset) -> list[Mail]:
    themes = {c.campaign_id: c.theme for c in ds.campaigns}
    return [Mail(e.customer_id, e.event_type, e.occurred_at, themes[e.campaign_id])
            for e in ds.email_events if e.occurred_at < NOW_END]


def tickets(ds: Dataset) -> list[Any]:
    return [t for t in ds.tickets if t.customer_id is not None and t.opened_at < NOW_END]


def by_customer(events: Iterable[Any], attr: str = "customer") -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for e in events:
        out[getattr(e, attr)].append(e)
    return out


def full_years(birth: dt.date | None, as_of: dt.date) -> int | None:
    if birth is None:
        return None
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def percentile_linear(values: list[Decimal], q: Decimal) -> Decimal:
    """numpy's default (linear) percentile, exactly, in Decimal."""
    xs = sorted(values)
    h = (len(xs) - 1) * q
    lo = int(h)
    if lo + 1 >= len(xs):
        return xs[-1]
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


# === running a rule on the fixture ========================================================


class World:
    def __init__(self, con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
        self.con = con
        self.ds = ds
        self.customers = {c.customer_id: c for c in ds.customers}
        self.scores = {s.customer_id: s for s in ds.scores}
        self.buys = by_customer(buys(ds))
        self.web = by_customer(web_hits(ds))
        self.mails = by_customer(mails(ds))
        self.tickets = by_customer(tickets(ds), "customer_id")

    def audience(self, where: Condition, *, channel: str | None = None,
                 segments: dict[str, Rule] | None = None, as_of: dt.date = AS_OF) -> set[int]:
        rule = Rule(where=where, channel=channel)
        sql = compile_rule(validate(rule, CATALOG, as_of, segments)).sql()
        ids = [row[0] for row in self.con.execute(sql).fetchall()]
        assert len(ids) == len(set(ids)), "an audience is a set of distinct ids"
        assert set(ids) <= self.ds.customer_ids, "only crm.customers ids (no anonymous, no 999)"
        return set(ids)

    def who(self, pred: Callable[[int], bool]) -> set[int]:
        return {cid for cid in self.customers if pred(cid)}

    def bought(self, cid: int, start: dt.date | None = None, end: dt.date | None = None,
               keep: Callable[[Buy], bool] = lambda b: True) -> list[Buy]:
        return [b for b in self.buys.get(cid, []) if in_window(b.at, start, end) and keep(b)]


@pytest.fixture(scope="module")
def w() -> Iterable[World]:
    con = duckdb.connect()
    ds = build(con)
    yield World(con, ds)
    con.close()


def check(got: set[int], expected: set[int], inside: Iterable[int] = (),
          outside: Iterable[int] = ()) -> None:
    assert got == expected, f"extra: {sorted(got - expected)}, missing: {sorted(expected - got)}"
    for cid in inside:
        assert cid in got, f"customer {cid} should be in the audience"
    for cid in outside:
        assert cid not in got, f"customer {cid} should not be in the audience"


# --- rule shorthands ----------------------------------------------------------------------


def pf(prop: str, op: str, value: Any = None, values: list[Any] | None = None) -> PropertyFilter:
    return PropertyFilter(property=prop, op=op, value=value, values=values)  # type: ignore[arg-type]


def purchase(window: Window | None = None, *filters: PropertyFilter, **kw: Any) -> EventCondition:
    return EventCondition(event="purchase", filters=list(filters), window=window, **kw)


def attr(field: str, op: str, value: Any = None, values: list[Any] | None = None) -> Attribute:
    return Attribute(field=f"crm.customers.{field}", op=op, value=value,  # type: ignore[arg-type]
                     values=values)


def last(n: int, unit: str) -> LastWindow:
    return LastWindow(n=n, unit=unit)  # type: ignore[arg-type]


BIRTH = "crm.customers.birth_date"
SIGNUP = "crm.customers.signup_date"


# === 1. Time ==============================================================================

E = None  # "up to the end of as_of" (2026-07-01 00:00)

WINDOWS = [
    # id, window, start, end (hand-written from the spec), must be in, must be out
    ("last 6 months=[2026-01-01,2026-07-01)", last(6, "month"), D(2026, 1, 1), E,
     [2, 3, 38], [1, 4, 8]),
    ("last 7 days=[2026-06-24,2026-07-01)", last(7, "day"), D(2026, 6, 24), E,
     [3, 21, 22, 23, 26], [13, 25, 4]),
    ("last 30 days", last(30, "day"), D(2026, 6, 1), E, [7, 12], [28]),
    ("last 2 weeks", last(2, "week"), D(2026, 6, 17), E, [13], [12]),
    ("last 12 months", last(12, "month"), D(2025, 7, 1), E, [17], [18]),
    ("last year (N=1)", last(1, "year"), D(2025, 7, 1), E, [17], [18]),
    ("over the past month (N=1)", last(1, "month"), D(2026, 6, 1), E, [7], [28]),
    ("last 2 years", last(2, "year"), D(2024, 7, 1), E, [34], [16]),
    ("last quarter rolling", last(1, "quarter"), D(2026, 4, 1), E, [32], [31]),
    ("more than 6 months ago", MoreThanAgoWindow(n=6, unit="month"), None, D(2026, 1, 1),
     [1], [2, 4]),
    ("more than 1 year ago", MoreThanAgoWindow(n=1, unit="year"), None, D(2025, 7, 1),
     [18], [17]),
    ("more than 30 days ago", MoreThanAgoWindow(n=30, unit="day"), None, D(2026, 6, 1),
     [28], [12, 3]),
    ("calendar last month", CalendarWindow(unit="month", offset=-1), D(2026, 5, 1),
     D(2026, 6, 1), [28, 29], [30, 7]),
    ("this month", CalendarWindow(unit="month"), D(2026, 6, 1), E, [7, 3], [28]),
    ("calendar last year", CalendarWindow(unit="year", offset=-1), D(2025, 1, 1),
     D(2026, 1, 1), [1, 33], [2, 34]),
    ("this year", CalendarWindow(unit="year"), D(2026, 1, 1), E, [2], [1]),
    ("this ISO week (Monday first)", CalendarWindow(unit="week"), D(2026, 6, 29), E,
     [22, 23, 27], [26]),
    ("last ISO week", CalendarWindow(unit="week", offset=-1), D(2026, 6, 22), D(2026, 6, 29),
     [25, 26], [27, 13]),
    ("this quarter", CalendarWindow(unit="quarter"), D(2026, 4, 1), E, [32], [31]),
    ("last quarter", CalendarWindow(unit="quarter", offset=-1), D(2026, 1, 1), D(2026, 4, 1),
     [2, 31], [1, 32]),
    ("today", CalendarWindow(unit="day"), D(2026, 6, 30), E, [3, 22], [23]),
    ("yesterday", CalendarWindow(unit="day", offset=-1), D(2026, 6, 29), D(2026, 6, 30),
     [23, 27], [22, 3, 26]),
    ("in 2025", DatesWindow(since=D(2025, 1, 1), before=D(2026, 1, 1)), D(2025, 1, 1),
     D(2026, 1, 1), [1, 33], [34, 2]),
    ("in March 2026", DatesWindow(since=D(2026, 3, 1), before=D(2026, 4, 1)), D(2026, 3, 1),
     D(2026, 4, 1), [31, 35, 36], [32, 37]),
    ("in July = July 2025 (latest not after as_of)",
     DatesWindow(since=D(2025, 7, 1), before=D(2025, 8, 1)), D(2025, 7, 1), D(2025, 8, 1),
     [17], [18]),
    ("since 2026-06-01", DatesWindow(since=D(2026, 6, 1)), D(2026, 6, 1), E, [7], [28, 4]),
    ("before 2025-01-01", DatesWindow(before=D(2025, 1, 1)), None, D(2025, 1, 1),
     [16, 34], [33]),
    ("in 2026 (dates past as_of stop at as_of)",
     DatesWindow(since=D(2026, 1, 1), before=D(2027, 1, 1)), D(2026, 1, 1), E, [2, 3], [4]),
]


@pytest.mark.parametrize("window,start,end,inside,outside",
                         [p[1:] for p in WINDOWS], ids=[p[0] for p in WINDOWS])
def test_time_window_bounds_on_purchases(w: World, window: Window, start: dt.date | None,
                                         end: dt.date | None, inside: list[int],
                                         outside: list[int]) -> None:
    """§1: every window is half-open [start, end) on timestamps with the spec's exact bounds;
    nothing after as_of (2026-07-01 00:00) ever counts."""
    got = w.audience(purchase(window))
    check(got, w.who(lambda c: bool(w.bought(c, start, end))), inside, outside)


def test_window_bounds_on_web_events_last_7_days(w: World) -> None:
    """§1: last 7 days = [2026-06-24, 2026-07-01): an add_to_cart at 06-24 00:00 counts,
    one at 06-23 23:59:59 does not, one at 06-30 23:59 does."""
    got = w.audience(EventCondition(event="web_visit", window=last(7, "day"),
                                    filters=[pf("event_type", "eq", "add_to_cart")]))
    expected = w.who(lambda c: any(h.type == "add_to_cart" and in_window(h.at, D(2026, 6, 24), E)
                                   for h in w.web.get(c, [])))
    check(got, expected, inside=[21, 30, 13, 14], outside=[22])


def test_nothing_after_as_of_exists(w: World) -> None:
    """§1: events at 2026-07-01 00:00 or later (customer 4's purchases, 2's email open, 27's
    page view, 34's ticket) are outside every window, even an open one."""
    assert 4 not in w.audience(purchase())
    assert 4 not in w.audience(purchase(DatesWindow(since=D(2026, 6, 1))))
    assert 2 not in w.audience(EventCondition(event="email_activity",
                                              filters=[pf("event_type", "eq", "open")]))
    assert 27 not in w.audience(EventCondition(event="web_visit", window=last(1, "day")))
    assert 34 not in w.audience(EventCondition(event="support_ticket"))


SIGNUP_WINDOWS = [
    ("new customers: last 30 days=[06-01,07-01)", last(30, "day"), D(2026, 6, 1), None,
     [5, 7, 25], [6, 40]),
    ("signed up more than 1 year ago (<2025-07-01)", MoreThanAgoWindow(n=1, unit="year"), None,
     D(2025, 7, 1), [3], [4]),
    ("signed up less than 1 year ago", last(1, "year"), D(2025, 7, 1), None, [4, 7], [3, 40]),
    ("signed up in 2025", DatesWindow(since=D(2025, 1, 1), before=D(2026, 1, 1)), D(2025, 1, 1),
     D(2026, 1, 1), [15, 38], [17, 39]),
    ("signed up this year", CalendarWindow(unit="year"), D(2026, 1, 1), None, [39, 7], [38, 40]),
]


@pytest.mark.parametrize("window,start,end,inside,outside", [p[1:] for p in SIGNUP_WINDOWS],
                         ids=[p[0] for p in SIGNUP_WINDOWS])
def test_date_column_windows(w: World, window: Window, start: dt.date | None,
                             end: dt.date | None, inside: list[int], outside: list[int]) -> None:
    """§1/§3: DATE columns (signup_date) use the same bounds on the date; a signup on
    2026-07-01 (after as_of) is in no window."""
    got = w.audience(DateIn(field=SIGNUP, window=window))
    check(got, w.who(lambda c: date_in(w.customers[c].signup_date, start, end)), inside, outside)


def test_decade_on_birth_date(w: World) -> None:
    """§1: born in the 1980s = birth_date in [1980-01-01, 1990-01-01); NULL never matches."""
    got = w.audience(DateIn(field=BIRTH, window=DatesWindow(since=D(1980, 1, 1),
                                                             before=D(1990, 1, 1))))
    expected = w.who(lambda c: date_in(w.customers[c].birth_date, D(1980, 1, 1), D(1990, 1, 1)))
    check(got, expected, inside=[15, 16], outside=[17, 18, 13])


# === 2. Comparisons and counts ============================================================

COUNTS = [
    ("at least 2 / twice (>=2)", "gte", 2, None, [6, 7, 10], [5, 9, 8]),
    ("more than 2 (>2)", "gt", 2, None, [7], [6]),
    ("exactly 2 (=2)", "eq", 2, None, [6], [5, 7]),
    ("at most 2 (<=2) includes zero", "lte", 2, None, [5, 6, 8, 40], [7]),
    ("less than 2 (<2) includes zero", "lt", 2, None, [5, 9, 8], [6]),
    ("between 2 and 3 inclusive", "between", None, [2, 3], [6, 7], [5]),
    ("exactly once", "eq", 1, None, [5, 9, 39], [6, 8]),
    ("zero purchases", "eq", 0, None, [4, 8, 24, 40], [5]),
    ("at least 3", "gte", 3, None, [7], [6]),
]


@pytest.mark.parametrize("op,value,values,inside,outside", [p[1:] for p in COUNTS],
                         ids=[p[0] for p in COUNTS])
def test_purchase_count_comparisons(w: World, op: str, value: int | None,
                                    values: list[int] | None, inside: list[int],
                                    outside: list[int]) -> None:
    """§2: >= / > / = / <= / < / between (inclusive) on a count of purchases (tickets and
    completed orders, not lines): 9 has 1 purchase + a cancelled + a returned order."""
    got = w.audience(purchase(None, aggregate="count", op=op, value=value, values=values))
    cmp: dict[str, Callable[[int], bool]] = {
        "gte": lambda n: n >= value, "gt": lambda n: n > value,  # type: ignore[operator]
        "eq": lambda n: n == value, "lte": lambda n: n <= value,  # type: ignore[operator]
        "lt": lambda n: n < value,  # type: ignore[operator]
        "between": lambda n: values[0] <= n <= values[1],  # type: ignore[index]
    }
    check(got, w.who(lambda c: cmp[op](len(w.bought(c)))), inside, outside)


def test_count_in_window_twice_last_6_months(w: World) -> None:
    """§2: 'bought twice in the last 6 months' = at least 2 purchases in the window; 11 has one
    inside and one before, 19 one inside (Feb) and one in 2025."""
    got = w.audience(purchase(last(6, "month"), aggregate="count", op="gte", value=2))
    expected = w.who(lambda c: len(w.bought(c, D(2026, 1, 1))) >= 2)
    check(got, expected, inside=[6, 7, 10, 23, 38], outside=[11, 19])


def test_count_ticket_with_two_lines_counts_once(w: World) -> None:
    """§2: N times counts purchases, not lines: 10's ticket has 2 lines and counts as one."""
    got = w.audience(purchase(None, pf("channel", "eq", "store"), aggregate="count", op="eq",
                              value=1))
    expected = w.who(lambda c: len(w.bought(c, keep=lambda b: b.channel == "store")) == 1)
    check(got, expected, inside=[10])


# === 3. Purchases =========================================================================


def test_purchase_is_known_ticket_or_completed_order(w: World) -> None:
    """§3: a purchase is a POS ticket with a customer or a completed order; cancelled/returned
    orders never count (8, 24), anonymous tickets and unknown customers never appear."""
    got = w.audience(purchase())
    check(got, w.who(lambda c: bool(w.bought(c))), inside=[5, 9, 39, 3], outside=[8, 24, 4, 40])


CHANNELS = [
    ("in store", pf("channel", "eq", "store"), lambda b: b.channel == "store", [5, 11, 21],
     [3, 9, 13]),
    ("online (completed orders)", pf("channel", "eq", "online"), lambda b: b.channel == "online",
     [3, 9, 13, 39], [5, 8, 24]),
    ("on mobile", pf("device", "eq", "mobile"), lambda b: b.device == "mobile", [6, 13, 39],
     [8, 3]),
    ("in the app", pf("device", "eq", "app"), lambda b: b.device == "app", [7, 14], [4, 15]),
    ("on a tablet", pf("device", "eq", "tablet"), lambda b: b.device == "tablet", [15], [14]),
]


@pytest.mark.parametrize("flt,keep,inside,outside", [c[1:] for c in CHANNELS],
                         ids=[c[0] for c in CHANNELS])
def test_purchase_channels(w: World, flt: PropertyFilter, keep: Callable[[Buy], bool],
                           inside: list[int], outside: list[int]) -> None:
    """§3: in store = POS only; online = completed orders only; mobile/app = online purchases
    on that device (8's returned mobile order and 4's app order after as_of do not count)."""
    got = w.audience(purchase(None, flt))
    check(got, w.who(lambda c: bool(w.bought(c, keep=keep))), inside, outside)


SPEND = [
    ("spent at least 100 (exactly 100 matches)", "sum", "gte", 100, None, [19, 20], []),
    ("spent more than 100 (exactly 100 does not)", "sum", "gt", 100, None, [20], [19]),
    ("spent between 100 and 150 inclusive", "sum", "between", None, [100, 150], [19, 20], []),
    ("average basket exactly 50", "avg", "eq", 50, None, [19], [20]),
    ("average basket over 60", "avg", "gt", 60, None, [20], [19]),
    ("biggest basket at least 100", "max", "gte", 100, None, [20, 38], [19]),
]


@pytest.mark.parametrize("agg,op,value,values,inside,outside", [s[1:] for s in SPEND],
                         ids=[s[0] for s in SPEND])
def test_spend_and_average_basket_last_12_months(w: World, agg: str, op: str, value: Any,
                                                 values: list[Any] | None, inside: list[int],
                                                 outside: list[int]) -> None:
    """§3: spent = sum of amount_eur of purchases in the window; average basket = average
    amount per purchase (19: 50 + 50 = 100, average 50; 20: one ticket of 150)."""
    got = w.audience(purchase(last(12, "month"), aggregate=agg, property="amount", op=op,
                              value=value, values=values))

    def ok(c: int) -> bool:
        amounts = [b.amount for b in w.bought(c, D(2025, 7, 1))]
        if not amounts:
            return False
        x = {"sum": sum(amounts), "avg": sum(amounts) / len(amounts), "max": max(amounts)}[agg]
        return {"gte": lambda: x >= value, "gt": lambda: x > value, "eq": lambda: x == value,
                "between": lambda: values[0] <= x <= values[1]}[op]()  # type: ignore[index]

    check(got, w.who(ok), inside, outside)


def test_spent_less_than_among_buyers(w: World) -> None:
    """§2/§3: buyers of the last 12 months who spent less than 30 in that window."""
    win = last(12, "month")
    got = w.audience(All(conditions=[
        purchase(win), purchase(win, aggregate="sum", property="amount", op="lt", value=30)]))
    expected = w.who(lambda c: bool(w.bought(c, D(2025, 7, 1)))
                     and sum(b.amount for b in w.bought(c, D(2025, 7, 1))) < 30)
    check(got, expected, inside=[17, 22, 28], outside=[19, 8])


def test_bought_category(w: World) -> None:
    """§3: bought shoes = at least one purchase with a line whose product is shoes; the
    anonymous ticket with shoes and customer 999's ticket add nobody."""
    got = w.audience(purchase(None, pf("category", "eq", "shoes")))
    expected = w.who(lambda c: bool(w.bought(c, keep=lambda b: "shoes" in b.categories)))
    check(got, expected, inside=[2, 7, 10, 13, 20, 38], outside=[8, 9, 4])


@pytest.mark.parametrize("op,value,inside,outside", [
    ("eq", 1, [10, 2, 20], [7]),
    ("gte", 2, [7], [10]),
], ids=["shoes exactly once: 2 shoe lines on one ticket", "shoes at least twice"])
def test_category_counted_once_per_purchase(w: World, op: str, value: int, inside: list[int],
                                            outside: list[int]) -> None:
    """§3: counting purchases of a category counts distinct purchases having such a line."""
    got = w.audience(purchase(None, pf("category", "eq", "shoes"), aggregate="count", op=op,
                              value=value))
    n = {c: len(w.bought(c, keep=lambda b: "shoes" in b.categories)) for c in w.customers}
    expected = w.who(lambda c: n[c] == value if op == "eq" else n[c] >= value)
    check(got, expected, inside, outside)


def test_online_apparel_in_window(w: World) -> None:
    """§3: channel and category filters combine on the same purchase (online AND apparel)."""
    got = w.audience(purchase(last(6, "month"), pf("channel", "eq", "online"),
                              pf("category", "eq", "apparel")))
    expected = w.who(lambda c: bool(w.bought(
        c, D(2026, 1, 1), keep=lambda b: b.channel == "online" and "apparel" in b.categories)))
    check(got, expected, inside=[3, 6, 10, 39], outside=[20, 11])


def test_bought_brand(w: World) -> None:
    """§3: bought from <brand>: a purchase with a line of that brand."""
    got = w.audience(purchase(None, pf("brand", "eq", "Alti Sport")))
    expected = w.who(lambda c: bool(w.bought(c, keep=lambda b: "Alti Sport" in b.brands)))
    check(got, expected, inside=[7, 10, 11, 20, 38, 39], outside=[8])


STORE_PLACES = [
    ("in a store in Lyon", pf("store_city", "eq", "Lyon"), lambda b: b.store_city == "Lyon",
     [5, 7, 11, 38], [12]),
    ("in a store in Auvergne-Rhône-Alpes", pf("store_region", "eq", "Auvergne-Rhône-Alpes"),
     lambda b: b.store_region == "Auvergne-Rhône-Alpes", [5, 12], [2]),
    ("in an outlet", pf("store_format", "eq", "outlet"), lambda b: b.store_format == "outlet",
     [11, 12, 20], [5]),
]


@pytest.mark.parametrize("flt,keep,inside,outside", [s[1:] for s in STORE_PLACES],
                         ids=[s[0] for s in STORE_PLACES])
def test_store_city_region_format(w: World, flt: PropertyFilter, keep: Callable[[Buy], bool],
                                  inside: list[int], outside: list[int]) -> None:
    """§3: store places speak of pos.stores (city, region, format), not the customer's home."""
    got = w.audience(purchase(None, flt))
    check(got, w.who(lambda c: bool(w.bought(c, keep=keep))), inside, outside)


def test_never_bought(w: World) -> None:
    """§3: never bought = zero purchases up to as_of (only cancelled orders or purchases after
    as_of count as never)."""
    got = w.audience(purchase(None, aggregate="none"))
    check(got, w.who(lambda c: not w.bought(c)), inside=[4, 8, 24, 40], outside=[9, 39])


def test_not_bought_in_last_6_months_includes_never(w: World) -> None:
    """§3: has not bought in the last N: zero purchases in the window, never-bought included."""
    got = w.audience(purchase(last(6, "month"), aggregate="none"))
    expected = w.who(lambda c: not w.bought(c, D(2026, 1, 1)))
    check(got, expected, inside=[1, 16, 4, 8, 40], outside=[2, 38])


def test_active_customers(w: World) -> None:
    """§3: active = at least one purchase in the last 12 months ([2025-07-01, 2026-07-01))."""
    got = w.audience(purchase(last(12, "month")))
    check(got, w.who(lambda c: bool(w.bought(c, D(2025, 7, 1)))), inside=[17, 1], outside=[18, 16])


@pytest.mark.parametrize("months,start,inside,outside", [
    (12, D(2025, 7, 1), [16, 18, 33, 34], [17, 1, 8, 40]),
    (6, D(2026, 1, 1), [1, 16, 18], [2, 8, 40]),
], ids=["inactive: none in 12 months", "inactive with a given window (6 months)"])
def test_inactive_customers(w: World, months: int, start: dt.date, inside: list[int],
                            outside: list[int]) -> None:
    """§3: inactive = at least one purchase ever and none in the window (never-bought are not
    inactive)."""
    got = w.audience(All(conditions=[purchase(), purchase(last(months, "month"),
                                                         aggregate="none")]))
    expected = w.who(lambda c: bool(w.bought(c)) and not w.bought(c, start))
    check(got, expected, inside, outside)


def test_first_purchase_in_window(w: World) -> None:
    """§3: first purchase in the last 6 months: the earliest purchase ever is in the window
    (2 at its first instant; 39's earlier order was cancelled; 11 bought before; 4 after as_of)."""
    got = w.audience(purchase(last(6, "month"), aggregate="first"))
    expected = w.who(lambda c: bool(w.bought(c))
                     and min(b.at for b in w.bought(c)) >= _at(D(2026, 1, 1)))
    check(got, expected, inside=[2, 38, 39], outside=[1, 11, 4, 8])


def test_last_purchase_more_than_6_months_ago(w: World) -> None:
    """§3: last purchase more than 6 months ago = latest purchase ever before 2026-01-01;
    never-bought customers (and 4, whose only purchases are after as_of) are excluded."""
    got = w.audience(purchase(MoreThanAgoWindow(n=6, unit="month"), aggregate="last"))
    expected = w.who(lambda c: bool(w.bought(c))
                     and max(b.at for b in w.bought(c)) < _at(D(2026, 1, 1)))
    check(got, expected, inside=[1, 16, 17, 18, 33, 34], outside=[2, 11, 4, 8, 40])


def test_order_event_counts_every_status(w: World) -> None:
    """§3: cancelled orders are not purchases but remain visible as 'order' events."""
    got = w.audience(EventCondition(event="order", filters=[pf("status", "eq", "cancelled")]))
    expected = w.who(lambda c: any(o.customer_id == c and o.status == "cancelled"
                                   and o.ordered_at < NOW_END for o in w.ds.orders))
    check(got, expected, inside=[8, 9, 24, 39], outside=[3])


# === 4. Profile ===========================================================================

TIERS = [
    ("VIP", attr("loyalty_tier", "eq", "vip"), {"vip"}),
    ("gold", attr("loyalty_tier", "eq", "gold"), {"gold"}),
    ("gold and above", attr("loyalty_tier", "in", values=["gold", "vip"]), {"gold", "vip"}),
    ("loyalty members", attr("loyalty_tier", "ne", "none"), {"silver", "gold", "vip"}),
]


@pytest.mark.parametrize("cond,tiers", [t[1:] for t in TIERS], ids=[t[0] for t in TIERS])
def test_loyalty_tiers(w: World, cond: Attribute, tiers: set[str]) -> None:
    """§4: VIP = 'vip'; gold and above = gold or vip; loyalty members = tier other than none."""
    check(w.audience(cond), w.who(lambda c: w.customers[c].loyalty_tier in tiers))


AGES = [
    ("over 50 (>50)", "gt", 50, None, [3], [1, 4, 12, 13]),
    ("50 and over (>=50, birthday today)", "gte", 50, None, [1, 4, 12, 3], [2, 13]),
    ("under 25 (<25)", "lt", 25, None, [6], [5, 10, 11, 13, 40]),
    ("25-34 inclusive", "between", None, [25, 34], [5, 8, 9], [6, 7, 14]),
    ("exactly 50", "eq", 50, None, [1, 4, 12], [2, 3]),
    ("at most 24", "lte", 24, None, [6], [5]),
    ("not 50 (NULL birth never matches)", "ne", 50, None, [2, 3], [1, 13]),
]


@pytest.mark.parametrize("op,value,values,inside,outside", [a[1:] for a in AGES],
                         ids=[a[0] for a in AGES])
def test_age(w: World, op: str, value: int | None, values: list[int] | None,
             inside: list[int], outside: list[int]) -> None:
    """§4: age = full years between birth_date and as_of (born 1976-06-30 is 50 on 2026-06-30,
    born 1976-07-01 is 49); no birth_date never matches."""
    got = w.audience(Age(field=BIRTH, op=op, value=value, values=values))  # type: ignore[arg-type]

    def ok(c: int) -> bool:
        a = full_years(w.customers[c].birth_date, AS_OF)
        if a is None:
            return False
        return {"gt": a > (value or 0), "gte": a >= (value or 0), "lt": a < (value or 0),
                "lte": a <= (value or 0), "eq": a == value, "ne": a != value,
                "between": values is not None and values[0] <= a <= values[1]}[op]

    check(got, w.who(ok), inside, outside)


@pytest.mark.parametrize("as_of,age,inside,outside", [
    (D(2028, 2, 29), 28, [9], [10]),        # leap as_of: born 2000-02-29 has its birthday
    (D(2028, 2, 29), 27, [10], [9, 11]),    # born 2001-02-28: 27; born 2001-03-01: 26
    (D(2028, 2, 28), 27, [9, 10], [11]),    # the day before a real 29 February birthday
    (D(2027, 3, 1), 27, [9], [10]),
    (D(2027, 3, 1), 26, [10, 11], [9]),
    (D(2026, 3, 1), 50, [12], []),          # born 1976-02-29 is 50 on 1 March 2026
    (D(2026, 2, 27), 49, [12], []),
], ids=lambda x: str(x))
def test_age_around_29_february(w: World, as_of: dt.date, age: int, inside: list[int],
                                outside: list[int]) -> None:
    """§4: full years at other reference dates, around 29 February birthdays."""
    got = w.audience(Age(field=BIRTH, op="eq", value=age), as_of=as_of)
    check(got, w.who(lambda c: full_years(w.customers[c].birth_date, as_of) == age),
          inside, outside)


@pytest.mark.parametrize("as_of", [D(2027, 2, 28), D(2026, 2, 28)], ids=str)
def test_age_of_29_february_birthday_in_common_year_is_consistent(w: World,
                                                                   as_of: dt.date) -> None:
    """§4: on 28 February of a common year, a 29 February birthday gets exactly one age
    (the spec does not say which: the Python idiom gives the lower one), and eq / gte / lt agree."""
    for cid in (9, 12):
        born = w.customers[cid].birth_date
        assert born is not None
        n = as_of.year - born.year
        eq_hi = cid in w.audience(Age(field=BIRTH, op="eq", value=n), as_of=as_of)
        eq_lo = cid in w.audience(Age(field=BIRTH, op="eq", value=n - 1), as_of=as_of)
        assert eq_hi != eq_lo, f"customer {cid} must have exactly one age on {as_of}"
        assert (cid in w.audience(Age(field=BIRTH, op="gte", value=n), as_of=as_of)) == eq_hi
        assert (cid in w.audience(Age(field=BIRTH, op="lt", value=n), as_of=as_of)) == eq_lo


def test_no_birth_date_never_matches_but_not_includes_it(w: World) -> None:
    """§4 + NOT: no age condition matches a NULL birth date; NOT(age > 50) is the complement
    and therefore includes customers without a birth date (13, 14, 40)."""
    null_birth = w.who(lambda c: w.customers[c].birth_date is None)
    assert null_birth == {13, 14, 40}
    for cond in (Age(field=BIRTH, op="gt", value=50), Age(field=BIRTH, op="lt", value=130),
                 Age(field=BIRTH, op="between", values=[0, 130])):
        assert not (w.audience(cond) & null_birth)
    over50 = w.audience(Age(field=BIRTH, op="gt", value=50))
    check(w.audience(Not(condition=Age(field=BIRTH, op="gt", value=50))),
          w.ds.customer_ids - over50, inside=[13, 14, 40])


@pytest.mark.parametrize("field,value", [
    ("gender", "F"), ("gender", "M"), ("city", "Paris"), ("country", "FR"), ("country", "BE"),
    ("country", "CH"), ("country", "LU"), ("region", "Île-de-France"),
    ("acquisition_channel", "store"), ("acquisition_channel", "social"),
], ids=lambda x: str(x))
def test_profile_attributes(w: World, field: str, value: str) -> None:
    """§4: women = 'F', men = 'M'; geography is the customer's home (city/region/country);
    'came through <channel>' = acquisition_channel."""
    got = w.audience(attr(field, "eq", value))
    check(got, w.who(lambda c: getattr(w.customers[c], field) == value))


def test_home_city_is_not_store_city(w: World) -> None:
    """§4: 'Parisians who bought in a store in Lyon': home city and store city are different
    things (customer 2 lives in Lyon but bought in Paris)."""
    got = w.audience(All(conditions=[attr("city", "eq", "Lyon"),
                                     purchase(None, pf("store_city", "eq", "Lyon"))]))
    expected = w.who(lambda c: w.customers[c].city == "Lyon"
                     and bool(w.bought(c, keep=lambda b: b.store_city == "Lyon")))
    check(got, expected, outside=[2, 5])


# === 5. Scores ============================================================================

SC = "crm.scores."
CHURN = [
    ("high churn (>0.8)", Score(field=SC + "churn_score", op="gt", value=0.8),
     lambda x: x > 0.8, [3, 5, 10], [2, 6]),
    ("moderate churn (0.5<=x<=0.8)",
     Score(field=SC + "churn_score", op="between", values=[0.5, 0.8]),
     lambda x: 0.5 <= x <= 0.8, [1, 2, 8], [3, 4, 6]),
    ("low churn (<0.5)", Score(field=SC + "churn_score", op="lt", value=0.5),
     lambda x: x < 0.5, [4, 7, 9], [1, 6]),
]


@pytest.mark.parametrize("cond,ok,inside,outside", [c[1:] for c in CHURN],
                         ids=[c[0] for c in CHURN])
def test_churn_levels(w: World, cond: Score, ok: Callable[[float], bool], inside: list[int],
                      outside: list[int]) -> None:
    """§5: high > 0.8, moderate 0.5..0.8 inclusive, low < 0.5 (0.5 and 0.8 are moderate);
    a NULL churn score (6) is in no level."""
    got = w.audience(cond)
    expected = w.who(lambda c: w.scores[c].churn_score is not None
                     and ok(w.scores[c].churn_score))  # type: ignore[arg-type]
    check(got, expected, inside, outside)


def test_churn_levels_partition_scored_customers(w: World) -> None:
    """§5: the three levels are disjoint and cover every customer with a churn score."""
    levels = [w.audience(c[1]) for c in CHURN]
    assert not (levels[0] & levels[1]) and not (levels[1] & levels[2]) and not (
        levels[0] & levels[2])
    assert set().union(*levels) == w.ds.customer_ids - {6}


@pytest.mark.parametrize("column,inside,outside", [
    ("appetence_shoes", [1, 3], [2, 4]),
    ("appetence_apparel", [4, 5], [6]),
], ids=["shoes", "apparel"])
def test_high_appetence(w: World, column: str, inside: list[int], outside: list[int]) -> None:
    """§5: high propensity for a category = that appetence column >= 0.7 (0.7 itself matches)."""
    got = w.audience(Score(field=SC + column, op="gte", value=0.7))
    check(got, w.who(lambda c: getattr(w.scores[c], column) >= 0.7), inside, outside)


def test_high_value_top_10_percent(w: World) -> None:
    """§5: high value = clv_eur at or above the 90th percentile (PERCENTILE_CONT / linear):
    here exactly 1000.00, held by 28 and 33; 17 at 999.99 is out."""
    threshold = percentile_linear([s.clv_eur for s in w.ds.scores], Decimal("0.9"))
    assert threshold == Decimal("1000.00")
    got = w.audience(Score(field=SC + "clv_eur", op="top_percent", value=10))
    expected = w.who(lambda c: w.scores[c].clv_eur >= threshold)
    check(got, expected, inside=[1, 9, 20, 28, 33], outside=[17])
    assert got == {1, 9, 20, 28, 33}


def test_high_value_top_10_percent_sub_cent_percentile() -> None:
    """§5: 'at or above the 90th percentile' with the percentile between two cents: 40 values,
    sorted[35] = 1000.00 and sorted[36] = 1000.05 give 1000.005; 1000.00 is below it."""
    con = duckdb.connect()
    ds = build(con)
    con.execute("UPDATE crm.scores SET clv_eur = 1000.05 WHERE customer_id = 28")
    clv = {s.customer_id: s.clv_eur for s in ds.scores}
    clv[28] = Decimal("1000.05")
    threshold = percentile_linear(list(clv.values()), Decimal("0.9"))
    assert threshold == Decimal("1000.005")
    rule = Rule(where=Score(field=SC + "clv_eur", op="top_percent", value=10))
    got = {r[0] for r in con.execute(compile_rule(validate(rule, CATALOG, AS_OF)).sql())
           .fetchall()}
    con.close()
    assert got == {c for c, v in clv.items() if v >= threshold} == {1, 9, 20, 28}


def test_clv_above_value(w: World) -> None:
    """§5: CLV above X = clv_eur > X (1000.00 exactly is not above 1000)."""
    got = w.audience(Score(field=SC + "clv_eur", op="gt", value=1000))
    check(got, w.who(lambda c: w.scores[c].clv_eur > 1000), inside=[1, 9, 20], outside=[28])


@pytest.mark.parametrize("segment", ["champions", "loyal", "at_risk", "hibernating", "lost"])
def test_rfm_segment(w: World, segment: str) -> None:
    """§5: RFM segments by name."""
    got = w.audience(Score(field=SC + "rfm_segment", op="eq", value=segment))
    check(got, w.who(lambda c: w.scores[c].rfm_segment == segment))


# === 6. Engagement ========================================================================


@pytest.mark.parametrize("etype,inside,outside", [
    ("open", [1, 16, 26, 27, 29], [2, 28]),
    ("click", [16, 27], [26]),
    ("sent", [1, 2, 5, 16, 26, 27, 28, 29], [3]),
    ("bounce", [28], [26]),
    ("unsubscribe", [5], [1]),
], ids=["opened", "clicked", "received", "bounced", "unsubscribed"])
def test_email_event_types(w: World, etype: str, inside: list[int], outside: list[int]) -> None:
    """§6: opened = 'open', clicked = 'click', received = 'sent', bounced = 'bounce' (2's open
    after as_of does not count)."""
    got = w.audience(EventCondition(event="email_activity",
                                    filters=[pf("event_type", "eq", etype)]))
    check(got, w.who(lambda c: any(m.type == etype for m in w.mails.get(c, []))),
          inside, outside)


@pytest.mark.parametrize("etype,theme,expected", [
    ("open", "promo", {26}),
    ("open", "newsletter", {1}),
    ("click", "reactivation", {16}),
    ("open", "loyalty", {29}),
], ids=lambda x: str(x))
def test_email_by_theme(w: World, etype: str, theme: str, expected: set[int]) -> None:
    """§6: an email event of a campaign theme (theme comes from email.campaigns)."""
    got = w.audience(EventCondition(event="email_activity", filters=[
        pf("event_type", "eq", etype), pf("theme", "eq", theme)]))
    check(got, w.who(lambda c: any(m.type == etype and m.theme == theme
                                   for m in w.mails.get(c, []))))
    assert got == expected


def test_email_opened_in_last_30_days(w: World) -> None:
    """§6 + §1: opened an email in the last 30 days ([2026-06-01, 2026-07-01))."""
    got = w.audience(EventCondition(event="email_activity", window=last(30, "day"),
                                    filters=[pf("event_type", "eq", "open")]))
    expected = w.who(lambda c: any(m.type == "open" and in_window(m.at, D(2026, 6, 1), E)
                                   for m in w.mails.get(c, [])))
    check(got, expected, inside=[1, 26, 27], outside=[16, 29, 2])


@pytest.mark.parametrize("field,value,inside,outside", [
    ("email_opt_in", True, [1, 3], [5, 12]),
    ("email_opt_in", False, [5, 7], [1, 12]),
    ("sms_opt_in", True, [1, 4], [2]),
    ("push_opt_in", True, [17, 9], [2]),
], ids=["email subscribers", "email unsubscribed (NULL is neither)", "sms opt-in",
        "push opt-in"])
def test_opt_in_flags(w: World, field: str, value: bool, inside: list[int],
                      outside: list[int]) -> None:
    """§6: subscribers = opt-in true; unsubscribed = opt-in false (NULL consent is neither)."""
    got = w.audience(attr(field, "eq", value))
    check(got, w.who(lambda c: getattr(w.customers[c], field) is value), inside, outside)


@pytest.mark.parametrize("etype,inside,outside", [
    (None, [9, 13, 21, 22, 25, 29, 30], [27, 1]),
    ("product_view", [9, 25, 26], [21]),
    ("add_to_cart", [13, 14, 21, 22, 23, 24, 30], [25]),
    ("search", [25], [26]),
], ids=["visited the site (any event)", "viewed a product", "added to cart", "searched"])
def test_web_events(w: World, etype: str | None, inside: list[int], outside: list[int]) -> None:
    """§6: visited = any web.events row (27's only visit is after as_of); anonymous visitors
    never appear."""
    filters = [] if etype is None else [pf("event_type", "eq", etype)]
    got = w.audience(EventCondition(event="web_visit", filters=filters))
    expected = w.who(lambda c: any(etype is None or h.type == etype for h in w.web.get(c, [])))
    check(got, expected, inside, outside)


@pytest.mark.parametrize("window,start,expected", [
    (None, None, {9, 25}),
    (last(30, "day"), D(2026, 6, 1), {25}),
], ids=["all history", "last 30 days"])
def test_viewed_product_of_category(w: World, window: Window | None, start: dt.date | None,
                                    expected: set[int]) -> None:
    """§6: a category on a web event is the category of its product_id."""
    got = w.audience(EventCondition(event="web_visit", window=window, filters=[
        pf("event_type", "eq", "product_view"), pf("category", "eq", "shoes")]))
    check(got, w.who(lambda c: any(h.type == "product_view" and h.category == "shoes"
                                   and in_window(h.at, start, E) for h in w.web.get(c, []))))
    assert got == expected


def test_abandoned_cart_last_7_days(w: World) -> None:
    """§6: abandoned cart = an add_to_cart in the last 7 days AND no online purchase in the
    last 7 days: a store purchase (21) or a cancelled order (24) does not cancel it, an online
    order before the window (13) neither; 23 and 14 ordered online; 22's cart is too old."""
    win = last(7, "day")
    got = w.audience(All(conditions=[
        EventCondition(event="web_visit", window=win,
                       filters=[pf("event_type", "eq", "add_to_cart")]),
        purchase(win, pf("channel", "eq", "online"), aggregate="none"),
    ]))
    start = D(2026, 6, 24)
    expected = w.who(lambda c: any(h.type == "add_to_cart" and in_window(h.at, start, E)
                                   for h in w.web.get(c, []))
                     and not w.bought(c, start, keep=lambda b: b.channel == "online"))
    check(got, expected, inside=[13, 21, 24, 30], outside=[14, 22, 23])
    assert got == {13, 21, 24, 30}


def test_support_ticket_in_window(w: World) -> None:
    """§6: contacted customer service in the last 6 months (35's ticket at 2026-01-01 00:00
    counts; 33's is from 2025; 34's is after as_of; the anonymous one adds nobody)."""
    got = w.audience(EventCondition(event="support_ticket", window=last(6, "month")))
    expected = w.who(lambda c: any(in_window(t.opened_at, D(2026, 1, 1), E)
                                   for t in w.tickets.get(c, [])))
    check(got, expected, inside=[30, 31, 32, 35], outside=[33, 34])


@pytest.mark.parametrize("window,start,expected", [
    (last(6, "month"), D(2026, 1, 1), {30, 35}),
    (None, None, {30, 33, 35}),
], ids=["unhappy in last 6 months", "unhappy ever"])
def test_unhappy_customers(w: World, window: Window | None, start: dt.date | None,
                           expected: set[int]) -> None:
    """§6: unhappy = a ticket with satisfaction <= 2 in the window (3 and NULL are not)."""
    got = w.audience(EventCondition(event="support_ticket", window=window,
                                    filters=[pf("satisfaction", "lte", 2)]))
    check(got, w.who(lambda c: any(t.satisfaction is not None and t.satisfaction <= 2
                                   and in_window(t.opened_at, start, E)
                                   for t in w.tickets.get(c, []))))
    assert got == expected


# === 7. Activation and consent ============================================================

EVERYONE = attr("loyalty_tier", "in", values=["none", "silver", "gold", "vip"])


@pytest.mark.parametrize("channel,inside,outside", [
    ("email", [1, 2, 4], [3, 5, 12, 17]),
    ("sms", [1, 3, 5], [4, 17, 2]),
    ("push", [1, 17, 9], [2, 3]),
], ids=["email: opt-in and an email", "sms: opt-in and a phone", "push: opt-in only"])
def test_channel_consent(w: World, channel: str, inside: list[int], outside: list[int]) -> None:
    """§7: an audience on a channel keeps only consenting customers with a contact: email needs
    email_opt_in and an email (3 has no email, 12 NULL consent); sms needs sms_opt_in and a phone
    (4 has none); push needs push_opt_in only (17 has no contact at all)."""
    got = w.audience(EVERYONE, channel=channel)

    def ok(c: int) -> bool:
        cu = w.customers[c]
        return {"email": cu.email_opt_in is True and cu.email is not None,
                "sms": cu.sms_opt_in is True and cu.phone is not None,
                "push": cu.push_opt_in is True}[channel]

    check(got, w.who(ok), inside, outside)


def test_channel_consent_with_conditions(w: World) -> None:
    """§7: the consent filter is part of the answer: VIP or gold buyers of the last 12 months,
    for an SMS campaign."""
    got = w.audience(All(conditions=[attr("loyalty_tier", "in", values=["gold", "vip"]),
                                     purchase(last(12, "month"))]), channel="sms")
    expected = w.who(lambda c: w.customers[c].loyalty_tier in {"gold", "vip"}
                     and bool(w.bought(c, D(2025, 7, 1)))
                     and w.customers[c].sms_opt_in is True and w.customers[c].phone is not None)
    check(got, expected)
    assert got


# --- NOT, OR, AND --------------------------------------------------------------------------

COMPLEMENTS = [
    ("NOT email_opt_in (NULL consent included)", attr("email_opt_in", "eq", True), [12, 5]),
    ("NOT high churn (NULL churn included)", Score(field=SC + "churn_score", op="gt", value=0.8),
     [6]),
    ("NOT age 25-34 (NULL birth included)", Age(field=BIRTH, op="between", values=[25, 34]),
     [13, 40]),
    ("NOT bought (= never bought)", purchase(), [4, 8, 40]),
    ("NOT bought shoes in the last 6 months", purchase(last(6, "month"),
                                                       pf("category", "eq", "shoes")), [1, 40]),
    ("NOT new customer (NULL-free date)", DateIn(field=SIGNUP, window=last(30, "day")), [6, 40]),
    ("NOT mobile purchase (store source has no device)", purchase(None, pf("device", "eq",
                                                                          "mobile")), [5, 8]),
]


@pytest.mark.parametrize("cond,inside", [c[1:] for c in COMPLEMENTS],
                         ids=[c[0] for c in COMPLEMENTS])
def test_not_is_set_complement(w: World, cond: Condition, inside: list[int]) -> None:
    """NOT is a set complement over crm.customers: A and NOT A partition the customers, so a
    condition that is unknown (NULL) for a customer puts that customer in NOT A."""
    a = w.audience(cond)
    not_a = w.audience(Not(condition=cond))
    assert not (a & not_a)
    check(not_a, w.ds.customer_ids - a, inside=inside)


def test_double_not_is_identity(w: World) -> None:
    """NOT NOT A = A, even for a NULL-sensitive A."""
    cond = Score(field=SC + "churn_score", op="gt", value=0.8)
    assert w.audience(Not(condition=Not(condition=cond))) == w.audience(cond)


def test_or_and_combination(w: World) -> None:
    """AND / OR: (VIP OR high churn) AND women AND NOT (bought online in the last 6 months)."""
    got = w.audience(All(conditions=[
        AnyOf(conditions=[attr("loyalty_tier", "eq", "vip"),
                          Score(field=SC + "churn_score", op="gt", value=0.8)]),
        attr("gender", "eq", "F"),
        Not(condition=purchase(last(6, "month"), pf("channel", "eq", "online"))),
    ]))

    def ok(c: int) -> bool:
        cu, sc = w.customers[c], w.scores[c]
        high = sc.churn_score is not None and sc.churn_score > 0.8
        online = w.bought(c, D(2026, 1, 1), keep=lambda b: b.channel == "online")
        return (cu.loyalty_tier == "vip" or high) and cu.gender == "F" and not online

    check(got, w.who(ok), inside=[1, 5, 17, 28], outside=[3, 9])


def test_or_of_event_conditions(w: World) -> None:
    """OR over events: bought in store in Lyon OR opened an email, in the last 6 months."""
    win = last(6, "month")
    got = w.audience(AnyOf(conditions=[
        purchase(win, pf("store_city", "eq", "Lyon")),
        EventCondition(event="email_activity", window=win, filters=[pf("event_type", "eq",
                                                                       "open")]),
    ]))
    s = D(2026, 1, 1)
    expected = w.who(lambda c: bool(w.bought(c, s, keep=lambda b: b.store_city == "Lyon"))
                     or any(m.type == "open" and in_window(m.at, s, E)
                            for m in w.mails.get(c, [])))
    check(got, expected, inside=[5, 16, 26], outside=[29])


# --- segments ------------------------------------------------------------------------------

SEGMENTS = {
    "vip": Rule(where=attr("loyalty_tier", "eq", "vip")),
    "online_buyers": Rule(where=purchase(last(12, "month"), pf("channel", "eq", "online"))),
    "over_50": Rule(where=Age(field=BIRTH, op="gte", value=50)),
    "vip_or_high_value": Rule(where=AnyOf(conditions=[
        SegmentRef(segment="vip"), Score(field=SC + "clv_eur", op="gt", value=1000)])),
}


def test_segment_include(w: World) -> None:
    """A segment reference includes the segment's members: VIP who bought in store."""
    got = w.audience(All(conditions=[SegmentRef(segment="vip"),
                                     purchase(None, pf("channel", "eq", "store"))]),
                     segments=SEGMENTS)
    expected = w.who(lambda c: w.customers[c].loyalty_tier == "vip"
                     and bool(w.bought(c, keep=lambda b: b.channel == "store")))
    check(got, expected, inside=[1, 17, 20, 28], outside=[9])


def test_segment_exclude(w: World) -> None:
    """NOT segment excludes its members: active customers, excluding the online buyers of the
    last 12 months."""
    got = w.audience(All(conditions=[purchase(last(12, "month")),
                                     Not(condition=SegmentRef(segment="online_buyers"))]),
                     segments=SEGMENTS)
    s = D(2025, 7, 1)
    expected = w.who(lambda c: bool(w.bought(c, s))
                     and not w.bought(c, s, keep=lambda b: b.channel == "online"))
    check(got, expected, inside=[1, 2, 5], outside=[3, 7, 16])


def test_segment_exclude_keeps_unknown(w: World) -> None:
    """Excluding the segment 'over 50' keeps customers with no birth date (set complement)."""
    got = w.audience(Not(condition=SegmentRef(segment="over_50")), segments=SEGMENTS)
    expected = w.who(lambda c: not ((a := full_years(w.customers[c].birth_date, AS_OF))
                                    is not None and a >= 50))
    check(got, expected, inside=[13, 14, 40, 2], outside=[1, 3])


def test_nested_segment_with_channel(w: World) -> None:
    """A segment referring to another segment, activated on email."""
    got = w.audience(SegmentRef(segment="vip_or_high_value"), channel="email",
                     segments=SEGMENTS)
    expected = w.who(lambda c: (w.customers[c].loyalty_tier == "vip"
                                or w.scores[c].clv_eur > 1000)
                     and w.customers[c].email_opt_in is True
                     and w.customers[c].email is not None)
    check(got, expected, inside=[1, 9, 20, 28], outside=[17])


# --- distinct ids, anonymous data ------------------------------------------------------------


def test_many_joins_still_distinct_ids(w: World) -> None:
    """An audience is a set of distinct crm.customers ids, whatever the joins (scores, several
    event aggregates, a segment)."""
    rule = Rule(where=AnyOf(conditions=[
        purchase(None, aggregate="count", op="gte", value=1),
        EventCondition(event="web_visit"),
        EventCondition(event="email_activity"),
        EventCondition(event="support_ticket"),
        Score(field=SC + "churn_score", op="gte", value=0),
        SegmentRef(segment="vip"),
    ]))
    sql = compile_rule(validate(rule, CATALOG, AS_OF, SEGMENTS)).sql()
    ids = [r[0] for r in w.con.execute(sql).fetchall()]
    assert len(ids) == len(set(ids)) == len(w.ds.customer_ids)
    assert set(ids) == w.ds.customer_ids


def test_anonymous_and_unknown_customers_never_appear(w: World) -> None:
    """Anonymous sales, visits and tickets (customer_id NULL) and sales of an id absent from
    crm.customers (999) never enter an audience, even where they are the only activity."""
    assert any(t.customer_id is None for t in w.ds.transactions)
    assert any(t.customer_id == 999 for t in w.ds.transactions)
    got = w.audience(purchase(last(7, "day"), pf("channel", "eq", "store"),
                              pf("category", "eq", "shoes")))
    assert got == set()  # only the anonymous ticket 16 bought shoes in store in the last 7 days
    got = w.audience(purchase(last(30, "day"), aggregate="sum", property="amount", op="gte",
                              value=500))
    assert got == set()  # the 999.00 anonymous ticket and customer 999 do not count
