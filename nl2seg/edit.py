"""Edits a reviewer makes to a rule, as pure functions (the app's rule editor calls them).

A rule is edited as a list of top-level conditions combined by AND or OR; each edit returns
a new rule (rules are frozen), so the app re-validates and re-previews what it gets.

>>> from nl2seg.rule.nodes import Attribute
>>> vip = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip")
>>> fr = Attribute(field="crm.customers.country", op="eq", value="FR")
>>> r = add(Rule(where=vip), fr)
>>> [c.field for c in top(r)], combiner(r)
(['crm.customers.loyalty_tier', 'crm.customers.country'], 'all')
>>> combiner(set_combiner(r, "any")), len(top(remove(r, 0)))
('any', 1)
>>> type(top(toggle_exclude(r, 1))[1]).__name__
'Not'
"""

from __future__ import annotations

from typing import Literal

from nl2seg.errors import RuleError
from nl2seg.rule.nodes import All, AnyOf, Condition, Not, Rule

Combiner = Literal["all", "any"]


def top(rule: Rule) -> list[Condition]:
    """The top-level conditions (one, or those of the root AND / OR)."""
    w = rule.where
    return list(w.conditions) if isinstance(w, (All, AnyOf)) else [w]


def combiner(rule: Rule) -> Combiner:
    return "any" if isinstance(rule.where, AnyOf) else "all"


def rebuild(rule: Rule, conditions: list[Condition], how: Combiner | None = None) -> Rule:
    if not conditions:
        raise RuleError("a rule needs at least one condition: add one before removing the last",
                        code="rule_empty")
    how = how or combiner(rule)
    where: Condition
    if len(conditions) == 1:
        where = conditions[0]
    else:
        where = All(conditions=conditions) if how == "all" else AnyOf(conditions=conditions)
    return rule.model_copy(update={"where": where})


def add(rule: Rule, condition: Condition) -> Rule:
    return rebuild(rule, [*top(rule), condition])


def remove(rule: Rule, index: int) -> Rule:
    conds = top(rule)
    del conds[index]
    return rebuild(rule, conds)


def replace(rule: Rule, index: int, condition: Condition) -> Rule:
    conds = top(rule)
    conds[index] = condition
    return rebuild(rule, conds)


def toggle_exclude(rule: Rule, index: int) -> Rule:
    """Include ↔ exclude one condition (wrap in NOT, or unwrap)."""
    c = top(rule)[index]
    new: Condition = c.condition if isinstance(c, Not) else Not(condition=c, phrase=c.phrase)
    return replace(rule, index, new)


def set_combiner(rule: Rule, how: Combiner) -> Rule:
    return rebuild(rule, top(rule), how)


def set_channel(rule: Rule, channel: str | None) -> Rule:
    return rule.model_copy(update={"channel": channel})
