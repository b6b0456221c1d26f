"""Two translators, one request: do they mean the same customers? (issue 3 §3)

When the LLM translator is configured, the local one runs too. :func:`cross_check` compares
the two rules condition by condition (on their canonical forms, so the order of conditions
or of values and the quoted phrases do not count) and, when they differ and a database is
at hand, counts the customers in one audience and not the other, with a few ids of each, so
the reviewer sees how much the disagreement weighs before choosing.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.translate import translate_local
>>> cat, day = load_catalog(), dt.date(2026, 6, 30)
>>> a = translate_local("VIP qui ont acheté au moins 2 fois", cat, day)
>>> b = translate_local("VIP qui ont acheté plus de 2 fois", cat, day)
>>> c = cross_check(a, b, cat, day, lang="en")
>>> c.agree
False
>>> c.only_primary
['with at least 2 purchases ever (up to 30 June 2026)']
>>> c.only_secondary
['with more than 2 purchases ever (up to 30 June 2026)']
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
from pydantic import BaseModel, Field
from sqlglot import exp

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.rule.canonical import canonical
from nl2seg.rule.nodes import All, Condition, Rule
from nl2seg.translate.result import Translation


class AudienceOverlap(BaseModel):
    """How the two audiences overlap on the database."""

    primary: int
    secondary: int
    both: int
    only_primary: int
    only_secondary: int
    sample_only_primary: list[int] = Field(default_factory=list)
    sample_only_secondary: list[int] = Field(default_factory=list)


class CrossCheck(BaseModel):
    """The comparison of a primary translation (the one used) with a second opinion."""

    primary: str
    secondary: str
    agree: bool
    primary_refused: bool = False
    secondary_refused: bool = False
    secondary_reason: str | None = None
    only_primary: list[str] = Field(default_factory=list)
    """Conditions (read back) that only the primary rule has."""
    only_secondary: list[str] = Field(default_factory=list)
    channel: tuple[str | None, str | None] | None = None
    """(primary, secondary) activation channels when they differ."""
    overlap: AudienceOverlap | None = None

    def summary(self, lang: Lang = "fr") -> list[str]:
        """The disagreement in a few lines for the reviewer (empty when they agree)."""
        if self.agree:
            return []
        fr = lang == "fr"
        a, b = self.primary, self.secondary
        if self.secondary_refused or self.primary_refused:
            who, other = (b, a) if self.secondary_refused else (a, b)
            why = f" ({self.secondary_reason})" if self.secondary_refused and \
                self.secondary_reason else ""
            return [f"le traducteur {who} refuse la demande{why} ; {other} propose une règle"
                    if fr else f"the {who} translator refuses the request{why}; {other} "
                    "gives a rule"]
        lines = [("désaccord entre les traducteurs " if fr else "the translators disagree: ")
                 + f"{a} / {b}"]
        lines += [f"  {a} seul : {c}" if fr else f"  only {a}: {c}" for c in self.only_primary]
        lines += [f"  {b} seul : {c}" if fr else f"  only {b}: {c}" for c in self.only_secondary]
        if self.channel:
            lines.append(f"  canal : {self.channel[0]} / {self.channel[1]}" if fr
                         else f"  channel: {self.channel[0]} / {self.channel[1]}")
        o = self.overlap
        if o is not None:
            from nl2seg.readback import format_number

            def f(x: int) -> str:
                return format_number(x, lang)

            lines.append(
                f"  {f(o.primary)} clients ({a}) contre {f(o.secondary)} ({b}) : {f(o.both)} "
                f"en commun, {f(o.only_primary)} seulement chez {a}, {f(o.only_secondary)} "
                f"seulement chez {b}" if fr else
                f"  {f(o.primary)} customers ({a}) vs {f(o.secondary)} ({b}): {f(o.both)} in "
                f"both, {f(o.only_primary)} only in {a}, {f(o.only_secondary)} only in {b}")
        return lines


def cross_check(primary: Translation, secondary: Translation, catalog: Catalog,
                as_of: dt.date, con: duckdb.DuckDBPyConnection | None = None,
                lang: Lang = "fr", sample: int = 5) -> CrossCheck:
    """Compare two translations of one request; count the audiences' overlap on ``con``."""
    base: dict[str, Any] = dict(primary=primary.translator, secondary=secondary.translator)
    if primary.rule is None or secondary.rule is None:
        both_refused = primary.rule is None and secondary.rule is None
        return CrossCheck(agree=both_refused, primary_refused=primary.rule is None,
                          secondary_refused=secondary.rule is None,
                          secondary_reason=secondary.refusal_reason, **base)
    only_a, only_b = condition_diff(primary.rule, secondary.rule, catalog, as_of, lang)
    channels = (primary.rule.channel, secondary.rule.channel)
    agree = not only_a and not only_b and channels[0] == channels[1]
    overlap = None
    if not agree and con is not None:
        overlap = audience_overlap(primary.rule, secondary.rule, catalog, as_of, con, sample)
    return CrossCheck(agree=agree, only_primary=only_a, only_secondary=only_b,
                      channel=None if channels[0] == channels[1] else channels,
                      overlap=overlap, **base)


def _top_conditions(rule: Rule) -> dict[str, Condition]:
    """The rule's top-level conditions (nested ANDs flattened), keyed by their canonical form,
    each kept as written (so the diff reads "more than 2", as the rule does)."""
    def flat(node: Condition) -> list[Condition]:
        if isinstance(node, All):
            return [c for kid in node.conditions for c in flat(kid)]
        return [node]

    out: dict[str, Condition] = {}
    for c in flat(rule.where):
        key = json.dumps(canonical(Rule(where=c)).where.model_dump(mode="json"), sort_keys=True)
        out.setdefault(key, c)
    return out


def condition_diff(a: Rule, b: Rule, catalog: Catalog, as_of: dt.date,
                   lang: Lang = "fr") -> tuple[list[str], list[str]]:
    """The top-level conditions (read back) only ``a`` has, and only ``b`` has."""
    from nl2seg.readback import describe_condition

    ca, cb = _top_conditions(a), _top_conditions(b)
    only_a = [describe_condition(c, catalog, as_of, lang) for k, c in ca.items() if k not in cb]
    only_b = [describe_condition(c, catalog, as_of, lang) for k, c in cb.items() if k not in ca]
    return only_a, only_b


def audience_overlap(a: Rule, b: Rule, catalog: Catalog, as_of: dt.date,
                     con: duckdb.DuckDBPyConnection, sample: int = 5) -> AudienceOverlap:
    """Counts of ``a``, ``b``, both, and each alone, in one query; a few ids of each side."""
    from nl2seg.compile import compile_rule
    from nl2seg.validate import validate

    qa = compile_rule(validate(a, catalog, as_of)).audience()
    qb = compile_rule(validate(b, catalog, as_of)).audience()
    key = catalog.entity.key
    pairs = (exp.select(exp.column(key, "a").as_("ka"), exp.column(key, "b").as_("kb"))
             .from_(qa.subquery("a"))
             .join(qb.subquery("b"), on=exp.column(key, "a").eq(exp.column(key, "b")),
                   join_type="full outer"))

    def n(cond: exp.Expr | None = None) -> exp.Expr:
        c = exp.Count(this=exp.Star())
        return exp.Filter(this=c, expression=exp.Where(this=cond)) if cond is not None else c

    ka, kb = exp.column("ka"), exp.column("kb")
    row = con.execute(
        exp.select(n(ka.is_(exp.null()).not_()), n(kb.is_(exp.null()).not_()),
                   n(exp.and_(ka.is_(exp.null()).not_(), kb.is_(exp.null()).not_())),
                   n(kb.is_(exp.null())), n(ka.is_(exp.null())))
        .from_(pairs.subquery("p")).sql(dialect="duckdb")).fetchone()
    assert row is not None

    def ids(side: exp.Column, other: exp.Column) -> list[int]:
        q = (exp.select(side).from_(pairs.subquery("p")).where(other.is_(exp.null()))
             .order_by(side).limit(sample))
        return [int(r[0]) for r in con.execute(q.sql(dialect="duckdb")).fetchall()]

    return AudienceOverlap(primary=row[0], secondary=row[1], both=row[2], only_primary=row[3],
                           only_secondary=row[4], sample_only_primary=ids(ka, kb),
                           sample_only_secondary=ids(kb, ka))
