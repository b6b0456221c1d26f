"""The rule model: its JSON Schema is a contract, its canonical form is meaning-preserving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from nl2seg.rule import (
    All,
    AnyOf,
    Attribute,
    EventCondition,
    LastWindow,
    Not,
    Rule,
    canonical,
    fingerprint,
    rule_json_schema,
)

SCHEMA_FILE = Path(__file__).parents[1] / "docs" / "rule.schema.json"
VIP = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip")
FR = Attribute(field="crm.customers.country", op="eq", value="FR")


def test_json_schema_is_the_committed_one() -> None:
    """A change to the rule model must be deliberate: regenerate docs/rule.schema.json."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == rule_json_schema()


def test_schema_lists_every_condition_kind() -> None:
    defs = rule_json_schema()["$defs"]
    assert isinstance(defs, dict)
    kinds = {d["properties"]["kind"]["const"] for d in defs.values()
             if "kind" in d.get("properties", {}) and "const" in d["properties"]["kind"]}
    assert {"all", "any", "not", "attribute", "age", "date", "score", "event", "segment",
            "last", "more_than_ago", "calendar", "dates"} <= kinds


@pytest.mark.parametrize(("a", "b"), [
    (Rule(where=All(conditions=[VIP, FR])), Rule(where=All(conditions=[FR, VIP]))),
    (Rule(where=All(conditions=[VIP, All(conditions=[FR])])), Rule(where=All(conditions=[VIP, FR]))),
    (Rule(where=Not(condition=Not(condition=VIP))), Rule(where=VIP)),
    (Rule(where=AnyOf(conditions=[VIP, VIP])), Rule(where=VIP)),
    (Rule(where=EventCondition(event="purchase")),
     Rule(where=EventCondition(event="purchase", aggregate="count", op="gte", value=1))),
    (Rule(where=EventCondition(event="purchase", aggregate="none")),
     Rule(where=EventCondition(event="purchase", aggregate="count", op="eq", value=0))),
    (Rule(where=EventCondition(event="purchase", aggregate="count", op="gt", value=1)),
     Rule(where=EventCondition(event="purchase", aggregate="count", op="gte", value=2))),
    (Rule(where=Attribute(field="crm.customers.city", op="in", values=["Lyon"])),
     Rule(where=Attribute(field="crm.customers.city", op="eq", value="Lyon"))),
    (Rule(where=VIP.model_copy(update={"phrase": "clients VIP"}), request="clients VIP"),
     Rule(where=VIP)),
])
def test_equivalent_spellings_share_a_fingerprint(a: Rule, b: Rule) -> None:
    assert fingerprint(a) == fingerprint(b)
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize("other", [
    Rule(where=All(conditions=[VIP, FR]), channel="sms"),
    Rule(where=AnyOf(conditions=[VIP, FR])),
    Rule(where=EventCondition(event="purchase", aggregate="count", op="gt", value=2)),
    Rule(where=EventCondition(event="purchase", window=LastWindow(n=6, unit="day"))),
])
def test_different_meanings_have_different_fingerprints(other: Rule) -> None:
    base = Rule(where=All(conditions=[VIP, FR]))
    assert fingerprint(other) != fingerprint(base)
    assert fingerprint(
        Rule(where=EventCondition(event="purchase", window=LastWindow(n=6, unit="month")))
    ) != fingerprint(
        Rule(where=EventCondition(event="purchase", window=LastWindow(n=6, unit="day"))))


@pytest.mark.parametrize(("data", "fragment"), [
    ({"where": {"kind": "attribute", "field": "x.y.z", "op": "eq"}}, "needs one 'value'"),
    ({"where": {"kind": "attribute", "field": "x.y.z", "op": "in", "values": []}},
     "non-empty 'values'"),
    ({"where": {"kind": "event", "event": "purchase", "aggregate": "sum", "op": "gt",
                "value": 5}}, "needs the 'property'"),
    ({"where": {"kind": "event", "event": "purchase", "aggregate": "first"}},
     "needs the 'window'"),
    ({"where": {"kind": "event", "event": "purchase", "aggregate": "exists", "op": "gt",
                "value": 1}}, "takes no 'op'"),
    ({"where": {"kind": "all", "conditions": []}}, "at least 1 item"),
    ({"where": {"kind": "calendar_x"}}, "does not match any of the expected tags"),
])
def test_malformed_rules_are_rejected_by_the_model(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        Rule.model_validate(data)


def test_fingerprint_of_the_example_rule_is_stable() -> None:
    """Approvals will store fingerprints: a change of the canonical JSON must be deliberate
    (this value was computed when the format was fixed, on 2026-11-23)."""
    from nl2seg.cli import EXAMPLE_RULE
    from nl2seg.validate import parse_rule

    rule = parse_rule(EXAMPLE_RULE.read_text(encoding="utf-8"))
    assert fingerprint(rule) == (
        "1fe3d40b0efd44c5dc7b6384357a8e41b56576e8244692951c2f288353dd2149")
