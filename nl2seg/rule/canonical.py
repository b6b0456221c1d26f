"""The canonical form of a rule and its fingerprint.

Two rules that select the same customers by the same conditions, written in a different order
or with equivalent spellings (``exists`` vs ``count >= 1``, ``count > 1`` vs ``count >= 2``,
nested ANDs, double negation), have the same canonical form and so the same fingerprint.
Phrases and the request text are provenance, not meaning: they are left out.

>>> from nl2seg.rule.nodes import Attribute, All, Rule
>>> a = Attribute(field="crm.customers.country", op="in", values=["FR"])
>>> b = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip")
>>> r1, r2 = Rule(where=All(conditions=[a, b])), Rule(where=All(conditions=[b, a]))
>>> fingerprint(r1) == fingerprint(r2)
True
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from nl2seg.rule.nodes import (
    All,
    AnyOf,
    Attribute,
    Condition,
    EventCondition,
    Not,
    Rule,
    Score,
    _Comparison,
)


def canonical(rule: Rule) -> Rule:
    """The rule in canonical form (a new rule; the original is unchanged)."""
    canon = Rule(where=_canon(rule.where), channel=rule.channel)
    # Rebuild from phrase-free data so no nested phrase (a window's) survives.
    return Rule.model_validate(_strip_phrases(canon.model_dump(mode="json")))


def canonical_json(rule: Rule) -> str:
    canon = canonical(rule)
    # This shape is what fingerprints hash: changing it voids every stored approval.
    data = {"where": canon.where.model_dump(mode="json", exclude_none=True),
            "channel": canon.channel}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(rule: Rule) -> str:
    """SHA-256 (hex) of the canonical JSON: what an approval binds to."""
    return hashlib.sha256(canonical_json(rule).encode()).hexdigest()


def _dump_node(node: Any) -> Any:
    data: dict[str, Any] = node.model_dump(mode="json", exclude_none=True)
    return _strip_phrases(data)


def _strip_phrases(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_phrases(v) for k, v in data.items() if k != "phrase"}
    if isinstance(data, list):
        return [_strip_phrases(v) for v in data]
    return data


def _key(node: Any) -> str:
    return json.dumps(_dump_node(node), sort_keys=True, separators=(",", ":"))


def _sorted_values(values: list[Any] | None) -> list[Any] | None:
    if values is None:
        return None
    unique = {json.dumps(v): v for v in values}
    return [unique[k] for k in sorted(unique)]


def _canon(node: Condition) -> Condition:
    if isinstance(node, (All, AnyOf)):
        kids: list[Condition] = []
        for child in (_canon(c) for c in node.conditions):
            if type(child) is type(node):
                kids.extend(child.conditions)
            else:
                kids.append(child)
        unique = {_key(k): k for k in kids}
        kids = [unique[k] for k in sorted(unique)]
        if len(kids) == 1:
            return kids[0]
        return type(node)(conditions=kids)
    if isinstance(node, Not):
        inner = _canon(node.condition)
        if isinstance(inner, Not):
            return inner.condition
        return Not(condition=inner)
    if isinstance(node, (Attribute, Score)):
        return _canon_values(node)
    if isinstance(node, EventCondition):
        return _canon_event(node)
    return node.model_copy(update={"phrase": None})


Compared = TypeVar("Compared", bound=_Comparison)


def _canon_values(node: Compared) -> Compared:
    """Sorted, de-duplicated value lists; a one-value ``in`` is ``eq`` (``not_in``: ``ne``)."""
    update: dict[str, Any] = {"phrase": None}
    if node.op in ("in", "not_in") and node.values is not None:
        values = _sorted_values(node.values)
        if values is not None and len(values) == 1:
            update.update(op="eq" if node.op == "in" else "ne", value=values[0], values=None)
        else:
            update["values"] = values
    return node.model_copy(update=update)


def _canon_event(node: EventCondition) -> EventCondition:
    filters = {_key(f): f for f in (_canon_values(f) for f in node.filters)}
    update: dict[str, Any] = {
        "phrase": None,
        "filters": [filters[k] for k in sorted(filters)],
        "window": node.window.model_copy(update={"phrase": None}) if node.window else None,
    }
    agg, op, value = node.aggregate, node.op, node.value
    if agg == "exists":
        agg, op, value = "count", "gte", 1
    elif agg == "none":
        agg, op, value = "count", "eq", 0
    if agg == "count" and isinstance(value, (int, float)) and float(value).is_integer():
        n = int(value)
        if op == "gt":
            op, n = "gte", n + 1
        elif op == "lt":
            op, n = "lte", n - 1
        if op == "lte" and n == 0:
            op = "eq"
        value = n
    update.update(aggregate=agg, op=op, value=value)
    return node.model_copy(update=update)
