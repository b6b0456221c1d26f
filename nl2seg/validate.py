"""Validation: does a rule make sense against a catalog at a reference date?

The pass collects every problem (not just the first), each with the path of the node, the
offending value and the nearest valid names, then raises one :class:`RuleValidationError`.
A rule that passes becomes a :class:`ValidatedRule`, the only thing the compiler accepts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from nl2seg.catalog.models import Catalog, Value, type_family
from nl2seg.errors import RuleError, RuleValidationError, did_you_mean, suggestion_text
from nl2seg.limits import MAX_LIST_VALUES
from nl2seg.rule.nodes import (
    NO_VALUE_OPS,
    ORDER_OPS,
    TEXT_OPS,
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    DatesWindow,
    EventCondition,
    Not,
    PropertyFilter,
    Rule,
    Score,
    SegmentRef,
    Window,
)
from nl2seg.windows import resolve

_KINDS = frozenset({"all", "any", "not", "attribute", "age", "date", "score", "event",
                    "segment", "last", "more_than_ago", "calendar", "dates"})
MAX_DEPTH = 12
MAX_MAGNITUDE = 1e15
"""Larger numbers are typing accidents (and overflow some engines): refuse them."""


@dataclass(frozen=True)
class ValidatedRule:
    """A rule checked against ``catalog`` at ``as_of``, with its segments resolved."""

    rule: Rule
    catalog: Catalog
    as_of: dt.date
    segments: Mapping[str, Rule] = field(default_factory=dict)


def parse_rule(data: Any) -> Rule:
    """A :class:`Rule` from JSON-like data, with pydantic's errors made readable."""
    try:
        if isinstance(data, (str, bytes)):
            return Rule.model_validate_json(data)
        return Rule.model_validate(data)
    except ValidationError as exc:
        raise _from_pydantic(exc) from None
    except RecursionError:  # thousands of nested conditions: no rule is written that way
        raise RuleError("the rule is nested too deeply: write it with fewer levels of "
                        "all / any / not", code="rule_too_deep") from None


_UNION_FIELDS = frozenset({"where", "condition", "window"})


def _path(loc: tuple[int | str, ...]) -> str:
    """pydantic's ``('where', 'all', 'conditions', 1, 'attribute', 'x')`` → our
    ``where.conditions[1].x`` (discriminator tags dropped, indexes in brackets)."""
    out = ""
    prev: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif (prev in _UNION_FIELDS or isinstance(prev, int)) and part in _KINDS:
            pass  # the tag pydantic inserts for a discriminated union
        else:
            out += f".{part}" if out else str(part)
        prev = part
    return out


def _from_pydantic(exc: ValidationError) -> RuleValidationError:
    errors = []
    for err in exc.errors():
        loc = _path(tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        code = "rule_unknown_key" if err["type"] == "extra_forbidden" else "rule_malformed"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{err['loc'][-1]}' (remove it or check the spelling)"
        if err["type"] == "json_invalid":
            msg = f"the rule is not valid JSON: {err['ctx'].get('error', '')}"
        errors.append(RuleError(msg, path=loc or None, code=code))
    return RuleValidationError(errors)


def validate(rule: Rule, catalog: Catalog, as_of: dt.date,
             segments: Mapping[str, Rule] | None = None) -> ValidatedRule:
    """Check ``rule`` against ``catalog`` and ``as_of``; raise with every problem found."""
    checker = _Checker(catalog, as_of, segments or {})
    checker.condition(rule.where, "where", depth=0, trail=())
    if rule.channel is not None and rule.channel not in catalog.channels:
        checker.err("channel", f"unknown channel '{rule.channel}'", rule.channel,
                    list(catalog.channels), code="unknown_channel")
    if checker.errors:
        raise RuleValidationError(checker.errors)
    return ValidatedRule(rule, catalog, as_of, dict(segments or {}))


class _Checker:
    def __init__(self, catalog: Catalog, as_of: dt.date, segments: Mapping[str, Rule]) -> None:
        self.cat = catalog
        self.as_of = as_of
        self.segments = segments
        self.errors: list[RuleError] = []

    def err(self, path: str, message: str, value: Any = None, candidates: list[str] | None = None,
            *, code: str = "rule_invalid") -> None:
        sugg = did_you_mean(str(value), candidates) if candidates and value is not None else []
        self.errors.append(RuleError(message + suggestion_text(sugg), path=path, value=value,
                                     suggestions=sugg, code=code))

    # -- nodes ------------------------------------------------------------------------------
    def condition(self, node: Condition, path: str, depth: int, trail: tuple[str, ...]) -> None:
        if depth > MAX_DEPTH:
            self.err(path, f"the rule nests deeper than {MAX_DEPTH} levels; simplify it",
                     code="rule_too_deep")
            return
        if isinstance(node, (All, AnyOf)):
            for i, child in enumerate(node.conditions):
                self.condition(child, f"{path}.conditions[{i}]", depth + 1, trail)
        elif isinstance(node, Not):
            self.condition(node.condition, f"{path}.condition", depth + 1, trail)
        elif isinstance(node, Attribute):
            self.attribute(node, path)
        elif isinstance(node, Age):
            self.age(node, path)
        elif isinstance(node, DateIn):
            if self.profile_field(node.field, path) and type_family(
                    self.cat.column(node.field).type) not in {"date", "timestamp"}:
                self.err(f"{path}.field", f"'{node.field}' is not a date", code="type_mismatch")
            self.window(node.window, f"{path}.window")
        elif isinstance(node, Score):
            self.score(node, path)
        elif isinstance(node, EventCondition):
            self.event(node, path)
        elif isinstance(node, SegmentRef):
            self.segment(node, path, depth, trail)

    def profile_field(self, name: str, path: str) -> bool:
        fields = self.cat.profile_fields()
        if name in fields:
            return True
        short = name.rsplit(".", 1)[-1]
        table = name.rsplit(".", 1)[0] if name.count(".") == 2 else None
        if table in self.cat.tables and short in self.cat.tables[table].columns:
            self.err(f"{path}.field", _not_profile(self.cat, table, short), name,
                     code="not_a_profile_field")
        elif table in self.cat.tables:
            usable = [f.rsplit(".", 1)[-1] for f in fields if f.rsplit(".", 1)[0] == table]
            self.err(f"{path}.field", f"unknown column '{short}' in {table}", short,
                     usable or list(self.cat.tables[table].columns), code="unknown_field")
        else:
            full = [f for f in fields if f.rsplit(".", 1)[-1] == short]
            if full:
                self.errors.append(RuleError(
                    f"unknown field '{name}' — fields are written 'schema.table.column': "
                    f"did you mean '{full[0]}'?", path=f"{path}.field", value=name,
                    suggestions=full, code="unknown_field"))
            else:
                self.err(f"{path}.field", f"unknown field '{name}'", name, fields,
                         code="unknown_field")
        return False

    def attribute(self, node: Attribute, path: str) -> None:
        if not self.profile_field(node.field, path):
            return
        col = self.cat.column(node.field)
        self.comparison(node.op, node.value, node.values, col.type, col.values, path,
                        what=node.field)

    def comparison(self, op: str, value: Any, values: list[Any] | None, sql_type: str,
                   closed: list[Value] | None, path: str, what: str) -> None:
        family = type_family(sql_type)
        if op in TEXT_OPS and family != "text":
            self.err(f"{path}.op", f"operator '{op}' only applies to text, and {what} is "
                     f"{family}", code="operator_mismatch")
            return
        if op in ORDER_OPS and family in {"boolean", "text"}:
            self.err(f"{path}.op", f"operator '{op}' needs numbers or dates, and {what} is "
                     f"{family}", code="operator_mismatch")
            return
        if op in NO_VALUE_OPS:
            return
        if values is not None and len(values) > MAX_LIST_VALUES:  # issue 12 §7
            self.err(f"{path}.values", f"{len(values):,} values in one list, more than "
                     f"{MAX_LIST_VALUES:,}: use a condition on another field, or a saved "
                     "segment, instead of listing customers one by one", code="list_too_long")
            return
        items = values if values is not None else [value]
        for i, v in enumerate(items):
            vpath = f"{path}.values[{i}]" if values is not None else f"{path}.value"
            typed = self.typed_value(v, family, vpath, what)
            if typed and closed is not None and op not in TEXT_OPS and op not in ORDER_OPS:
                allowed = [x.value for x in closed]
                if v not in allowed:
                    self.err(vpath, f"'{v}' is not a value of {what} (values: "
                             f"{', '.join(map(str, allowed))})", str(v),
                             [str(a) for a in allowed], code="unknown_value")
        if op == "between" and values is not None and len(values) == 2:
            lo, hi = values
            if _comparable(lo, hi) and lo > hi:
                self.err(f"{path}.values", f"inverted range: {lo} is greater than {hi}",
                         code="inverted_range")

    def typed_value(self, v: Any, family: str, path: str, what: str) -> bool:
        """Report a value of the wrong type; True when the type is right."""
        ok = True
        if family == "number":
            ok = _plausible_number(v)
        elif family == "boolean":
            ok = isinstance(v, bool)
        elif family == "text":
            ok = isinstance(v, str)
        elif family in {"date", "timestamp"}:
            ok = isinstance(v, str) and _is_date(v)
        if not ok:
            expected = {"number": "a number", "boolean": "true or false", "text": "text",
                        "date": "a date 'YYYY-MM-DD'", "timestamp": "a date 'YYYY-MM-DD'"}
            shown = repr(v) if len(repr(v)) <= 40 else repr(v)[:40] + "…"  # 10**400
            self.err(path, f"{what} expects {expected.get(family, family)}, got {shown}",
                     code="type_mismatch")
        return ok

    def age(self, node: Age, path: str) -> None:
        if self.profile_field(node.field, path) and type_family(
                self.cat.column(node.field).type) != "date":
            self.err(f"{path}.field", f"age needs a birth date, and '{node.field}' is not a "
                     "DATE", code="type_mismatch")
        nums = node.values if node.values is not None else [node.value]
        for n in nums:
            if n is not None and not 0 <= n <= 130:
                self.err(path, f"an age of {n} years is not plausible", code="absurd_value")
        if node.values is not None and node.values[0] > node.values[1]:
            self.err(f"{path}.values", f"inverted range: {node.values[0]} > {node.values[1]}",
                     code="inverted_range")

    def score(self, node: Score, path: str) -> None:
        if not self.profile_field(node.field, path):
            return
        col = self.cat.column(node.field)
        if node.op == "top_percent":
            if col.family != "number":
                self.err(f"{path}.op", "'top_percent' needs a numeric score",
                         code="operator_mismatch")
            return
        self.comparison(node.op, node.value, node.values, col.type, col.values, path,
                        what=node.field)

    def event(self, node: EventCondition, path: str) -> None:
        if node.event not in self.cat.events:
            self.err(f"{path}.event", f"unknown event '{node.event}'", node.event,
                     list(self.cat.events), code="unknown_event")
            return
        ev = self.cat.events[node.event]
        for i, f in enumerate(node.filters):
            self.prop_filter(node.event, f, f"{path}.filters[{i}]")
        if node.property is not None:
            if node.property not in ev.properties:
                self.err(f"{path}.property", f"unknown property '{node.property}' of event "
                         f"'{node.event}'", node.property, list(ev.properties),
                         code="unknown_property")
            elif type_family(ev.properties[node.property].type) != "number":
                self.err(f"{path}.property", f"cannot compute '{node.aggregate}' of "
                         f"'{node.property}': it is not a number", code="type_mismatch")
            elif any(node.property in s.properties and s.properties[node.property].via
                     for s in ev.sources):
                self.err(f"{path}.property", f"'{node.property}' is reached through a join "
                         "and cannot be aggregated", code="type_mismatch")
        for v in node.values if node.values is not None else [node.value]:
            if v is not None and not _plausible_number(v):
                self.err(f"{path}.value", f"the threshold {v!r} is not a usable number "
                         f"(finite, below {MAX_MAGNITUDE:.0e})", code="absurd_value")
                return
        if node.aggregate == "count" and node.op != "top_percent":
            for v in node.values if node.values is not None else [node.value]:
                if v is not None and (v < 0 or not float(v).is_integer()):
                    self.err(f"{path}.value", f"a count compares with a whole number ≥ 0, got "
                             f"{v}", code="absurd_value")
            if node.op == "lt" and node.value is not None and node.value <= 0:
                self.err(f"{path}.value", "a count can never be below 0: this matches nobody",
                         code="absurd_value")
        if node.values is not None and len(node.values) == 2 and node.values[0] > node.values[1]:
            self.err(f"{path}.values", f"inverted range: {node.values[0]} > {node.values[1]}",
                     code="inverted_range")
        if node.window is not None:
            self.window(node.window, f"{path}.window")

    def prop_filter(self, event: str, f: PropertyFilter, path: str) -> None:
        ev = self.cat.events[event]
        if f.property not in ev.properties:
            self.err(f"{path}.property", f"unknown property '{f.property}' of event '{event}'",
                     f.property, list(ev.properties), code="unknown_property")
            return
        prop = ev.properties[f.property]
        self.comparison(f.op, f.value, f.values, prop.type,
                        self.cat.property_values(event, f.property), path,
                        what=f"{event}.{f.property}")

    def window(self, w: Window, path: str) -> None:
        if isinstance(w, DatesWindow):
            if w.since is None and w.before is None:
                self.err(path, "a date window needs 'since' or 'before'", code="empty_window")
                return
            if w.since is not None and w.before is not None and w.since >= w.before:
                self.err(path, f"inverted window: {w.since} is not before {w.before}",
                         code="inverted_window")
                return
            if w.since is not None and w.since > self.as_of:
                self.err(path, f"the window starts on {w.since}, after the reference date "
                         f"{self.as_of}: nothing can match", code="window_after_as_of")
                return
        try:
            bounds = resolve(w, self.as_of)
        except (OverflowError, ValueError):
            self.err(path, "this window reaches beyond the calendar; use a smaller number",
                     code="absurd_value")
            return
        if bounds.start is not None and bounds.start >= bounds.end:
            self.err(path, "the window is empty", code="empty_window")

    def segment(self, node: SegmentRef, path: str, depth: int, trail: tuple[str, ...]) -> None:
        if node.segment in trail:
            cycle = " → ".join([*trail, node.segment])
            self.err(f"{path}.segment", f"segments refer to each other in a loop: {cycle}",
                     code="segment_cycle")
            return
        if node.segment not in self.segments:
            self.err(f"{path}.segment", f"unknown segment '{node.segment}'", node.segment,
                     list(self.segments), code="unknown_segment")
            return
        inner = self.segments[node.segment].where
        self.condition(inner, f"{path}<{node.segment}>", depth + 1, (*trail, node.segment))


def _not_profile(cat: Catalog, table: str, column: str) -> str:
    """Why ``table.column``, a column the catalog declares, is not a customer's field, and
    what to do about it."""
    name = f"{table}.{column}"
    t = cat.tables[table]
    if t.grain in ("event", "detail"):
        events = sorted(e for e, ev in cat.events.items()
                        if any(s.table == table for s in ev.sources))
        what = "an event table" if t.grain == "event" else "a table of event lines"
        return (f"'{name}' is a column of {what}, not a customer's field: use an event "
                "condition" + (f" (events: {', '.join(events)})" if events else ""))
    if t.grain == "lookup" and t.profile:
        usable = [f.rsplit(".", 1)[-1] for f in cat.profile_fields()
                  if f.rsplit(".", 1)[0] == table]
        return (f"'{name}' is a join key, not a customer's field: use "
                + (f"one of the fields of {table} ({', '.join(usable)})" if usable
                   else "another field"))
    reachable = cat.profile_paths()
    referrers = [f"{src}.{col}" for src, st in cat.tables.items() if src in reachable
                 for col, target in st.references.items() if target.rsplit(".", 1)[0] == table]
    key = t.primary_key[0] if t.primary_key else "<key>"
    how = (f" (it is already referenced by {', '.join(referrers)})" if referrers else
           f" and reference it from {cat.entity.table} (references: {{<column>: "
           f"{table}.{key}}})")
    return (f"'{name}' is in {table}, a {t.grain} table that does not describe customers: "
            f"to use its columns as customer fields, mark it 'profile: true' in the "
            f"catalog{how}")


def _plausible_number(v: Any) -> bool:
    """A real, finite number of sane size (no NaN, no infinity, no 10**40)."""
    # the magnitude first: math.isfinite(10**400) raises OverflowError
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and abs(v) < MAX_MAGNITUDE and math.isfinite(v))


def _is_date(v: str) -> bool:
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _comparable(a: Any, b: Any) -> bool:
    nums = (int, float)
    return (isinstance(a, nums) and isinstance(b, nums)) or (
        isinstance(a, str) and isinstance(b, str))
