"""nl2seg: natural-language audience builder with human validation.

The flow, one way: request → rule → validated rule → SQL → preview → review → export.

>>> import datetime as dt
>>> from nl2seg import Rule, Attribute, load_catalog, validate, compile_rule
>>> rule = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
>>> compiled = compile_rule(validate(rule, load_catalog(), as_of=dt.date(2026, 6, 30)))
>>> print(compiled.sql(pretty=False))
SELECT DISTINCT c.customer_id AS customer_id FROM crm.customers AS c WHERE c.loyalty_tier = 'vip'
"""

from nl2seg.catalog import Catalog, load_catalog
from nl2seg.compile import CompiledRule, compile_rule
from nl2seg.errors import (
    CatalogError,
    CompileError,
    DatabaseError,
    Nl2SegError,
    RuleError,
    RuleValidationError,
    UnsafeQueryError,
)
from nl2seg.rule import (
    Age,
    All,
    AnyOf,
    Attribute,
    CalendarWindow,
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
    canonical,
    fingerprint,
)
from nl2seg.validate import ValidatedRule, parse_rule, validate

__all__ = [
    "Age", "All", "AnyOf", "Attribute", "CalendarWindow", "Catalog", "CatalogError",
    "CompileError", "CompiledRule", "DatabaseError", "DateIn", "DatesWindow", "EventCondition",
    "LastWindow", "MoreThanAgoWindow", "Nl2SegError", "Not", "PropertyFilter", "Rule",
    "RuleError", "RuleValidationError", "Score", "SegmentRef", "UnsafeQueryError",
    "ValidatedRule", "canonical", "compile_rule", "fingerprint", "load_catalog", "parse_rule",
    "validate",
]
