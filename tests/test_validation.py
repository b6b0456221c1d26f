"""Validation errors, asserted exactly: code, path, message and suggestions; and the safety
checks every query passes before it reaches a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nl2seg.catalog import load_catalog
from nl2seg.catalog.load import DEMO_CATALOG
from nl2seg.compile.compiler import compile_rule
from nl2seg.compile.safety import check_query
from nl2seg.errors import Nl2SegError, RuleError, RuleValidationError, UnsafeQueryError
from nl2seg.rule.nodes import Attribute, Rule
from nl2seg.validate import ValidatedRule, parse_rule, validate

CATALOG = load_catalog(DEMO_CATALOG)
AS_OF = dt.date(2026, 6, 30)


def attribute(**kw: Any) -> dict[str, Any]:
    return {"where": {"kind": "attribute", **kw}}


def event(**kw: Any) -> dict[str, Any]:
    return {"where": {"kind": "event", **kw}}


def check(data: Any, segments: dict[str, Any] | None = None) -> ValidatedRule:
    segs = {name: parse_rule(s) for name, s in (segments or {}).items()}
    return validate(parse_rule(data), CATALOG, AS_OF, segs)


def only_error(data: Any, segments: dict[str, Any] | None = None) -> RuleError:
    """The one error the rule raises (the test fails if there are more, or none)."""
    with pytest.raises(RuleValidationError) as info:
        check(data, segments)
    exc = info.value
    assert len(exc.errors) == 1, exc.errors
    e = exc.errors[0]
    # a single problem is the error itself: same code, path, message and suggestions
    assert (exc.code, exc.path, exc.message, exc.suggestions) == (
        e.code, e.path, e.message, e.suggestions)
    assert str(exc) == (f"{e.path}: {e.message}" if e.path else e.message)
    return e


def test_a_valid_rule_passes() -> None:
    v = check(attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
    assert v.as_of == AS_OF and v.catalog is CATALOG


# -- names -----------------------------------------------------------------------------------


def test_unknown_column_names_its_table_and_the_nearest_column() -> None:
    e = only_error(attribute(field="crm.customers.loyality_tier", op="eq", value="vip"))
    assert e.code == "unknown_field"
    assert e.path == "where.field"
    assert e.value == "loyality_tier"
    assert ("unknown column 'loyality_tier' in crm.customers — did you mean 'loyalty_tier'?"
            in e.message)
    assert e.suggestions == ["loyalty_tier"]


def test_field_without_its_table_points_at_the_qualified_name() -> None:
    e = only_error(attribute(field="loyalty_tier", op="eq", value="vip"))
    assert e.code == "unknown_field"
    assert e.message == ("unknown field 'loyalty_tier' — fields are written "
                         "'schema.table.column': did you mean 'crm.customers.loyalty_tier'?")


def test_field_without_its_table_carries_the_suggestion() -> None:
    e = only_error(attribute(field="loyalty_tier", op="eq", value="vip"))
    assert e.suggestions == ["crm.customers.loyalty_tier"]


def test_unknown_field_of_an_unknown_table() -> None:
    e = only_error(attribute(field="crm.nowhere.zzz", op="is_null"))
    assert e.code == "unknown_field"
    assert e.message == "unknown field 'crm.nowhere.zzz'"
    assert e.suggestions == []


def test_unknown_value_lists_the_values() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_tier", op="eq", value="platinium"))
    assert e.code == "unknown_value"
    assert e.path == "where.value"
    assert e.message == ("'platinium' is not a value of crm.customers.loyalty_tier "
                         "(values: none, silver, gold, vip)")


def test_unknown_value_with_a_typo_suggests_the_value() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_tier", op="in",
                             values=["vip", "glod"]))
    assert e.code == "unknown_value"
    assert e.path == "where.values[1]"
    assert e.suggestions == ["gold"]
    assert e.message.endswith("(values: none, silver, gold, vip) — did you mean 'gold'?")


def test_unknown_value_of_an_event_property() -> None:
    e = only_error(event(event="purchase",
                         filters=[{"property": "channel", "op": "eq", "value": "stor"}]))
    assert e.code == "unknown_value"
    assert e.path == "where.filters[0].value"
    assert e.suggestions == ["store"]
    assert e.message == ("'stor' is not a value of purchase.channel (values: store, online) — "
                         "did you mean 'store'?")


def test_unknown_event() -> None:
    e = only_error(event(event="purchse"))
    assert e.code == "unknown_event"
    assert e.path == "where.event"
    assert e.message == "unknown event 'purchse' — did you mean 'purchase'?"
    assert e.suggestions == ["purchase"]


def test_unknown_property_of_a_filter() -> None:
    e = only_error(event(event="purchase",
                         filters=[{"property": "chanel", "op": "eq", "value": "store"}]))
    assert e.code == "unknown_property"
    assert e.path == "where.filters[0].property"
    assert e.message == "unknown property 'chanel' of event 'purchase' — did you mean 'channel'?"
    assert e.suggestions == ["channel"]


def test_unknown_aggregated_property() -> None:
    e = only_error(event(event="purchase", aggregate="sum", property="amout", op="gt",
                         value=100))
    assert e.code == "unknown_property"
    assert e.path == "where.property"
    assert e.suggestions == ["amount"]


def test_aggregating_a_text_property() -> None:
    e = only_error(event(event="purchase", aggregate="sum", property="brand", op="gt", value=1))
    assert e.code == "type_mismatch"
    assert e.message == "cannot compute 'sum' of 'brand': it is not a number"


# -- types and operators ---------------------------------------------------------------------


def test_number_for_a_text_field() -> None:
    e = only_error(attribute(field="crm.customers.first_name", op="eq", value=3))
    assert e.code == "type_mismatch"
    assert e.path == "where.value"
    assert e.message == "crm.customers.first_name expects text, got 3"


def test_text_for_a_number_field() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_points", op="gt", value="ten"))
    assert e.code == "type_mismatch"
    assert e.message == "crm.customers.loyalty_points expects a number, got 'ten'"


def test_boolean_is_not_a_number() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_points", op="eq", value=True))
    assert e.code == "type_mismatch"


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", 20260101, True])
def test_non_date_for_a_date_field(value: Any) -> None:
    e = only_error(attribute(field="crm.customers.signup_date", op="gt", value=value))
    assert e.code == "type_mismatch"
    assert e.message == (f"crm.customers.signup_date expects a date 'YYYY-MM-DD', "
                         f"got {value!r}")


def test_text_for_a_boolean_field() -> None:
    e = only_error(attribute(field="crm.customers.email_opt_in", op="eq", value="yes"))
    assert e.code == "type_mismatch"
    assert e.message == "crm.customers.email_opt_in expects true or false, got 'yes'"


def test_date_window_on_a_field_that_is_not_a_date() -> None:
    e = only_error({"where": {"kind": "date", "field": "crm.customers.city",
                              "window": {"kind": "last", "n": 3, "unit": "month"}}})
    assert e.code == "type_mismatch"
    assert e.message == "'crm.customers.city' is not a date"


def test_age_of_a_field_that_is_not_a_date() -> None:
    e = only_error({"where": {"kind": "age", "field": "crm.customers.loyalty_points",
                              "op": "gte", "value": 30}})
    assert e.code == "type_mismatch"


def test_contains_on_a_number() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_points", op="contains", value="1"))
    assert e.code == "operator_mismatch"
    assert e.path == "where.op"
    assert e.message == ("operator 'contains' only applies to text, and "
                         "crm.customers.loyalty_points is number")


def test_gt_on_a_boolean() -> None:
    e = only_error(attribute(field="crm.customers.email_opt_in", op="gt", value=True))
    assert e.code == "operator_mismatch"
    assert e.message == ("operator 'gt' needs numbers or dates, and crm.customers.email_opt_in "
                         "is boolean")


def test_top_percent_of_a_text_score() -> None:
    e = only_error({"where": {"kind": "score", "field": "crm.scores.rfm_segment",
                              "op": "top_percent", "value": 10}})
    assert e.code == "operator_mismatch"
    assert e.message == "'top_percent' needs a numeric score"


# -- ranges, windows, counts -----------------------------------------------------------------


def test_inverted_between() -> None:
    e = only_error(attribute(field="crm.customers.loyalty_points", op="between",
                             values=[500, 100]))
    assert e.code == "inverted_range"
    assert e.path == "where.values"
    assert e.message == "inverted range: 500 is greater than 100"


def test_inverted_age_range() -> None:
    e = only_error({"where": {"kind": "age", "field": "crm.customers.birth_date",
                              "op": "between", "values": [40, 30]}})
    assert e.code == "inverted_range"
    assert e.message == "inverted range: 40 > 30"


def test_inverted_dates_window() -> None:
    e = only_error({"where": {"kind": "date", "field": "crm.customers.signup_date", "window": {
        "kind": "dates", "since": "2026-03-01", "before": "2026-01-01"}}})
    assert e.code == "inverted_window"
    assert e.path == "where.window"
    assert e.message == "inverted window: 2026-03-01 is not before 2026-01-01"


def test_dates_window_starting_after_as_of() -> None:
    e = only_error(event(event="purchase", window={"kind": "dates", "since": "2026-07-05"}))
    assert e.code == "window_after_as_of"
    assert e.message == ("the window starts on 2026-07-05, after the reference date 2026-06-30: "
                         "nothing can match")


def test_dates_window_with_no_bound() -> None:
    e = only_error(event(event="purchase", window={"kind": "dates"}))
    assert e.code == "empty_window"


def test_window_beyond_the_calendar() -> None:
    e = only_error({"where": {"kind": "date", "field": "crm.customers.signup_date",
                              "window": {"kind": "last", "n": 100_000, "unit": "year"}}})
    assert e.code == "absurd_value"
    assert e.message == "this window reaches beyond the calendar; use a smaller number"


@pytest.mark.parametrize("value", [2.5, -1])
def test_count_compared_with_a_non_whole_or_negative_number(value: float) -> None:
    e = only_error(event(event="purchase", aggregate="count", op="gte", value=value))
    assert e.code == "absurd_value"
    assert e.path == "where.value"
    assert e.message == f"a count compares with a whole number ≥ 0, got {value}"


def test_count_below_zero_matches_nobody() -> None:
    e = only_error(event(event="purchase", aggregate="count", op="lt", value=0))
    assert e.code == "absurd_value"


def test_implausible_age() -> None:
    e = only_error({"where": {"kind": "age", "field": "crm.customers.birth_date", "op": "gte",
                              "value": 200}})
    assert e.code == "absurd_value"
    assert e.message == "an age of 200 years is not plausible"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**40])
def test_non_finite_or_huge_numbers_are_rejected(value: float) -> None:
    with pytest.raises(RuleValidationError):
        check(attribute(field="crm.customers.loyalty_points", op="gt", value=value))


# -- segments and channels -------------------------------------------------------------------

VIPS = attribute(field="crm.customers.loyalty_tier", op="eq", value="vip")


def test_unknown_segment() -> None:
    e = only_error({"where": {"kind": "segment", "segment": "vipz"}}, {"vips": VIPS})
    assert e.code == "unknown_segment"
    assert e.path == "where.segment"
    assert e.message == "unknown segment 'vipz' — did you mean 'vips'?"
    assert e.suggestions == ["vips"]


def test_segment_cycle() -> None:
    segments = {
        "a": {"where": {"kind": "segment", "segment": "b"}},
        "b": {"where": {"kind": "not", "condition": {"kind": "segment", "segment": "a"}}},
    }
    e = only_error({"where": {"kind": "segment", "segment": "a"}}, segments)
    assert e.code == "segment_cycle"
    assert e.message == "segments refer to each other in a loop: a → b → a"


def test_segment_referring_to_itself() -> None:
    e = only_error({"where": {"kind": "segment", "segment": "me"}},
                   {"me": {"where": {"kind": "segment", "segment": "me"}}})
    assert e.code == "segment_cycle"


def test_error_inside_a_segment_points_into_it() -> None:
    e = only_error({"where": {"kind": "segment", "segment": "bad"}},
                   {"bad": attribute(field="crm.customers.loyalty_tier", op="eq", value="x")})
    assert e.code == "unknown_value"
    assert e.path == "where<bad>.value"


def test_unknown_channel() -> None:
    e = only_error({**VIPS, "channel": "sns"})
    assert e.code == "unknown_channel"
    assert e.path == "channel"
    assert e.message == "unknown channel 'sns' — did you mean 'sms'?"
    assert e.suggestions == ["sms"]


# -- malformed rules -------------------------------------------------------------------------


def test_unknown_key() -> None:
    data = attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", colour="red")
    e = only_error(data)
    assert e.code == "rule_unknown_key"
    assert e.message == "unknown key 'colour' (remove it or check the spelling)"
    assert e.path is not None and e.path.endswith("colour")


def test_unknown_key_path_is_the_rule_path() -> None:
    data = {"where": {"kind": "all", "conditions": [
        {"kind": "segment", "segment": "vips"},
        {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
         "value": "vip", "colour": "red"}]}}
    e = only_error(data)
    assert e.path == "where.conditions[1].colour"


def test_unknown_top_level_key() -> None:
    e = only_error({**VIPS, "audience": "x"})
    assert e.code == "rule_unknown_key"
    assert e.path == "audience"


@pytest.mark.parametrize("text", ['{"where": {"kind": "attribute",', "", "not json", "[1,]"])
def test_invalid_json_text(text: str) -> None:
    e = only_error(text)
    assert e.code == "rule_malformed"
    assert e.message.startswith("the rule is not valid JSON: ")


@pytest.mark.parametrize("data", [
    None, [], 3, {}, {"where": None}, {"where": {"kind": "nope"}},
    {"where": {"kind": "age", "field": "crm.customers.birth_date", "op": "gte",
               "value": "thirty"}},
    {"where": {"kind": "event", "event": "purchase", "aggregate": "count"}},
    {"where": {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "in",
               "values": []}},
    {"where": {"kind": "all", "conditions": []}},
    {"version": 2, **VIPS},
])
def test_malformed_rules(data: Any) -> None:
    with pytest.raises(RuleValidationError) as info:
        check(data)
    assert info.value.errors
    assert all(e.code == "rule_malformed" and e.message for e in info.value.errors)


def test_several_problems_are_reported_together() -> None:
    data = {
        "where": {"kind": "all", "conditions": [
            {"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
             "value": "platinium"},
            {"kind": "event", "event": "purchse"},
            {"kind": "age", "field": "crm.customers.birth_date", "op": "between",
             "values": [40, 30]},
        ]},
        "channel": "fax",
    }
    with pytest.raises(RuleValidationError) as info:
        check(data)
    exc = info.value
    assert [(e.code, e.path) for e in exc.errors] == [
        ("unknown_value", "where.conditions[0].value"),
        ("unknown_event", "where.conditions[1].event"),
        ("inverted_range", "where.conditions[2].values"),
        ("unknown_channel", "channel"),
    ]
    assert exc.code == "rule_invalid"
    assert str(exc).startswith("4 problems in the rule:\n  - where.conditions[0].value: ")
    assert isinstance(exc, Nl2SegError)


def test_every_error_serialises() -> None:
    with pytest.raises(RuleValidationError) as info:
        check({"where": {"kind": "event", "event": "purchse"}, "channel": "fax"})
    dicts = [e.to_dict() for e in info.value.errors]
    assert dicts[0] == {"code": "unknown_event", "message": dicts[0]["message"],
                        "path": "where.event", "value": "purchse",
                        "suggestions": ["purchase"]}
    assert len(dicts) == 2


# -- safety checks ---------------------------------------------------------------------------


def test_compiled_rule_passes_the_safety_checks() -> None:
    rule = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
    compiled = compile_rule(validate(rule, CATALOG, AS_OF))
    check_query(compiled.audience(), CATALOG)
    check_query(compiled.sql(), CATALOG)


@pytest.mark.parametrize("sql", [
    "SELECT c.customer_id FROM crm.customers AS c",
    "SELECT c.customer_id FROM crm.customers AS c WHERE c.customer_id IN "
    "(SELECT t.customer_id FROM pos.transactions AS t)",
    "WITH x AS (SELECT customer_id FROM crm.customers) SELECT customer_id FROM x",
    "SELECT customer_id FROM crm.customers UNION ALL SELECT customer_id FROM support.tickets",
])
def test_safe_hand_written_queries_pass(sql: str) -> None:
    check_query(sql, CATALOG)


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT s.customer_id FROM crm.secrets AS s",
     "the query reads table 'crm.secrets', which is not in catalog 'demo_retail'"),
    ("SELECT c.customer_id FROM crm.customers AS c JOIN pg_catalog.pg_user AS u ON TRUE",
     "the query reads table 'pg_catalog.pg_user', which is not in catalog 'demo_retail'"),
    ("SELECT c.password FROM crm.customers AS c", "the query does not match the catalog"),
    ("DROP TABLE crm.customers", "only read-only queries may run, not DROP"),
    ("SELECT customer_id FROM crm.customers; SELECT customer_id FROM crm.scores",
     "expected exactly one statement, got 2"),
    ("SELECT * FROM read_csv('/etc/passwd')",
     "the query reads from a table function, not a catalog table"),
    ("SELECT c.customer_id FROM crm.customers AS c WHERE EXISTS "
     "(SELECT 1 FROM read_csv('x.csv') AS f)",
     "the query reads from a table function, not a catalog table"),
    ("SELECT evil(c.customer_id) FROM crm.customers AS c",
     "the query calls function 'evil', which nl2seg never generates"),
    ("SELECT getenv('HOME') FROM crm.customers AS c",
     "the query calls function 'getenv', which nl2seg never generates"),
    ("INSERT INTO crm.customers (customer_id) VALUES (1)",
     "only read-only queries may run, not INSERT"),
    ("ATTACH 'other.db'", "only read-only queries may run"),
    ("SELECT FROM WHERE", "the SQL does not parse"),
])
def test_unsafe_queries_are_refused(sql: str, message: str) -> None:
    with pytest.raises(UnsafeQueryError) as info:
        check_query(sql, CATALOG)
    assert message in str(info.value)
    assert info.value.code == "unsafe_query"
