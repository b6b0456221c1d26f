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
)

__all__ = [
    "Age", "All", "AnyOf", "Attribute", "CalendarWindow", "Condition", "DateIn", "DatesWindow",
    "EventCondition", "LastWindow", "MoreThanAgoWindow", "Not", "PropertyFilter", "Rule",
    "Score", "SegmentRef", "Window", "canonical", "fingerprint",
]
