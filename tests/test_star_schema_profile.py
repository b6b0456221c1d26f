"""Profile fields through references (issue 11 §1): an address and a household (→ its income
band, two hops) reached many-to-one from the customer row, LEFT JOINed so nobody is lost.

The customers (see ``test_star_schema_fixture.PEOPLE``): 1 and 6 live in CA, 2 and 7 in NY,
8 in TX; 3's address has no state; 4 has no address key; 5's keys lead nowhere. Bands: 1 and
6 low, 2 and 8 high; 3's household has no band, 7's band key leads nowhere.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_star_schema_fixture import (
    AS_OF,
    audience,
    catalog_data,
    database,
    edited,
    load,
    rows,
    star_catalog,
)

from nl2seg.compile.compiler import compile_rule
from nl2seg.errors import CatalogError, RuleValidationError
from nl2seg.preview import preview
from nl2seg.rule.nodes import (
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    LastWindow,
    Not,
    Rule,
    Score,
)
from nl2seg.validate import validate

CATALOG = star_catalog()
CON = database([])
EVERYONE = set(range(1, 9))


def attr(field: str, op: str, value: object = None, values: list[object] | None = None,
         ) -> Attribute:
    return Attribute.model_validate({"field": field, "op": op, "value": value,
                                     "values": values})


STATE = "shop.address.state"
BAND = "shop.income_band.band"


@pytest.mark.parametrize(("where", "expected"), [
    (attr(STATE, "eq", "CA"), {1, 6}),
    (attr(STATE, "in", values=["NY", "TX"]), {2, 7, 8}),
    (attr(STATE, "ne", "CA"), {2, 3, 4, 5, 7, 8}),
    (attr(STATE, "not_in", values=["NY", "TX"]), {1, 3, 4, 5, 6}),
    (attr(STATE, "is_null"), {3, 4, 5}),
    (attr(BAND, "eq", "low"), {1, 6}),
    (attr(BAND, "is_null"), {3, 4, 5, 7}),
    (attr("shop.household.vehicles", "gte", 2), {1, 6, 7}),
    (AnyOf(conditions=[attr(STATE, "eq", "CA"), attr(BAND, "eq", "high")]), {1, 2, 6, 8}),
])
def test_a_field_of_a_lookup_reached_by_references(where: Condition, expected: set[int]) -> None:
    assert audience(CATALOG, CON, where) == expected


@pytest.mark.parametrize("inner", [attr(STATE, "eq", "CA"), attr(BAND, "eq", "low"),
                                   attr(STATE, "in", values=["CA", "NY"]),
                                   attr("shop.household.vehicles", "gte", 2)])
def test_not_is_the_complement_customers_without_a_key_or_with_a_dangling_one_included(
        inner: Condition) -> None:
    """4 has no address key, 5's keys dangle, 3's household has no band: NOT keeps them."""
    inside = audience(CATALOG, CON, inner)
    assert audience(CATALOG, CON, Not(condition=inner)) == EVERYONE - inside
    assert {4, 5} <= EVERYONE - inside


def test_the_lookups_are_left_joined_many_to_one_so_the_base_is_every_customer() -> None:
    """The preview counts rows of the joined source: a repeated or lost customer shows."""
    where = AnyOf(conditions=[attr(STATE, "eq", "CA"), attr(BAND, "eq", "high")])
    compiled = compile_rule(validate(Rule(where=where), CATALOG, AS_OF))
    sql = compiled.sql(pretty=False)
    assert "LEFT JOIN shop.address" in sql and "LEFT JOIN shop.income_band" in sql
    shown = preview(compiled, CON, sample_size=0)
    assert (shown.base, shown.count) == (8, 4)


def test_the_same_lookup_is_joined_once_for_several_conditions() -> None:
    where = AnyOf(conditions=[attr(STATE, "eq", "CA"), attr(STATE, "eq", "TX"),
                              attr("shop.address.sqft", "gt", 100)])
    sql = compile_rule(validate(Rule(where=where), CATALOG, AS_OF)).sql(pretty=False)
    assert sql.count("JOIN shop.address") == 1


def test_a_date_of_a_lookup_in_a_window() -> None:
    """Moved in during the last 3 months: addresses 10 (2024-05-01) and 13 (2024-06-30)."""
    where = DateIn(field="shop.address.moved_in", window=LastWindow(n=3, unit="month"))
    assert audience(CATALOG, CON, where) == {1, 6, 8}


# -- top percent on a lookup's number -------------------------------------------------------
def _top_by_hand(join: str, value: str, fraction: float) -> str:
    """Every customer's value (NULL for no row), the continuous percentile of the known ones,
    and the customers at or above it."""
    per_customer = (f"SELECT c.customer_id, {value} AS v FROM shop.customers c {join}")
    return (f"WITH p AS ({per_customer}) SELECT customer_id FROM p "
            f"WHERE v >= (SELECT quantile_cont(v, {fraction}) FROM p)")


@pytest.mark.parametrize(("field", "percent", "join", "value", "expected"), [
    ("shop.address.sqft", 50,
     "LEFT JOIN shop.address a ON a.address_sk = c.address_sk", "a.sqft", {2, 7, 8}),
    ("shop.address.sqft", 20,
     "LEFT JOIN shop.address a ON a.address_sk = c.address_sk", "a.sqft", {8}),
    ("shop.income_band.lower_bound", 50,
     "LEFT JOIN shop.household h ON h.household_sk = c.household_sk "
     "LEFT JOIN shop.income_band b ON b.income_band_sk = h.income_band_sk", "b.lower_bound",
     {2, 8}),
])
def test_top_percent_on_a_lookup_number_against_hand_written_sql(
        field: str, percent: float, join: str, value: str, expected: set[int]) -> None:
    """Customers 2 and 7 share address 11: the threshold is over customers, not rows of
    the lookup."""
    where = Score(field=field, op="top_percent", value=percent)
    hand = rows(CON, _top_by_hand(join, value, round(1 - percent / 100, 6)))
    assert hand == expected
    assert audience(CATALOG, CON, where) == expected


def test_top_percent_on_a_lookup_inside_not_and_or() -> None:
    top = Score(field="shop.address.sqft", op="top_percent", value=50)
    assert audience(CATALOG, CON, Not(condition=top)) == {1, 3, 4, 5, 6}
    assert audience(CATALOG, CON, AnyOf(conditions=[top, attr(STATE, "eq", "CA")])) == {
        1, 2, 6, 7, 8}


# -- what is and is not a profile field -----------------------------------------------------
def test_profile_fields_list_lookup_columns_but_not_their_join_keys() -> None:
    fields = set(CATALOG.profile_fields())
    assert {"shop.address.state", "shop.address.moved_in", "shop.address.sqft",
            "shop.household.vehicles", "shop.income_band.band",
            "shop.income_band.lower_bound", "shop.customers.birth_date"} <= fields
    assert not fields & {"shop.address.address_sk", "shop.household.household_sk",
                         "shop.household.income_band_sk", "shop.income_band.income_band_sk"}
    # a lookup not marked profile, a dimension of events, the events themselves
    assert not {f for f in fields if f.split(".")[1] in (
        "stores", "date_dim", "items", "tickets", "ticket_lines", "sales")}


def test_profile_paths_are_the_many_to_one_references_from_the_customer() -> None:
    paths = CATALOG.profile_paths()
    assert paths["shop.customers"] == []
    assert [(r.from_table, r.from_column) for r in paths["shop.income_band"]] == [
        ("shop.customers", "household_sk"), ("shop.household", "income_band_sk")]
    assert "shop.stores" not in paths


def test_a_lookup_not_marked_profile_is_not_reachable() -> None:
    with pytest.raises(RuleValidationError) as info:
        validate(Rule(where=attr("shop.stores.city", "eq", "Paris")), CATALOG, AS_OF)
    (err,) = info.value.errors
    assert err.code == "not_a_profile_field"
    assert err.message == (
        "'shop.stores.city' is in shop.stores, a lookup table that does not describe "
        "customers: to use its columns as customer fields, mark it 'profile: true' in the "
        "catalog (it is already referenced by shop.customers.store_sk)")


def test_marking_the_lookup_profile_makes_it_reachable() -> None:
    cat = load(edited(catalog_data(), ["tables", "shop.stores", "profile"], True))
    assert "shop.stores.city" in cat.profile_fields()
    assert audience(cat, CON, attr("shop.stores.city", "eq", "Paris")) == {1, 4, 7, 8}
    assert audience(cat, CON, Not(condition=attr("shop.stores.city", "eq", "Paris"))) == {
        2, 3, 5, 6}


def test_a_profile_lookup_that_no_reference_leads_to_is_refused_at_load() -> None:
    data = edited(catalog_data(), ["tables", "shop.items", "profile"], True)
    with pytest.raises(CatalogError) as info:
        load(data)
    assert ("tables.shop.items.profile: no reference leads to it from a customer table; add "
            "one to shop.customers.references") in str(info.value)


def test_profile_on_a_table_that_is_not_a_lookup_is_refused_at_load() -> None:
    data = edited(catalog_data(), ["tables", "shop.tickets", "profile"], True)
    with pytest.raises(CatalogError) as info:
        load(data)
    assert ("tables.shop.tickets.profile: only a 'lookup' table can describe customers "
            "through references (this one is 'event')") in str(info.value)


def test_a_lookup_reached_only_through_a_non_profile_lookup_is_not_reachable() -> None:
    """household → income band, with the household not a profile lookup: the band's columns
    are not fields, and loading says which reference is missing."""
    data = edited(catalog_data(), ["tables", "shop.household", "profile"], False)
    with pytest.raises(CatalogError) as info:
        load(data)
    assert "tables.shop.income_band.profile: no reference leads to it" in str(info.value)


def test_as_of_does_not_matter_to_profile_joins() -> None:
    later = dt.date(2030, 1, 1)
    assert audience(CATALOG, CON, attr(STATE, "eq", "CA"), as_of=later) == {1, 6}
