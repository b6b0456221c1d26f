"""The rule AST, its canonical form and its JSON Schema."""

from nl2seg.rule.canonical import canonical, fingerprint
from nl2seg.rule.nodes import (
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
    walk,
)


def rule_json_schema() -> dict[str, object]:
    """The JSON Schema of a rule (committed as ``docs/rule.schema.json``; tests keep it true)."""
    return Rule.model_json_schema()


__all__ = [
    "Age", "All", "AnyOf", "Attribute", "CalendarWindow", "Condition", "DateIn", "DatesWindow",
    "EventCondition", "LastWindow", "MoreThanAgoWindow", "Not", "PropertyFilter", "Rule",
    "Score", "SegmentRef", "Window", "canonical", "fingerprint", "rule_json_schema", "walk",
]
