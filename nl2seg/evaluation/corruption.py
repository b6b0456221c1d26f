"""Do the warnings catch a misread rule? Corrupt correct rules the way translators fail.

Correct rules are the translator's rules on eval cases it passes (their audience equals the
gold set). Each is corrupted by every applicable kind below; a corruption that leaves the
audience unchanged on the data is skipped (it is not a mistake there). For each kind the
report gives how often at least one warning (severity warning or blocking, other than the
attention-only flags of :data:`ATTENTION_ONLY`) fires — without
and with a size the marketer stated (the correct count) — and how often the translators'
disagreement check fires when the other translator still gives the correct rule; and, over
the correct rules themselves, how often warnings fire (false alarms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
from pydantic import BaseModel

from nl2seg.catalog.models import Catalog
from nl2seg.crosscheck import cross_check
from nl2seg.errors import Nl2SegError
from nl2seg.rule.nodes import (
    All,
    AnyOf,
    Attribute,
    Condition,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
)
from nl2seg.translate.result import Translation

Corruption = Callable[[Rule, Catalog], Rule | None]

ATTENTION_ONLY = frozenset({"sensitive_field"})
"""Warnings that flag a field, not a misreading: they fire the same on a correct rule and
on its corruption, so they are left out of both the catch and the false-alarm rates (the
app still shows them, each to acknowledge)."""
SIZE_FACTS = frozenset({"volume_small", "volume_most_of_base"})
"""Warnings that state a fact of the audience's size: true of a correct rule as much as of a
wrong one ("femmes" is half the base), so the report also gives the false alarms without
them (the misreading signals alone)."""


def _top(rule: Rule) -> list[Condition]:
    return list(rule.where.conditions) if isinstance(rule.where, All) else [rule.where]


def _with(rule: Rule, conds: list[Condition]) -> Rule:
    where: Condition = conds[0] if len(conds) == 1 else All(conditions=conds)
    return rule.model_copy(update={"where": where})


def _map_first(rule: Rule, fn: Callable[[Condition], Condition | None]) -> Rule | None:
    """Apply ``fn`` to the first top-level condition (or nested one) it changes."""
    def walk(node: Condition) -> Condition | None:
        changed = fn(node)
        if changed is not None:
            return changed
        if isinstance(node, (All, AnyOf)):
            for i, c in enumerate(node.conditions):
                new = walk(c)
                if new is not None:
                    kids = list(node.conditions)
                    kids[i] = new
                    return node.model_copy(update={"conditions": kids})
        if isinstance(node, Not):
            new = walk(node.condition)
            if new is not None:
                return node.model_copy(update={"condition": new})
        return None

    new = walk(rule.where)
    return None if new is None else rule.model_copy(update={"where": new})


def drop_condition(rule: Rule, _: Catalog) -> Rule | None:
    conds = _top(rule)
    return _with(rule, conds[:-1]) if len(conds) >= 2 else None


def gte_to_gt(rule: Rule, _: Catalog) -> Rule | None:
    def fn(n: Condition) -> Condition | None:
        if isinstance(n, (EventCondition, Attribute, Score)) and n.op == "gte":
            return n.model_copy(update={"op": "gt"})
        return None
    return _map_first(rule, fn)


def months_as_days(rule: Rule, _: Catalog) -> Rule | None:
    def fn(n: Condition) -> Condition | None:
        w = getattr(n, "window", None)
        if isinstance(w, (LastWindow, MoreThanAgoWindow)) and w.unit in ("month", "year"):
            return n.model_copy(update={"window": w.model_copy(update={"unit": "day"})})
        return None
    return _map_first(rule, fn)


def store_as_online(rule: Rule, _: Catalog) -> Rule | None:
    swap = {"store": "online", "online": "store"}

    def fn(n: Condition) -> Condition | None:
        if isinstance(n, EventCondition):
            for i, f in enumerate(n.filters):
                if f.property == "channel" and f.value in swap:
                    filters = list(n.filters)
                    filters[i] = f.model_copy(update={"value": swap[str(f.value)]})
                    return n.model_copy(update={"filters": filters})
        return None
    return _map_first(rule, fn)


def lost_negation(rule: Rule, _: Catalog) -> Rule | None:
    def fn(n: Condition) -> Condition | None:
        if isinstance(n, Not):
            return n.condition
        if isinstance(n, EventCondition) and n.aggregate == "none":
            return n.model_copy(update={"aggregate": "exists"})
        if isinstance(n, Attribute) and n.op in ("ne", "not_in"):
            return n.model_copy(update={"op": "eq" if n.op == "ne" else "in"})
        return None
    return _map_first(rule, fn)


def or_for_and(rule: Rule, _: Catalog) -> Rule | None:
    if isinstance(rule.where, All) and len(rule.where.conditions) >= 2:
        return rule.model_copy(update={"where": AnyOf(conditions=rule.where.conditions)})
    return None


def wrong_category(rule: Rule, cat: Catalog) -> Rule | None:
    def fn(n: Condition) -> Condition | None:
        if not isinstance(n, EventCondition):
            return None
        for i, f in enumerate(n.filters):
            values = [v.value for v in cat.property_values(n.event, f.property) or []]
            if f.property == "category" and f.value in values:
                other = values[(values.index(f.value) + 1) % len(values)]
                filters: list[PropertyFilter] = list(n.filters)
                filters[i] = f.model_copy(update={"value": other})
                return n.model_copy(update={"filters": filters})
        return None
    return _map_first(rule, fn)


KINDS: dict[str, Corruption] = {
    "dropped condition": drop_condition, "≥ read as >": gte_to_gt,
    "months read as days": months_as_days, "in store read as online": store_as_online,
    "lost negation": lost_negation, "OR instead of AND": or_for_and,
    "wrong category": wrong_category,
}


class KindResult(BaseModel):
    kind: str
    corrupted: int
    """Corruptions that changed the audience."""
    warned: int
    warned_with_size: int
    disagreement: int
    big: int = 0
    """Corruptions that change the audience size by more than a factor of 2."""
    big_warned: int = 0
    by_code: dict[str, int]


class CorruptionReport(BaseModel):
    correct_rules: int
    false_alarms: int
    false_alarms_with_size: int
    false_alarm_codes: dict[str, int]
    false_alarms_signals: int = 0
    """Correct rules with a warning other than the :data:`SIZE_FACTS`."""
    kinds: list[KindResult]


def _alarms(rule: Rule, catalog: Catalog, as_of: dt.date, con: duckdb.DuckDBPyConnection,
            expected: int | None) -> tuple[int, set[str]]:
    from nl2seg.guard.review import prepare

    p = prepare(rule, catalog, as_of, con, expected_size=expected, sample_size=0)
    return p.preview.count, {w.code for w in p.warnings
                             if w.needs_ack and w.code not in ATTENTION_ONLY}


def _ids(rule: Rule, catalog: Catalog, as_of: dt.date,
         con: duckdb.DuckDBPyConnection) -> set[int]:
    from nl2seg.compile import compile_rule
    from nl2seg.validate import validate

    q = compile_rule(validate(rule, catalog, as_of)).audience()
    return {int(r[0]) for r in con.execute(q.sql(dialect="duckdb")).fetchall()}


def _factor(a: int, b: int) -> float:
    if a == b:
        return 1.0
    if min(a, b) == 0:
        return float("inf")
    return max(a, b) / min(a, b)


def run_corruptions(rules: list[Rule], catalog: Catalog, as_of: dt.date,
                    con: duckdb.DuckDBPyConnection,
                    progress: Callable[[int, int], None] | None = None) -> CorruptionReport:
    fa = fa_size = fa_signals = 0
    fa_codes: dict[str, int] = {}
    results = {k: KindResult(kind=k, corrupted=0, warned=0, warned_with_size=0,
                             disagreement=0, by_code={}) for k in KINDS}
    for i, rule in enumerate(rules, 1):
        good_ids = _ids(rule, catalog, as_of, con)
        count, codes = _alarms(rule, catalog, as_of, con, None)
        _, codes_sized = _alarms(rule, catalog, as_of, con, count)
        fa += bool(codes)
        fa_size += bool(codes_sized)
        fa_signals += bool(codes - SIZE_FACTS)
        for c in codes:
            fa_codes[c] = fa_codes.get(c, 0) + 1
        good = Translation(rule=rule, translator="local")
        for kind, corrupt in KINDS.items():
            try:
                bad = corrupt(rule, catalog)
                if bad is None or _ids(bad, catalog, as_of, con) == good_ids:
                    continue
                bad_count, bad_codes = _alarms(bad, catalog, as_of, con, None)
                _, bad_sized = _alarms(bad, catalog, as_of, con, count)
            except Nl2SegError:
                continue  # a corruption the validator rejects never reaches a reviewer
            r = results[kind]
            r.corrupted += 1
            r.warned += bool(bad_codes)
            r.warned_with_size += bool(bad_sized)
            if _factor(count, bad_count) > 2:
                r.big += 1
                r.big_warned += bool(bad_codes)
            cc = cross_check(Translation(rule=bad, translator="llm"), good, catalog, as_of)
            r.disagreement += not cc.agree
            for c in bad_codes:
                r.by_code[c] = r.by_code.get(c, 0) + 1
        if progress is not None:
            progress(i, len(rules))
    return CorruptionReport(correct_rules=len(rules), false_alarms=fa,
                            false_alarms_with_size=fa_size, false_alarm_codes=fa_codes,
                            false_alarms_signals=fa_signals,
                            kinds=list(results.values()))


def corruption_markdown(rep: CorruptionReport) -> str:
    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.0f} %" if b else "–"

    lines = ["| corruption | corrupted rules | ≥1 warning | ≥1 warning, size stated | "
             "size changed > ×2: caught | disagreement (other translator right) | "
             "most frequent warnings |",
             "|---|---:|---:|---:|---:|---:|---|"]
    tot = KindResult(kind="all", corrupted=0, warned=0, warned_with_size=0, disagreement=0,
                     by_code={})
    for r in rep.kinds:
        top = ", ".join(f"{c} {n}" for c, n in sorted(r.by_code.items(),
                                                       key=lambda x: -x[1])[:3])
        lines.append(f"| {r.kind} | {r.corrupted} | {pct(r.warned, r.corrupted)} | "
                     f"{pct(r.warned_with_size, r.corrupted)} | "
                     f"{r.big_warned}/{r.big} ({pct(r.big_warned, r.big)}) | "
                     f"{pct(r.disagreement, r.corrupted)} | {top} |")
        for f in ("corrupted", "warned", "warned_with_size", "disagreement", "big",
                  "big_warned"):
            setattr(tot, f, getattr(tot, f) + getattr(r, f))
    lines.append(f"| **all kinds** | {tot.corrupted} | {pct(tot.warned, tot.corrupted)} | "
                 f"{pct(tot.warned_with_size, tot.corrupted)} | {tot.big_warned}/{tot.big} "
                 f"({pct(tot.big_warned, tot.big)}) | {pct(tot.disagreement, tot.corrupted)} "
                 "| |")
    top = ", ".join(f"{c} {n}" for c, n in sorted(rep.false_alarm_codes.items(),
                                                   key=lambda x: -x[1])[:4])
    lines.append(f"| *correct rules (false alarms)* | {rep.correct_rules} | "
                 f"{pct(rep.false_alarms, rep.correct_rules)} | "
                 f"{pct(rep.false_alarms_with_size, rep.correct_rules)} | – | – | {top} |")
    rest = ", ".join(f"{c} {n}" for c, n in sorted(rep.false_alarm_codes.items(),
                                                    key=lambda x: -x[1])
                     if c not in SIZE_FACTS)
    lines.append(f"| *correct rules, without the size facts* | {rep.correct_rules} | "
                 f"{pct(rep.false_alarms_signals, rep.correct_rules)} | – | – | – | {rest} |")
    return "\n".join(lines) + "\n"
