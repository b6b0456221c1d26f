"""A tiny hand-made demo dataset whose rows sit on the boundaries of the conventions.

Reference date ``AS_OF`` = 2026-06-30 (a Tuesday), so "now" ends at 2026-07-01 00:00. The rows
are plain Python tuples (one ``NamedTuple`` per table, fields in the table's column order): the
tests' oracle reads them directly, never through SQL. :func:`build` inserts them in a DuckDB
connection that already has (or gets) the empty demo schema of ``conftest_schema``.

What each customer is for (purchases = POS tickets with a customer + completed orders):

==== =====================================================================================
id   role
==== =====================================================================================
1    bought 2025-12-31 23:59:59 only (just before "last 6 months"); age exactly 50; churn 0.5
2    bought 2026-01-01 00:00:00 only (first instant of "last 6 months"); age 49; churn 0.8
3    online order 2026-06-30 23:59 (today, inside); email opt-in but NULL email; churn 0.81
4    only purchases are at/after 2026-07-01 00:00 (after as_of: never bought); sms opt-in, NULL phone
5    exactly 1 purchase (Lyon store); age exactly 25; signup 2026-06-01 (new, first day)
6    exactly 2 purchases (store + mobile order); age 24; signup 2026-05-31 (not new); NULL churn
7    exactly 3 purchases (store Lyon + app + desktop); signup = as_of
8    only a cancelled and a returned order: never bought
9    1 completed + 1 cancelled + 1 returned order: exactly 1 purchase; born 29 Feb 2000
10   one ticket with two shoe lines + one apparel order; born 28 Feb 2001
11   Lyon store 2026-02 + outlet (Roubaix) 2025-11; born 1 Mar 2001
12   outlet in Villefontaine (region Auvergne-Rhône-Alpes, not Lyon); born 29 Feb 1976; NULL email_opt_in
13   mobile order 2026-06-20 + add_to_cart 2026-06-25 (abandoned); NULL birth date
14   app order 2026-06-26 + add_to_cart 2026-06-25 (not abandoned); NULL birth date
15   tablet order; born 1980-01-01 (first day of the 1980s)
16   inactive (bought 2024-03-01 only); born 1989-12-31; reactivation email open + click
17   bought 2025-07-01 00:00 (first instant of "last 12 months"); born 1990-01-01; opt-ins, no contacts
18   bought 2025-06-30 23:59:59 (just before "last 12 months"): inactive; born 1979-12-31
19   spent exactly 100.00 in 2 purchases (average basket 50)
20   one 150.00 ticket in an outlet with shoes and apparel lines; top CLV
21   add_to_cart 2026-06-24 00:00 (first instant of last 7 days) + store purchase only: abandoned
22   add_to_cart 2026-06-23 23:59:59 (just outside last 7 days); store purchase today 00:00
23   add_to_cart + completed online order in last 7 days: not abandoned; store purchase yesterday 23:59:59
24   add_to_cart + cancelled order: abandoned
25   product_view (shoes), search, page_view; bought Monday of last ISO week 00:00; signup 2026-06-15
26   product_view (apparel); opened a promo email; bought Sunday of last ISO week 23:59:59
27   opened + clicked a new-collection email; bought Monday of this ISO week 00:00; page_view after as_of
28   email sent + bounce; bought 2026-05-31 23:59:59 (last day of last month); CLV exactly 1000.00
29   loyalty email in 2025; bought 2026-05-01 00:00 (first instant of last month)
30   unhappy (satisfaction 2); bought 2026-04-30 23:59:59; add_to_cart today 23:59
31   ticket with satisfaction 3; bought 2026-03-31 23:59:59 (end of last quarter, end of March)
32   ticket with NULL satisfaction; bought 2026-04-01 00:00 (this quarter)
33   unhappy ticket in 2025 only; bought 2025-01-01 00:00; CLV exactly 1000.00
34   bought 2024-12-31 23:59:59; unhappy ticket after as_of (never counts)
35   bought 2026-03-01 00:00 (first instant of March); ticket 2026-01-01 00:00 satisfaction 2
36   bought 2026-03-31 23:59:59 (last instant of March)
37   bought 2026-02-28 23:59:59 (just before March)
38   first purchase 2026-01-01 00:00 (online) then a store purchase in May
39   cancelled order 2025-12-31 then first completed order 2026-02-02
40   never bought; signup 2026-07-01 (after as_of); NULL birth date; no contact at all
==== =====================================================================================

Plus anonymous POS tickets, anonymous web events, an anonymous support ticket, and a ticket of
customer 999 who is not in crm.customers: none of them may ever appear in an audience.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import duckdb
from conftest_schema import create_demo_schema

AS_OF = dt.date(2026, 6, 30)


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)


def ts(y: int, m: int, day: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, day, hh, mm, ss)


def eur(x: str | int) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


# --- row types (fields in the column order of conftest_schema.DEMO_TABLES) ---------------


class Customer(NamedTuple):
    customer_id: int
    email: str | None
    phone: str | None
    first_name: str
    last_name: str
    gender: str
    birth_date: dt.date | None
    city: str
    postal_code: str
    region: str
    country: str
    signup_date: dt.date
    acquisition_channel: str
    loyalty_tier: str
    loyalty_points: int
    email_opt_in: bool | None
    sms_opt_in: bool | None
    push_opt_in: bool | None
    preferred_store_id: int | None


class ScoreRow(NamedTuple):
    customer_id: int
    churn_score: float | None
    clv_eur: Decimal
    rfm_segment: str
    appetence_shoes: float
    appetence_apparel: float
    appetence_accessories: float
    appetence_beauty: float
    appetence_home: float
    appetence_sport: float
    computed_on: dt.date


class Store(NamedTuple):
    store_id: int
    store_name: str
    city: str
    region: str
    store_format: str
    opened_on: dt.date


class Transaction(NamedTuple):
    transaction_id: int
    customer_id: int | None
    store_id: int
    transaction_at: dt.datetime
    amount_eur: Decimal
    item_count: int


class TransactionLine(NamedTuple):
    transaction_id: int
    product_id: int
    quantity: int
    amount_eur: Decimal


class Order(NamedTuple):
    order_id: int
    customer_id: int
    ordered_at: dt.datetime
    amount_eur: Decimal
    device: str
    status: str
    promo_code: str | None


class OrderLine(NamedTuple):
    order_id: int
    product_id: int
    quantity: int
    amount_eur: Decimal


class Product(NamedTuple):
    product_id: int
    product_name: str
    category: str
    brand: str
    unit_price_eur: Decimal


class WebEvent(NamedTuple):
    event_id: int
    customer_id: int | None
    session_id: str
    event_type: str
    occurred_at: dt.datetime
    product_id: int | None
    device: str


class Campaign(NamedTuple):
    campaign_id: int
    campaign_name: str
    theme: str
    sent_at: dt.datetime


class EmailEvent(NamedTuple):
    customer_id: int
    campaign_id: int
    event_type: str
    occurred_at: dt.datetime


class Ticket(NamedTuple):
    ticket_id: int
    customer_id: int | None
    opened_at: dt.datetime
    topic: str
    status: str
    satisfaction: int | None


# --- customers ----------------------------------------------------------------------------

_PLACES: dict[str, tuple[str, str, str]] = {  # city: (postal code, region, country)
    "Paris": ("75001", "Île-de-France", "FR"),
    "Lyon": ("69001", "Auvergne-Rhône-Alpes", "FR"),
    "Marseille": ("13001", "Provence-Alpes-Côte d'Azur", "FR"),
    "Nice": ("06000", "Provence-Alpes-Côte d'Azur", "FR"),
    "Lille": ("59000", "Hauts-de-France", "FR"),
    "Bordeaux": ("33000", "Nouvelle-Aquitaine", "FR"),
    "Toulouse": ("31000", "Occitanie", "FR"),
    "Nantes": ("44000", "Pays de la Loire", "FR"),
    "Rennes": ("35000", "Bretagne", "FR"),
    "Strasbourg": ("67000", "Grand Est", "FR"),
    "Rouen": ("76000", "Normandie", "FR"),
    "Bruxelles": ("1000", "Bruxelles-Capitale", "BE"),
    "Liège": ("4000", "Wallonie", "BE"),
    "Genève": ("1201", "Genève", "CH"),
    "Lausanne": ("1003", "Vaud", "CH"),
    "Luxembourg": ("1111", "Luxembourg", "LU"),
}

# id, gender, birth, city, signup, acquisition, tier, has email, has phone, email/sms/push opt-in
_PROFILES: list[tuple[Any, ...]] = [
    (1, "F", d(1976, 6, 30), "Paris", d(2023, 1, 15), "web", "vip", 1, 1, True, True, True),
    (2, "M", d(1976, 7, 1), "Lyon", d(2024, 3, 10), "store", "gold", 1, 1, True, False, False),
    (3, "F", d(1975, 6, 30), "Marseille", d(2025, 6, 30), "web", "silver", 0, 1, True, True, False),
    (4, "M", d(1975, 7, 1), "Lille", d(2025, 7, 1), "app", "none", 1, 0, True, True, False),
    (5, "F", d(2001, 6, 30), "Bordeaux", d(2026, 6, 1), "social", "none", 1, 1, False, True, True),
    (6, "F", d(2001, 7, 1), "Paris", d(2026, 5, 31), "partner", "silver", 1, 1, True, False, True),
    (7, "M", d(1991, 6, 30), "Bruxelles", d(2026, 6, 30), "web", "gold", 1, 1, False, False, True),
    (8, "U", d(1991, 7, 1), "Liège", d(2022, 2, 1), "store", "none", 1, 1, True, True, False),
    (9, "F", d(2000, 2, 29), "Genève", d(2021, 9, 9), "app", "vip", 1, 0, True, False, True),
    (10, "M", d(2001, 2, 28), "Lausanne", d(2024, 11, 20), "web", "gold", 1, 1, False, True, False),
    (11, "F", d(2001, 3, 1), "Luxembourg", d(2023, 5, 5), "partner", "silver", 1, 1, True, True,
     True),
    (12, "M", d(1976, 2, 29), "Paris", d(2020, 1, 1), "store", "none", 1, 1, None, False, False),
    (13, "F", None, "Paris", d(2025, 12, 1), "app", "silver", 1, 1, True, False, True),
    (14, "M", None, "Lyon", d(2024, 6, 30), "app", "gold", 1, 1, False, False, True),
    (15, "F", d(1980, 1, 1), "Lyon", d(2025, 1, 1), "web", "none", 1, 1, True, True, False),
    (16, "M", d(1989, 12, 31), "Marseille", d(2019, 3, 3), "store", "silver", 1, 1, True, False,
     False),
    (17, "F", d(1990, 1, 1), "Paris", d(2024, 12, 31), "web", "vip", 0, 0, True, True, True),
    (18, "M", d(1979, 12, 31), "Lille", d(2023, 3, 3), "social", "none", 1, 1, False, False, False),
    (19, "F", d(1985, 5, 5), "Bordeaux", d(2022, 7, 7), "web", "gold", 1, 1, True, True, False),
    (20, "M", d(1970, 10, 10), "Paris", d(2021, 1, 1), "store", "vip", 1, 1, True, False, True),
    (21, "F", d(1995, 8, 8), "Paris", d(2025, 8, 8), "web", "none", 1, 1, True, False, False),
    (22, "M", d(1998, 9, 9), "Lyon", d(2025, 9, 9), "app", "silver", 1, 1, False, False, False),
    (23, "F", d(1993, 3, 3), "Marseille", d(2024, 2, 2), "web", "none", 1, 1, True, True, True),
    (24, "F", d(1988, 4, 4), "Nice", d(2023, 4, 4), "social", "silver", 1, 1, True, False, False),
    (25, "M", d(1999, 12, 12), "Toulouse", d(2026, 6, 15), "web", "none", 1, 1, False, False,
     False),
    (26, "F", d(1982, 2, 2), "Nantes", d(2022, 2, 2), "web", "gold", 1, 1, True, False, False),
    (27, "M", d(1972, 7, 7), "Rennes", d(2021, 7, 7), "partner", "none", 1, 1, True, False, False),
    (28, "F", d(1965, 11, 11), "Strasbourg", d(2020, 11, 11), "store", "vip", 1, 1, True, True,
     False),
    (29, "M", d(1960, 1, 20), "Rouen", d(2019, 1, 20), "store", "silver", 1, 1, False, False, False),
    (30, "F", d(1978, 6, 15), "Paris", d(2024, 6, 15), "web", "none", 1, 1, True, True, True),
    (31, "M", d(1983, 3, 13), "Lyon", d(2023, 3, 13), "app", "none", 1, 1, False, True, False),
    (32, "F", d(1994, 4, 14), "Bruxelles", d(2022, 4, 14), "web", "silver", 1, 1, True, False,
     False),
    (33, "M", d(1969, 9, 19), "Genève", d(2021, 9, 19), "store", "gold", 1, 1, False, False, False),
    (34, "F", d(1974, 12, 24), "Paris", d(2020, 12, 24), "store", "none", 1, 1, True, False, False),
    (35, "M", d(1986, 6, 6), "Lille", d(2023, 6, 6), "web", "silver", 1, 1, False, False, True),
    (36, "F", d(1992, 2, 12), "Paris", d(2024, 2, 12), "social", "none", 1, 1, True, False, False),
    (37, "M", d(1997, 7, 17), "Bordeaux", d(2025, 7, 17), "web", "none", 1, 1, False, False, False),
    (38, "F", d(1984, 8, 18), "Paris", d(2025, 12, 31), "web", "gold", 1, 1, True, True, True),
    (39, "M", d(1987, 7, 27), "Lyon", d(2026, 1, 1), "app", "silver", 1, 1, True, False, False),
    (40, "U", None, "Paris", d(2026, 7, 1), "web", "none", 0, 0, False, False, False),
]


def _customer(p: tuple[Any, ...]) -> Customer:
    cid, gender, birth, city, signup, acq, tier, has_email, has_phone, e_opt, s_opt, p_opt = p
    postal, region, country = _PLACES[city]
    return Customer(
        customer_id=cid,
        email=f"c{cid}@example.com" if has_email else None,
        phone=f"+336000000{cid:02d}" if has_phone else None,
        first_name=f"First{cid}", last_name=f"Last{cid}", gender=gender, birth_date=birth,
        city=city, postal_code=postal, region=region, country=country, signup_date=signup,
        acquisition_channel=acq, loyalty_tier=tier, loyalty_points=10 * cid,
        email_opt_in=e_opt, sms_opt_in=s_opt, push_opt_in=p_opt,
        preferred_store_id=1 if cid % 3 == 0 else None,
    )


CUSTOMERS: list[Customer] = [_customer(p) for p in _PROFILES]

# --- scores -------------------------------------------------------------------------------

_CHURN: dict[int, float | None] = {
    1: 0.5, 2: 0.8, 3: 0.81, 4: 0.49, 5: 0.95, 6: None, 7: 0.3, 8: 0.65, 9: 0.1, 10: 0.85,
}
_CHURN_CYCLE = [0.2, 0.55, 0.9, 0.4, 0.7, 0.05]
_SHOES: dict[int, float] = {1: 0.7, 2: 0.69, 3: 0.9, 4: 0.05}
_APPAREL: dict[int, float] = {4: 0.7, 5: 0.7000001, 6: 0.6999}
# Top 10 % of 40 customers: the 90th percentile (linear interpolation) is sorted[35] +
# 0.1 * (sorted[36] - sorted[35]) = 1000.00, held by customers 28 and 33; 17 is one cent below.
_CLV: dict[int, str] = {20: "3000.00", 1: "2000.00", 9: "1500.00", 28: "1000.00",
                        33: "1000.00", 17: "999.99"}
_RFM = ["champions", "loyal", "potential_loyalist", "new", "at_risk", "hibernating", "lost"]


def _score(cid: int) -> ScoreRow:
    churn = _CHURN[cid] if cid in _CHURN else _CHURN_CYCLE[cid % len(_CHURN_CYCLE)]
    return ScoreRow(
        customer_id=cid, churn_score=churn,
        clv_eur=eur(_CLV.get(cid, str(100 + 20 * cid))),
        rfm_segment=_RFM[cid % len(_RFM)],
        appetence_shoes=_SHOES.get(cid, round(0.1 * (cid % 7), 2)),
        appetence_apparel=_APPAREL.get(cid, 0.2),
        appetence_accessories=0.3, appetence_beauty=0.75 if cid % 5 == 0 else 0.25,
        appetence_home=0.1, appetence_sport=0.4, computed_on=AS_OF,
    )


SCORES: list[ScoreRow] = [_score(c.customer_id) for c in CUSTOMERS]

# --- products and stores ------------------------------------------------------------------

PRODUCTS: list[Product] = [
    Product(1, "Sneaker Run", "shoes", "Foulée", eur(60)),
    Product(2, "Boot City", "shoes", "Alti Sport", eur(90)),
    Product(3, "Tee Basic", "apparel", "Foulée", eur(20)),
    Product(4, "Jacket Urban", "apparel", "Alti Sport", eur(80)),
    Product(5, "Tote Bag", "accessories", "Maison Lune", eur(30)),
    Product(6, "Face Cream", "beauty", "Maison Lune", eur(25)),
    Product(7, "Candle", "home", "Casa", eur(15)),
    Product(8, "Yoga Mat", "sport", "Foulée", eur(35)),
]

STORES: list[Store] = [
    Store(1, "Paris Rivoli", "Paris", "Île-de-France", "flagship", d(2010, 1, 1)),
    Store(2, "Lyon Part-Dieu", "Lyon", "Auvergne-Rhône-Alpes", "mall", d(2012, 1, 1)),
    Store(3, "Roubaix Outlet", "Roubaix", "Hauts-de-France", "outlet", d(2015, 1, 1)),
    Store(4, "Villefontaine Outlet", "Villefontaine", "Auvergne-Rhône-Alpes", "outlet",
          d(2018, 1, 1)),
]

# --- in-store tickets ---------------------------------------------------------------------

# (transaction_id, customer_id, store_id, at, amount, [product ids of its lines])
_TICKETS: list[tuple[int, int | None, int, dt.datetime, str, list[int]]] = [
    (1, 1, 1, ts(2025, 12, 31, 23, 59, 59), "40.00", [3]),
    (2, 2, 1, ts(2026, 1, 1), "60.00", [1]),
    (3, 4, 1, ts(2026, 7, 1), "500.00", [1]),                 # after as_of
    (4, 5, 2, ts(2026, 3, 15, 12), "30.00", [5]),
    (5, 6, 1, ts(2026, 2, 10, 10), "45.00", [3]),
    (6, 7, 2, ts(2026, 4, 1, 9), "70.00", [2]),
    (7, 10, 1, ts(2026, 5, 10, 15), "120.00", [1, 2]),        # two shoe lines, one purchase
    (8, 11, 2, ts(2026, 2, 2, 11), "55.00", [4]),
    (9, 11, 3, ts(2025, 11, 11, 11), "25.00", [6]),
    (10, 12, 4, ts(2026, 6, 15, 16), "35.00", [7]),
    (11, 16, 1, ts(2024, 3, 1, 10), "90.00", [8]),
    (12, 17, 1, ts(2025, 7, 1), "20.00", [3]),
    (13, 18, 1, ts(2025, 6, 30, 23, 59, 59), "20.00", [3]),
    (14, 19, 2, ts(2025, 9, 1, 10), "50.00", [5]),
    (15, 21, 1, ts(2026, 6, 25, 10), "15.00", [6]),
    (16, None, 1, ts(2026, 6, 29, 10), "999.00", [1, 3]),     # anonymous
    (17, None, 2, ts(2026, 6, 10), "10.00", [3]),             # anonymous
    (18, 20, 3, ts(2026, 1, 15), "150.00", [4, 1]),
    (19, 22, 1, ts(2026, 6, 30), "25.00", [3]),               # today, first instant
    (20, 23, 1, ts(2026, 6, 29, 23, 59, 59), "10.00", [3]),   # yesterday, last instant
    (21, 25, 2, ts(2026, 6, 22), "12.00", [8]),               # Monday of last ISO week
    (22, 26, 2, ts(2026, 6, 28, 23, 59, 59), "18.00", [8]),   # Sunday of last ISO week
    (23, 27, 1, ts(2026, 6, 29), "22.00", [7]),               # Monday of this ISO week
    (24, 28, 1, ts(2026, 5, 31, 23, 59, 59), "10.00", [5]),   # last instant of last month
    (25, 29, 1, ts(2026, 5, 1), "10.00", [5]),                # first instant of last month
    (26, 30, 1, ts(2026, 4, 30, 23, 59, 59), "10.00", [5]),
    (27, 31, 1, ts(2026, 3, 31, 23, 59, 59), "40.00", [6]),   # end of Q1 / of March
    (28, 32, 1, ts(2026, 4, 1), "40.00", [6]),                # first instant of Q2
    (29, 33, 1, ts(2025, 1, 1), "20.00", [7]),                # first instant of 2025
    (30, 34, 1, ts(2024, 12, 31, 23, 59, 59), "20.00", [7]),  # last instant of 2024
    (31, 999, 1, ts(2026, 6, 1), "80.00", [1]),               # not a known customer
    (32, 35, 1, ts(2026, 3, 1), "33.00", [3]),                # first instant of March
    (33, 36, 1, ts(2026, 3, 31, 23, 59, 59), "33.00", [3]),   # last instant of March
    (34, 37, 1, ts(2026, 2, 28, 23, 59, 59), "33.00", [3]),   # just before March
    (35, 38, 2, ts(2026, 5, 5, 10), "45.00", [4]),
]

TRANSACTIONS: list[Transaction] = [
    Transaction(tid, cid, sid, at, eur(amount), len(lines))
    for tid, cid, sid, at, amount, lines in _TICKETS
]
TRANSACTION_LINES: list[TransactionLine] = [
    TransactionLine(tid, pid, 1, next(p.unit_price_eur for p in PRODUCTS if p.product_id == pid))
    for tid, _cid, _sid, _at, _amount, lines in _TICKETS
    for pid in lines
]

# --- web and app orders -------------------------------------------------------------------

# (order_id, customer_id, at, amount, device, status, promo, [product ids])
_ORDERS: list[tuple[int, int, dt.datetime, str, str, str, str | None, list[int]]] = [
    (1, 3, ts(2026, 6, 30, 23, 59), "80.00", "desktop", "completed", None, [3]),
    (2, 6, ts(2026, 5, 20, 14), "55.00", "mobile", "completed", "SUMMER10", [4]),
    (3, 7, ts(2026, 4, 2, 10), "30.00", "app", "completed", None, [5]),
    (4, 7, ts(2026, 6, 1, 10), "40.00", "desktop", "completed", None, [1]),
    (5, 8, ts(2026, 5, 1, 10), "100.00", "desktop", "cancelled", None, [1]),
    (6, 8, ts(2026, 6, 1, 10), "100.00", "mobile", "returned", None, [2]),
    (7, 9, ts(2026, 3, 3, 10), "65.00", "desktop", "completed", None, [6]),
    (8, 9, ts(2026, 3, 4, 10), "65.00", "desktop", "cancelled", None, [1]),
    (9, 9, ts(2026, 3, 5, 10), "65.00", "desktop", "returned", None, [1]),
    (10, 10, ts(2026, 5, 11, 10), "75.00", "desktop", "completed", None, [3, 4]),
    (11, 13, ts(2026, 6, 20, 10), "42.00", "mobile", "completed", None, [1]),
    (12, 14, ts(2026, 6, 26, 10), "38.00", "app", "completed", "APP5", [8]),
    (13, 15, ts(2026, 6, 27, 10), "28.00", "tablet", "completed", None, [5]),
    (14, 19, ts(2026, 2, 1, 10), "50.00", "desktop", "completed", None, [3]),
    (15, 23, ts(2026, 6, 29, 10), "60.00", "desktop", "completed", None, [3]),
    (16, 24, ts(2026, 6, 28, 10), "70.00", "desktop", "cancelled", None, [4]),
    (17, 4, ts(2026, 7, 1, 9), "300.00", "app", "completed", None, [2]),   # after as_of
    (18, 38, ts(2026, 1, 1), "200.00", "desktop", "completed", None, [2]),
    (19, 39, ts(2025, 12, 31, 23, 59, 59), "90.00", "mobile", "cancelled", None, [4]),
    (20, 39, ts(2026, 2, 2, 10), "90.00", "mobile", "completed", None, [4]),
]

ORDERS: list[Order] = [
    Order(oid, cid, at, eur(amount), device, status, promo)
    for oid, cid, at, amount, device, status, promo, _lines in _ORDERS
]
ORDER_LINES: list[OrderLine] = [
    OrderLine(oid, pid, 1, next(p.unit_price_eur for p in PRODUCTS if p.product_id == pid))
    for oid, _c, _a, _m, _d, _s, _p, lines in _ORDERS
    for pid in lines
]

# --- site and app analytics ---------------------------------------------------------------

WEB_EVENTS: list[WebEvent] = [
    WebEvent(1, 21, "s1", "add_to_cart", ts(2026, 6, 24), 1, "desktop"),
    WebEvent(2, 22, "s2", "add_to_cart", ts(2026, 6, 23, 23, 59, 59), 1, "mobile"),
    WebEvent(3, 23, "s3", "add_to_cart", ts(2026, 6, 28), 3, "desktop"),
    WebEvent(4, 24, "s4", "add_to_cart", ts(2026, 6, 27), 4, "mobile"),
    WebEvent(5, 25, "s5", "product_view", ts(2026, 6, 15, 10), 2, "desktop"),
    WebEvent(6, 25, "s5", "search", ts(2026, 6, 15, 10, 1), None, "desktop"),
    WebEvent(7, 25, "s5", "page_view", ts(2026, 6, 15, 10, 2), None, "desktop"),
    WebEvent(8, 26, "s6", "product_view", ts(2026, 6, 16), 3, "app"),
    WebEvent(9, None, "s7", "add_to_cart", ts(2026, 6, 29), 1, "desktop"),    # anonymous
    WebEvent(10, None, "s7", "page_view", ts(2026, 6, 29), None, "desktop"),  # anonymous
    WebEvent(11, 14, "s8", "add_to_cart", ts(2026, 6, 25), 8, "app"),
    WebEvent(12, 13, "s9", "add_to_cart", ts(2026, 6, 25), 1, "mobile"),
    WebEvent(13, 27, "s10", "page_view", ts(2026, 7, 1), None, "desktop"),   # after as_of
    WebEvent(14, 30, "s11", "add_to_cart", ts(2026, 6, 30, 23, 59), 6, "mobile"),
    WebEvent(15, 29, "s12", "checkout_start", ts(2026, 6, 2), None, "desktop"),
    WebEvent(16, 9, "s13", "product_view", ts(2025, 3, 3), 1, "tablet"),
]

# --- email --------------------------------------------------------------------------------

CAMPAIGNS: list[Campaign] = [
    Campaign(1, "Summer sale", "promo", ts(2026, 6, 10, 8)),
    Campaign(2, "June newsletter", "newsletter", ts(2026, 6, 5, 8)),
    Campaign(3, "New in", "new_collection", ts(2026, 6, 12, 8)),
    Campaign(4, "Gold members", "loyalty", ts(2025, 10, 1, 8)),
    Campaign(5, "We miss you", "reactivation", ts(2026, 3, 1, 8)),
]

EMAIL_EVENTS: list[EmailEvent] = [
    EmailEvent(26, 1, "sent", ts(2026, 6, 10, 8)),
    EmailEvent(26, 1, "open", ts(2026, 6, 10, 9)),
    EmailEvent(27, 3, "sent", ts(2026, 6, 12, 8)),
    EmailEvent(27, 3, "open", ts(2026, 6, 12, 9)),
    EmailEvent(27, 3, "click", ts(2026, 6, 12, 9, 5)),
    EmailEvent(28, 2, "sent", ts(2026, 6, 5, 8)),
    EmailEvent(28, 2, "bounce", ts(2026, 6, 5, 8, 1)),
    EmailEvent(29, 4, "sent", ts(2025, 10, 1, 8)),
    EmailEvent(29, 4, "open", ts(2025, 10, 2, 8)),
    EmailEvent(16, 5, "sent", ts(2026, 3, 1, 8)),
    EmailEvent(16, 5, "open", ts(2026, 3, 1, 9)),
    EmailEvent(16, 5, "click", ts(2026, 3, 2, 9)),
    EmailEvent(1, 1, "sent", ts(2026, 6, 10, 8)),
    EmailEvent(1, 2, "sent", ts(2026, 6, 5, 8)),
    EmailEvent(1, 2, "open", ts(2026, 6, 5, 10)),
    EmailEvent(2, 1, "sent", ts(2026, 6, 10, 8)),
    EmailEvent(2, 1, "open", ts(2026, 7, 1)),       # after as_of
    EmailEvent(5, 2, "sent", ts(2026, 6, 5, 8)),
    EmailEvent(5, 2, "unsubscribe", ts(2026, 6, 6, 8)),
]

# --- customer service ---------------------------------------------------------------------

TICKETS: list[Ticket] = [
    Ticket(1, 30, ts(2026, 6, 1, 10), "delivery", "closed", 2),
    Ticket(2, 31, ts(2026, 6, 2, 10), "product", "closed", 3),
    Ticket(3, 32, ts(2026, 6, 3, 10), "return", "open", None),
    Ticket(4, 33, ts(2025, 1, 15, 10), "payment", "closed", 1),
    Ticket(5, None, ts(2026, 6, 4, 10), "account", "closed", 1),   # anonymous
    Ticket(6, 34, ts(2026, 7, 1), "delivery", "open", 1),          # after as_of
    Ticket(7, 35, ts(2026, 1, 1), "account", "closed", 2),
]


@dataclass(frozen=True)
class Dataset:
    """The rows inserted by :func:`build`, for an oracle written in plain Python."""

    as_of: dt.date
    customers: list[Customer] = field(default_factory=lambda: list(CUSTOMERS))
    scores: list[ScoreRow] = field(default_factory=lambda: list(SCORES))
    stores: list[Store] = field(default_factory=lambda: list(STORES))
    products: list[Product] = field(default_factory=lambda: list(PRODUCTS))
    transactions: list[Transaction] = field(default_factory=lambda: list(TRANSACTIONS))
    transaction_lines: list[TransactionLine] = field(
        default_factory=lambda: list(TRANSACTION_LINES))
    orders: list[Order] = field(default_factory=lambda: list(ORDERS))
    order_lines: list[OrderLine] = field(default_factory=lambda: list(ORDER_LINES))
    web_events: list[WebEvent] = field(default_factory=lambda: list(WEB_EVENTS))
    campaigns: list[Campaign] = field(default_factory=lambda: list(CAMPAIGNS))
    email_events: list[EmailEvent] = field(default_factory=lambda: list(EMAIL_EVENTS))
    tickets: list[Ticket] = field(default_factory=lambda: list(TICKETS))

    @property
    def customer_ids(self) -> set[int]:
        return {c.customer_id for c in self.customers}


_TABLES: list[tuple[str, str]] = [
    ("crm.customers", "customers"), ("crm.scores", "scores"), ("pos.stores", "stores"),
    ("product.products", "products"), ("pos.transactions", "transactions"),
    ("pos.transaction_lines", "transaction_lines"), ("ecom.orders", "orders"),
    ("ecom.order_lines", "order_lines"), ("web.events", "web_events"),
    ("email.campaigns", "campaigns"), ("email.events", "email_events"),
    ("support.tickets", "tickets"),
]


def build(con: duckdb.DuckDBPyConnection, create_schema: bool = True) -> Dataset:
    """Insert the dataset in ``con`` (creating the empty demo schema first) and return it."""
    if create_schema:
        create_demo_schema(con)
    ds = Dataset(as_of=AS_OF)
    con.execute("INSERT INTO meta.dataset VALUES (?, ?, ?)",
                [AS_OF, 0, len(ds.customers)])
    for table, attr in _TABLES:
        rows: list[tuple[Any, ...]] = getattr(ds, attr)
        width = len(rows[0])
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})",
                        [tuple(r) for r in rows])
    return ds
