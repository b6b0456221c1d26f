"""Computed columns (issue 11 §1): a birth date made of year, month and day columns, checked
by sqlglot against an allow-list when the catalog loads, then used like a stored column.

Birth dates (``test_star_schema_fixture.PEOPLE``), as of 2024-06-30: 1 is 1990-07-01 (33),
2 is 1990-06-30 (34), 3 is 1950-01-15 (74), 4 has none, 5 is 2000-02-29 (24), 6 is
1984-06-30 (40), 7 is 1984-07-01 (39), 8 is 2010-12-31 (13).
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_star_schema_fixture import (
    AS_OF,
    audience,
    catalog_data,
    compiled_sql,
    database,
    edited,
    load,
    rows,
    star_catalog,
)

from nl2seg.errors import CatalogError
from nl2seg.rule.nodes import (
    Age,
    AnyOf,
    Attribute,
    CalendarWindow,
    Condition,
    DateIn,
    DatesWindow,
    LastWindow,
    Not,
    Score,
)

CATALOG = star_catalog()
CON = database([])
BIRTH = "shop.customers.birth_date"
#: The same birth date, by hand.
BORN = "make_date(c.birth_year, c.birth_month, c.birth_day)"


def age(op: str, value: int | None = None, values: list[int] | None = None) -> Age:
    return Age.model_validate({"field": BIRTH, "op": op, "value": value, "values": values})


@pytest.mark.parametrize(("where", "expected", "by_hand"), [
    (age("gte", 34), {2, 3, 6, 7}, f"{BORN} <= DATE '1990-06-30'"),
    (age("lt", 34), {1, 5, 8}, f"{BORN} > DATE '1990-06-30'"),
    (age("eq", 40), {6}, f"{BORN} > DATE '1983-06-30' AND {BORN} <= DATE '1984-06-30'"),
    (age("eq", 24), {5}, f"{BORN} > DATE '1999-06-30' AND {BORN} <= DATE '2000-06-30'"),
    (age("between", values=[30, 39]), {1, 2, 7},
     f"{BORN} > DATE '1984-06-30' AND {BORN} <= DATE '1994-06-30'"),
    (Not(condition=age("gte", 18)), {4, 8},
     f"NOT COALESCE({BORN} <= DATE '2006-06-30', FALSE)"),
    (DateIn(field=BIRTH, window=DatesWindow(since=dt.date(1984, 1, 1),
                                            before=dt.date(1991, 1, 1))), {1, 2, 6, 7},
     f"{BORN} >= DATE '1984-01-01' AND {BORN} < DATE '1991-01-01'"),
    (DateIn(field=BIRTH, window=CalendarWindow(unit="year", offset=-14)), {8},
     f"year({BORN}) = 2010"),
    (AnyOf(conditions=[age("gte", 70), DateIn(field=BIRTH, window=LastWindow(
        n=15, unit="year"))]), {3, 8}, f"{BORN} <= DATE '1954-06-30' OR {BORN} >= "
     "DATE '2009-07-01'"),
])
def test_a_birth_date_computed_from_three_columns(where: Condition, expected: set[int],
                                                  by_hand: str) -> None:
    assert rows(CON, f"SELECT c.customer_id FROM shop.customers c WHERE {by_hand}") == expected
    assert audience(CATALOG, CON, where) == expected


def test_the_computed_column_is_its_expression_over_the_table_alias() -> None:
    sql = compiled_sql(CATALOG, age("gte", 34))
    assert "MAKE_DATE(c.birth_year, c.birth_month, c.birth_day)" in sql
    assert "birth_date" not in sql  # the column does not exist in the database


def test_a_computed_column_of_a_profile_lookup() -> None:
    data = edited(catalog_data(), ["tables", "shop.address", "columns", "state_code"],
                  {"type": "VARCHAR", "expr": "lower(state)"})
    cat = load(data)
    assert "shop.address.state_code" in cat.profile_fields()
    where = Attribute(field="shop.address.state_code", op="eq", value="ca")
    assert audience(cat, CON, where) == {1, 6}
    assert audience(cat, CON, Not(condition=where)) == {2, 3, 4, 5, 7, 8}


def test_top_percent_on_a_computed_number_of_the_customer_table() -> None:
    """Years 1950, 1984, 1984, 1990, 1990, 2000, 2010 (4 unknown): the median is 1990."""
    data = edited(catalog_data(), ["tables", "shop.customers", "columns", "cohort"],
                  {"type": "INTEGER", "expr": "birth_year"})
    cat = load(data)
    assert audience(cat, CON, Score(field="shop.customers.cohort", op="top_percent",
                                    value=50)) == {1, 2, 5, 8}


# -- refused when the catalog loads -------------------------------------------------------
_WHERE = ("star.yaml is not a valid catalog:\n  - (top level): Value error, "
          "tables.shop.customers.columns.birth_date.expr: ")
_ALLOWED = (", which a computed column may not (allowed: columns of the same table, literals,"
            " arithmetic, comparisons, CASE, CAST, COALESCE, MAKE_DATE, CONCAT, LOWER, UPPER, "
            "TRIM, SUBSTRING, ROUND)")


def _refusal(expr: str, column: str = "birth_date") -> str:
    data = edited(catalog_data(), ["tables", "shop.customers", "columns", column, "expr"], expr)
    with pytest.raises(CatalogError) as info:
        load(data)
    assert info.value.code == "catalog_invalid"
    return str(info.value)


@pytest.mark.parametrize(("expr", "message"), [
    ("(SELECT max(birth_year) FROM shop.customers)",
     "'(SELECT max(birth_year) FROM shop.customers)' uses SUBQUERY" + _ALLOWED),
    ("birth_year IN (SELECT 1)", "'birth_year IN (SELECT 1)' uses SUBQUERY" + _ALLOWED),
    ("shop.address.state", "'shop.address.state' names table 'address': a computed column "
                           "reads its own table's columns only"),
    ("a.birth_year + 1", "'a.birth_year + 1' names table 'a': a computed column reads its "
                         "own table's columns only"),
    ("birth_year + nope", "'birth_year + nope' reads unknown column 'nope'"),
    ("read_csv('/etc/passwd')", "'read_csv('/etc/passwd')' uses READCSV" + _ALLOWED),
    ("current_date", "'current_date' uses CURRENTDATE" + _ALLOWED),
    ("sum(birth_year)", "'sum(birth_year)' uses SUM" + _ALLOWED),
    ("1; DROP TABLE shop.customers", "'1; DROP TABLE shop.customers' uses BLOCK" + _ALLOWED),
])
def test_what_a_computed_column_may_not_do(expr: str, message: str) -> None:
    assert _refusal(expr) == _WHERE + message


def test_an_unknown_function_is_refused() -> None:
    assert _refusal("my_udf(birth_year)").startswith(_WHERE + "'my_udf(birth_year)' uses ")


def test_an_unknown_function_is_named_in_the_refusal() -> None:
    assert "my_udf" in _refusal("my_udf(birth_year)").removeprefix(
        _WHERE + "'my_udf(birth_year)'")


def test_a_computed_column_cannot_be_a_key() -> None:
    data = edited(catalog_data(), ["tables", "shop.customers", "columns", "address_sk", "expr"],
                  "birth_year")
    with pytest.raises(CatalogError) as info:
        load(data)
    assert ("tables.shop.customers.columns.address_sk: a computed column cannot be a key"
            in str(info.value))


def test_the_date_is_computed_at_the_reference_date_not_today() -> None:
    later = dt.date(2034, 6, 30)  # ten years on: 6 is 50
    assert audience(CATALOG, CON, age("eq", 50), as_of=later) == {6}
    assert AS_OF.year == 2024
