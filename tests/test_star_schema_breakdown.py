"""Breakdowns by a field of a profile lookup (issue 11 §1): the segment analysis joins the
field's table as the compiler does (``nl2seg.compile.paths.ProfileJoins``).

Customers (``test_star_schema_fixture.PEOPLE``): states 1 CA, 2 NY, 3 none, 4 no address,
5 a dangling address, 6 CA, 7 NY, 8 TX; bands 1 low, 2 high, 6 low, 8 high, the others
unknown; ages at 2024-06-30: 1 33, 2 34, 3 74, 4 unknown, 5 24, 6 40, 7 39, 8 13.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from test_star_schema_fixture import AS_OF, Line, Ticket, database, load_sales, star_catalog

from nl2seg.catalog import load_catalog
from nl2seg.compile.compiler import CompiledRule, compile_rule
from nl2seg.rule.nodes import Attribute, Condition, EventCondition, LastWindow, Rule, Score
from nl2seg.segment_analysis import breakdown, dimensions
from nl2seg.validate import validate

CATALOG = star_catalog()
CON = database([])


def _compiled(where: Condition) -> CompiledRule:
    return compile_rule(validate(Rule(where=where), CATALOG, AS_OF))


#: 1, 6 and 7: households with two vehicles or more
AUDIENCE = _compiled(Score(field="shop.household.vehicles", op="gte", value=2))


def _counts(field: str) -> list[tuple[str, int, int]]:
    return [(r.value, r.audience, r.base)
            for r in breakdown(AUDIENCE, CON, field, lang="en").rows]


def test_breakdown_by_the_state_of_the_address() -> None:
    assert _counts("shop.address.state") == [
        ("CA", 2, 2), ("NY", 1, 2), ("TX", 0, 1), ("unknown", 0, 3)]


def test_breakdown_by_the_income_band_two_references_away() -> None:
    assert _counts("shop.income_band.band") == [
        ("high", 0, 2), ("low", 2, 2), ("unknown", 1, 4)]


def test_breakdown_by_age_band_from_a_computed_birth_date() -> None:
    assert _counts("shop.customers.birth_date") == [
        ("18-24", 0, 1), ("25-34", 1, 2), ("35-44", 2, 2), ("65+", 0, 1), ("unknown", 0, 2)]


def test_shares_and_index_of_a_lookup_breakdown() -> None:
    rows = {r.value: r for r in breakdown(AUDIENCE, CON, "shop.address.state", "en").rows}
    assert rows["CA"].audience_share == pytest.approx(2 / 3)
    assert rows["CA"].base_share == pytest.approx(2 / 8)
    assert rows["CA"].index == pytest.approx(100 * (2 / 3) / (2 / 8))


def test_breakdown_of_an_event_audience_by_a_lookup_field() -> None:
    con = database([])
    load_sales(con, [Ticket(1, 1, 9, 1, (Line(1, Decimal("5")),)),
                     Ticket(2, 7, 8, 1, (Line(1, Decimal("5")),)),
                     Ticket(3, 5, 8, 1, (Line(1, Decimal("5")),))])
    compiled = _compiled(EventCondition(event="purchase", window=LastWindow(n=1, unit="year")))
    got = [(r.value, r.audience) for r in breakdown(compiled, con, "shop.address.state",
                                                    "en").rows]
    assert got == [("CA", 1), ("NY", 1), ("TX", 0), ("unknown", 1)]


def test_the_dimensions_include_lookup_fields_with_a_value_list() -> None:
    dims = dimensions(CATALOG, "en")
    assert dims["shop.address.state"] == "state"
    assert dims["shop.income_band.band"] == "income band"
    assert dims["shop.customers.birth_date"] == "age band"
    assert not [d for d in dims if d.startswith(("shop.stores.", "shop.items."))]


# -- the one-row-per-customer tables still break down as before ------------------------------
@pytest.mark.parametrize("field", ["crm.customers.loyalty_tier", "crm.scores.rfm_segment"])
def test_breakdown_on_the_demo_against_hand_written_sql(demo_db: Path, field: str) -> None:
    catalog = load_catalog()
    as_of = dt.date(2026, 6, 30)
    where = Attribute(field="crm.customers.gender", op="eq", value="F")
    compiled = compile_rule(validate(Rule(where=where), catalog, as_of))
    table, column = field.rsplit(".", 1)
    join = "" if table == "crm.customers" else (
        f"LEFT JOIN {table} d ON d.customer_id = e.customer_id")
    owner = "e" if table == "crm.customers" else "d"
    by_hand = (f"SELECT {owner}.{column}, COUNT(*) FILTER (WHERE e.gender = 'F'), COUNT(*) "
               f"FROM crm.customers e {join} GROUP BY 1 ORDER BY 1")
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        expected = [(int(r[1]), int(r[2])) for r in con.execute(by_hand).fetchall()]
        got = [(r.audience, r.base) for r in breakdown(compiled, con, field, "en").rows]
    finally:
        con.close()
    assert got == expected
