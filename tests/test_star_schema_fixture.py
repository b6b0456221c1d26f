"""A small star schema (issue 11), shared by the ``test_star_schema_*`` tests.

The same sales are stored twice: at ticket grain (``shop.tickets`` with its precomputed
amount, and ``shop.ticket_lines``) and at line grain (``shop.sales``, one row per line with
the ticket number, as TPC-DS's ``store_sales``). Dates are keys into ``shop.date_dim``. The
customer reaches an address and a household (→ its income band) through references; a store
is referenced but is not a profile lookup; a birth date is computed from three columns.

Three catalogs describe the sales: ``ticket`` (category through lines → items), ``line``
(``grain: line``, category through items, amount summed) and ``flat`` (line grain with the
category copied on each line, as a denormalised warehouse has it).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import duckdb
import yaml

from nl2seg.catalog.load import parse_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.compile.compiler import compile_rule
from nl2seg.rule.nodes import Condition, Rule
from nl2seg.validate import validate

AS_OF = dt.date(2024, 6, 30)
Layout = Literal["ticket", "line", "flat"]
LAYOUTS: tuple[Layout, ...] = ("ticket", "line", "flat")

#: date_sk → day. 10 is after AS_OF; 11 is a dimension row without a date; sales may also
#: carry 99 (no dimension row) or NULL.
DAYS: dict[int, dt.date | None] = {
    1: dt.date(2022, 3, 15), 2: dt.date(2023, 6, 30), 3: dt.date(2023, 7, 1),
    4: dt.date(2023, 12, 31), 5: dt.date(2024, 1, 1), 6: dt.date(2024, 3, 31),
    7: dt.date(2024, 4, 1), 8: dt.date(2024, 6, 1), 9: dt.date(2024, 6, 30),
    10: dt.date(2024, 7, 1), 11: None,
}
DANGLING_DATE = 99
#: item_sk → category: 5 has none, 6 is not in the items table.
CATEGORIES: dict[int, str | None] = {1: "food", 2: "food", 3: "toys", 4: "books", 5: None}
DANGLING_ITEM = 6
CUSTOMERS = tuple(range(1, 9))
#: A customer key found in sales but not in the customer table (an orphan sale).
ORPHAN = 9


@dataclass(frozen=True)
class Line:
    item: int
    amount: Decimal


@dataclass(frozen=True)
class Ticket:
    id: int
    customer: int | None
    date_sk: int | None
    store: int
    lines: tuple[Line, ...]

    @property
    def amount(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0"))

    @property
    def day(self) -> dt.date | None:
        return DAYS.get(self.date_sk) if self.date_sk is not None else None


# -- profile data (fixed) --------------------------------------------------------------------
#: customer_id, address_sk, household_sk, store_sk, birth year, month, day
PEOPLE: list[tuple[Any, ...]] = [
    (1, 10, 100, 1, 1990, 7, 1),     # CA, band low; turns 34 on 2024-07-01
    (2, 11, 101, 2, 1990, 6, 30),    # NY, band high; 34 on AS_OF
    (3, 12, 102, None, 1950, 1, 15),  # address without a state; household without a band
    (4, None, None, 1, None, None, None),  # no address, no household, no birth date
    (5, 77, 177, 9, 2000, 2, 29),    # dangling address, household and store
    (6, 10, 100, 2, 1984, 6, 30),    # CA, low band; 40 on AS_OF
    (7, 11, 103, 1, 1984, 7, 1),     # NY, dangling band through its household
    (8, 13, 101, 1, 2010, 12, 31),   # TX, high band
]
#: address_sk, state, moved_in, sqft
ADDRESSES = [(10, "CA", dt.date(2024, 5, 1), 80), (11, "NY", dt.date(2020, 1, 1), 120),
             (12, None, None, None), (13, "TX", dt.date(2024, 6, 30), 200)]
#: household_sk, income_band_sk, vehicles
HOUSEHOLDS = [(100, 1, 2), (101, 2, 0), (102, None, 1), (103, 55, 3)]
#: income_band_sk, band, lower_bound
INCOME_BANDS = [(1, "low", 0), (2, "high", 50000)]
#: store_sk, city
STORES = [(1, "Paris"), (2, "Lyon")]


# -- the catalog ------------------------------------------------------------------------------
def _labels(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or en}


def _values(*names: str) -> list[dict[str, Any]]:
    return [{"value": n} for n in names]


DATE_VIA = [{"table": "shop.date_dim", "join_on": {"date_sk": "date_sk"}}]


def catalog_data(layout: Layout = "line", time_type: str = "DATE") -> dict[str, Any]:
    """The catalog as YAML-ready data; ``layout`` chooses how the purchase is stored and
    ``time_type`` the type of the date dimension's day."""
    tables: dict[str, Any] = {
        "shop.customers": {
            "source": "shop", "grain": "customer", "primary_key": ["customer_id"],
            "customer_key": "customer_id",
            "references": {"address_sk": "shop.address.address_sk",
                           "household_sk": "shop.household.household_sk",
                           "store_sk": "shop.stores.store_sk"},
            "columns": {
                "customer_id": {"type": "BIGINT"},
                "address_sk": {"type": "BIGINT"},
                "household_sk": {"type": "BIGINT"},
                "store_sk": {"type": "BIGINT"},
                "birth_year": {"type": "INTEGER"},
                "birth_month": {"type": "INTEGER"},
                "birth_day": {"type": "INTEGER"},
                "birth_date": {"type": "DATE", "role": "birth_date", "pii": True,
                               "label": _labels("birth date"),
                               "expr": "make_date(birth_year, birth_month, birth_day)"},
            },
        },
        "shop.address": {
            "source": "shop", "grain": "lookup", "profile": True, "primary_key": ["address_sk"],
            "columns": {
                "address_sk": {"type": "BIGINT"},
                "state": {"type": "VARCHAR", "label": _labels("state", "état"),
                          "values": _values("CA", "NY", "TX")},
                "moved_in": {"type": "DATE"},
                "sqft": {"type": "INTEGER"},
            },
        },
        "shop.household": {
            "source": "shop", "grain": "lookup", "profile": True,
            "primary_key": ["household_sk"],
            "references": {"income_band_sk": "shop.income_band.income_band_sk"},
            "columns": {"household_sk": {"type": "BIGINT"},
                        "income_band_sk": {"type": "BIGINT"},
                        "vehicles": {"type": "INTEGER"}},
        },
        "shop.income_band": {
            "source": "shop", "grain": "lookup", "profile": True,
            "primary_key": ["income_band_sk"],
            "columns": {"income_band_sk": {"type": "BIGINT"},
                        "band": {"type": "VARCHAR", "label": _labels("income band"),
                                 "values": _values("low", "high")},
                        "lower_bound": {"type": "INTEGER"}},
        },
        "shop.stores": {
            "source": "shop", "grain": "lookup", "primary_key": ["store_sk"],
            "columns": {"store_sk": {"type": "BIGINT"}, "city": {"type": "VARCHAR"}},
        },
        "shop.date_dim": {
            "source": "shop", "grain": "lookup", "primary_key": ["date_sk"],
            "columns": {"date_sk": {"type": "BIGINT"}, "d_date": {"type": time_type}},
        },
        "shop.items": {
            "source": "shop", "grain": "lookup", "primary_key": ["item_sk"],
            "columns": {"item_sk": {"type": "BIGINT"},
                        "category": {"type": "VARCHAR",
                                     "values": _values("food", "toys", "books")}},
        },
        "shop.tickets": {
            "source": "shop", "grain": "event", "primary_key": ["ticket_id"],
            "customer_key": "customer_id",
            "columns": {"ticket_id": {"type": "BIGINT"}, "customer_id": {"type": "BIGINT"},
                        "date_sk": {"type": "BIGINT"}, "store_sk": {"type": "BIGINT"},
                        "amount": {"type": "DECIMAL(10,2)"}},
        },
        "shop.ticket_lines": {
            "source": "shop", "grain": "detail",
            "columns": {"ticket_id": {"type": "BIGINT"}, "item_sk": {"type": "BIGINT"},
                        "amount": {"type": "DECIMAL(10,2)"}},
        },
        "shop.sales": {
            "source": "shop", "grain": "event", "customer_key": "customer_id",
            "columns": {"customer_id": {"type": "BIGINT"}, "date_sk": {"type": "BIGINT"},
                        "ticket_number": {"type": "BIGINT"}, "item_sk": {"type": "BIGINT"},
                        "amount": {"type": "DECIMAL(10,2)"}, "category": {"type": "VARCHAR"}},
        },
    }
    time = {"column": "d_date", "via": DATE_VIA}
    if layout == "ticket":
        source: dict[str, Any] = {
            "name": "store", "table": "shop.tickets", "time": time, "key": "ticket_id",
            "properties": {
                "amount": {"column": "amount"},
                "category": {"column": "category", "via": [
                    {"table": "shop.ticket_lines", "join_on": {"ticket_id": "ticket_id"}},
                    {"table": "shop.items", "join_on": {"item_sk": "item_sk"}}]},
            }}
    else:
        category: dict[str, Any] = {"column": "category"} if layout == "flat" else {
            "column": "category",
            "via": [{"table": "shop.items", "join_on": {"item_sk": "item_sk"}}]}
        source = {"name": "store", "table": "shop.sales", "time": time, "key": "ticket_number",
                  "grain": "line",
                  "properties": {"amount": {"column": "amount", "aggregate": "sum"},
                                 "category": category}}
    return {
        "catalog": f"star_{layout}", "version": "1",
        "entity": {"name": "customer", "table": "shop.customers", "key": "customer_id",
                   "label": _labels("customer", "client")},
        "reference_date": {"date": AS_OF.isoformat()},
        "sources": {"shop": {"label": _labels("shop"), "refresh": {"cadence": "daily"}}},
        "tables": tables,
        "events": {"purchase": {
            "label": _labels("purchase", "achat"),
            "properties": {
                "amount": {"type": "DECIMAL(10,2)", "label": _labels("amount", "montant")},
                "category": {"type": "VARCHAR", "label": _labels("category", "catégorie"),
                             "values_from": "shop.items.category"},
            },
            "sources": [source],
        }},
    }


def load(data: dict[str, Any]) -> Catalog:
    """The catalog as a user would load it: YAML text through :func:`parse_catalog`."""
    return parse_catalog(yaml.safe_dump(data, allow_unicode=True), origin="star.yaml")


def star_catalog(layout: Layout = "line", time_type: str = "DATE") -> Catalog:
    return load(catalog_data(layout, time_type))


def edited(data: dict[str, Any], path: Sequence[str], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``value`` set at ``path`` (keys)."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


# -- the data ---------------------------------------------------------------------------------
def _insert(con: duckdb.DuckDBPyConnection, table: str, values: Sequence[Sequence[Any]]) -> None:
    """One INSERT for all rows (``executemany`` prepares a statement per row: slow)."""
    if not values:
        return
    row = "(" + ", ".join("?" * len(values[0])) + ")"
    con.execute(f"INSERT INTO {table} VALUES " + ", ".join([row] * len(values)),
                [v for r in values for v in r])


def database(tickets: Iterable[Ticket], time_type: str = "DATE") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the profile tables and ``tickets`` stored both ways."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA shop")
    con.execute("CREATE TABLE shop.customers (customer_id BIGINT, address_sk BIGINT, "
                "household_sk BIGINT, store_sk BIGINT, birth_year INTEGER, birth_month INTEGER,"
                " birth_day INTEGER)")
    _insert(con, "shop.customers", PEOPLE)
    con.execute("CREATE TABLE shop.address (address_sk BIGINT, state VARCHAR, moved_in DATE, "
                "sqft INTEGER)")
    _insert(con, "shop.address", ADDRESSES)
    con.execute("CREATE TABLE shop.household (household_sk BIGINT, income_band_sk BIGINT, "
                "vehicles INTEGER)")
    _insert(con, "shop.household", HOUSEHOLDS)
    con.execute("CREATE TABLE shop.income_band (income_band_sk BIGINT, band VARCHAR, "
                "lower_bound INTEGER)")
    _insert(con, "shop.income_band", INCOME_BANDS)
    con.execute("CREATE TABLE shop.stores (store_sk BIGINT, city VARCHAR)")
    _insert(con, "shop.stores", STORES)
    con.execute(f"CREATE TABLE shop.date_dim (date_sk BIGINT, d_date {time_type})")
    _insert(con, "shop.date_dim", list(DAYS.items()))
    con.execute("CREATE TABLE shop.items (item_sk BIGINT, category VARCHAR)")
    _insert(con, "shop.items", list(CATEGORIES.items()))
    con.execute("CREATE TABLE shop.tickets (ticket_id BIGINT, customer_id BIGINT, "
                "date_sk BIGINT, store_sk BIGINT, amount DECIMAL(10,2))")
    con.execute("CREATE TABLE shop.ticket_lines (ticket_id BIGINT, item_sk BIGINT, "
                "amount DECIMAL(10,2))")
    con.execute("CREATE TABLE shop.sales (customer_id BIGINT, date_sk BIGINT, "
                "ticket_number BIGINT, item_sk BIGINT, amount DECIMAL(10,2), category VARCHAR)")
    load_sales(con, tickets)
    return con


def load_sales(con: duckdb.DuckDBPyConnection, tickets: Iterable[Ticket]) -> None:
    """Replace the sales, stored both ways (a connection costs 0.1 s: reuse it)."""
    for name in ("shop.tickets", "shop.ticket_lines", "shop.sales"):
        con.execute(f"DELETE FROM {name}")
    tickets = list(tickets)
    lines = [(t, ln) for t in tickets for ln in t.lines]
    _insert(con, "shop.tickets", [(t.id, t.customer, t.date_sk, t.store, t.amount)
                                  for t in tickets])
    _insert(con, "shop.ticket_lines", [(t.id, ln.item, ln.amount) for t, ln in lines])
    _insert(con, "shop.sales", [(t.customer, t.date_sk, t.id, ln.item, ln.amount,
                                 CATEGORIES.get(ln.item)) for t, ln in lines])


def compiled_sql(catalog: Catalog, where: Condition, as_of: dt.date = AS_OF) -> str:
    """The audience query of ``where`` (validated, compiled, safety-checked), memoised: the
    generated tests run the same rule on many data sets."""
    key = (id(catalog), where.model_dump_json(), as_of)
    if key not in _SQL:
        compiled = compile_rule(validate(Rule(where=where), catalog, as_of))
        _SQL[key] = compiled.sql(pretty=False)
    return _SQL[key]


_SQL: dict[tuple[int, str, dt.date], str] = {}


def audience(catalog: Catalog, con: duckdb.DuckDBPyConnection, where: Condition,
             as_of: dt.date = AS_OF) -> set[int]:
    """The customer ids of the compiled rule, run on ``con``."""
    return {int(r[0]) for r in con.execute(compiled_sql(catalog, where, as_of)).fetchall()}


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> set[int]:
    """The ids a hand-written query returns."""
    return {int(r[0]) for r in con.execute(sql).fetchall()}


def test_the_three_layouts_and_both_time_types_load() -> None:
    for layout in LAYOUTS:
        for time_type in ("DATE", "TIMESTAMP"):
            cat = star_catalog(layout, time_type)
            assert cat.events["purchase"].sources[0].time_path.column == "d_date"
