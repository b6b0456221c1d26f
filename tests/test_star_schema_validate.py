"""The validator on a star schema (issue 11 §1): conditions on the fields of profile lookups
pass; a column that is not a customer's field is refused with what to do about it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from test_star_schema_fixture import AS_OF, catalog_data, edited, load, star_catalog

from nl2seg.errors import RuleError, RuleValidationError
from nl2seg.rule.nodes import (
    Age,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    LastWindow,
    Rule,
    Score,
)
from nl2seg.validate import parse_rule, validate

CATALOG = star_catalog()
LAST_YEAR = LastWindow(n=1, unit="year")


def only_error(where: Condition | dict[str, Any]) -> RuleError:
    rule = parse_rule({"where": where}) if isinstance(where, dict) else Rule(where=where)
    with pytest.raises(RuleValidationError) as info:
        validate(rule, CATALOG, AS_OF)
    (err,) = info.value.errors
    return err


@pytest.mark.parametrize("where", [
    Attribute(field="shop.address.state", op="eq", value="CA"),
    Attribute(field="shop.income_band.band", op="in", values=["low", "high"]),
    Attribute(field="shop.household.vehicles", op="between", values=[1, 3]),
    Attribute(field="shop.address.moved_in", op="gte", value="2024-01-01"),
    Age(field="shop.customers.birth_date", op="gte", value=18),
    Age(field="shop.address.moved_in", op="lt", value=1),
    DateIn(field="shop.address.moved_in", window=LAST_YEAR),
    DateIn(field="shop.customers.birth_date", window=LAST_YEAR),
    Score(field="shop.address.sqft", op="gte", value=100),
    Score(field="shop.income_band.lower_bound", op="top_percent", value=10),
    Score(field="shop.income_band.band", op="eq", value="low"),
    EventCondition(event="purchase", aggregate="sum", property="amount", op="gte", value=50),
])
def test_conditions_on_profile_lookup_fields_pass(where: Condition) -> None:
    assert validate(Rule(where=where), CATALOG, AS_OF).rule.where == where


@pytest.mark.parametrize(("where", "code", "message"), [
    (Attribute(field="shop.income_band.band", op="eq", value="medium"), "unknown_value",
     "'medium' is not a value of shop.income_band.band (values: low, high)"),
    (Age(field="shop.address.state", op="gte", value=18), "type_mismatch",
     "age needs a birth date, and 'shop.address.state' is not a DATE"),
    (DateIn(field="shop.address.sqft", window=LAST_YEAR), "type_mismatch",
     "'shop.address.sqft' is not a date"),
    (Score(field="shop.address.state", op="top_percent", value=10), "operator_mismatch",
     "'top_percent' needs a numeric score"),
    (Attribute(field="shop.household.vehicles", op="contains", value="2"), "operator_mismatch",
     "operator 'contains' only applies to text, and shop.household.vehicles is number"),
])
def test_the_usual_checks_apply_to_lookup_fields(where: Condition, code: str,
                                                 message: str) -> None:
    err = only_error(where)
    assert (err.code, err.message) == (code, message)


_STORES = ("'shop.stores.city' is in shop.stores, a lookup table that does not describe "
           "customers: to use its columns as customer fields, mark it 'profile: true' in the "
           "catalog (it is already referenced by shop.customers.store_sk)")
_DATES = ("'shop.date_dim.d_date' is in shop.date_dim, a lookup table that does not describe "
          "customers: to use its columns as customer fields, mark it 'profile: true' in the "
          "catalog and reference it from shop.customers (references: {<column>: "
          "shop.date_dim.date_sk})")


@pytest.mark.parametrize(("where", "message"), [
    (Attribute(field="shop.stores.city", op="eq", value="Paris"), _STORES),
    (Score(field="shop.stores.city", op="is_not_null"), _STORES),
    (Age(field="shop.date_dim.d_date", op="gte", value=1), _DATES),
    (DateIn(field="shop.date_dim.d_date", window=LAST_YEAR), _DATES),
    (Attribute(field="shop.address.address_sk", op="eq", value=10),
     "'shop.address.address_sk' is a join key, not a customer's field: use one of the fields "
     "of shop.address (moved_in, sqft, state)"),
    (Attribute(field="shop.household.income_band_sk", op="is_null"),
     "'shop.household.income_band_sk' is a join key, not a customer's field: use one of the "
     "fields of shop.household (vehicles)"),
    (Attribute(field="shop.sales.amount", op="gte", value=10),
     "'shop.sales.amount' is a column of an event table, not a customer's field: use an "
     "event condition (events: purchase)"),
    (Attribute(field="shop.ticket_lines.amount", op="gte", value=10),
     "'shop.ticket_lines.amount' is a column of a table of event lines, not a customer's "
     "field: use an event condition"),
])
def test_a_column_that_is_not_a_customer_field_says_what_to_do(where: Condition,
                                                               message: str) -> None:
    err = only_error(where)
    assert (err.code, err.path, err.message) == ("not_a_profile_field", "where.field", message)


def test_a_misspelt_lookup_field_suggests_its_fields_not_its_keys() -> None:
    err = only_error(Attribute(field="shop.address.stat", op="is_null"))
    assert (err.code, err.suggestions) == ("unknown_field", ["state"])
    err = only_error(Attribute(field="shop.address.address", op="is_null"))
    assert "address_sk" not in err.suggestions


def test_a_bare_lookup_column_points_at_its_qualified_name() -> None:
    err = only_error(Attribute(field="state", op="eq", value="CA"))
    assert err.suggestions == ["shop.address.state"]


def test_the_refusal_disappears_once_the_lookup_is_a_profile() -> None:
    cat = load(edited(catalog_data(), ["tables", "shop.stores", "profile"], True))
    where = Attribute(field="shop.stores.city", op="eq", value="Paris")
    assert validate(Rule(where=where), cat, dt.date(2024, 6, 30)).catalog is cat


def test_a_line_property_reached_through_items_cannot_be_aggregated() -> None:
    data = catalog_data()
    data["events"]["purchase"]["properties"]["size"] = {
        "type": "INTEGER", "label": {"en": "size", "fr": "taille"}}
    data["events"]["purchase"]["sources"][0]["properties"]["size"] = {
        "column": "item_sk", "via": [{"table": "shop.items", "join_on": {"item_sk": "item_sk"}}]}
    cat = load(data)
    with pytest.raises(RuleValidationError) as info:
        validate(Rule(where=EventCondition(event="purchase", aggregate="sum", property="size",
                                           op="gte", value=1)), cat, AS_OF)
    assert info.value.errors[0].message == (
        "'size' is reached through a join and cannot be aggregated")
