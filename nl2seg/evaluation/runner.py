"""Score a translator on eval cases by execution accuracy (as Spider and BIRD do).

For each case the translator's rule is validated, compiled and run on the eval database;
the case passes when its customers are exactly the gold query's. A refusal case passes when
the translator refuses. Outcomes are counted apart: ``fail`` (a different audience),
``error`` (the translator, compiler or gold query broke), ``refused`` (a refusal case
refused: correct), ``false_refusal`` (an audience case refused), ``missed_refusal`` (a refusal
case given a rule).

Each case runs at the eval database's reference date and, when a *second date* database is
given, again there: translated with that date, rule and gold query run on that database. On
30 June "the last 3 months" and "this quarter" are the same audience; on 13 May they are
not. A case passes only when it passes at every date.

A wrong audience (``fail``, ``missed_refusal``) that no warning flagged and that came with no
other reading is *silent* (see :mod:`nl2seg.evaluation.flags`); warnings are computed for
wrong rules only. Gold sets that are empty or the whole base — on any database, the weak-case
seeds included — are flagged *weak*: such cases cannot tell translators apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from nl2seg.catalog.models import Catalog
from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.cases import EvalCase
from nl2seg.evaluation.flags import review_flags
from nl2seg.evaluation.gold import GoldQueryError, check_gold, gold_ids
from nl2seg.evaluation.results import (
    CORRECT,
    WRONG,
    CaseResult,
    DateOutcome,
    EvalReport,
    Group,
    Status,
    Summary,
)
from nl2seg.evaluation.summary import summarize
from nl2seg.translate.result import Translation

__all__ = ["CORRECT", "WRONG", "CaseResult", "DateOutcome", "EvalDB", "EvalReport", "Group",
           "Status", "Summary", "Translate", "eval_db", "run_case", "run_eval", "summarize"]

Translate = Callable[[str, dt.date], Translation]
"""``translate(request, as_of)``."""
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EvalDB:
    """A database the cases run on: its connection, reference date, base size and name."""

    con: duckdb.DuckDBPyConnection
    as_of: dt.date
    base: int
    name: str
    """How weak-case notes name it ("seed 2027", "reference date 2026-05-13")."""


def eval_db(con: duckdb.DuckDBPyConnection, catalog: Catalog, as_of: dt.date | None = None,
            name: str | None = None) -> EvalDB:
    """``con`` with its reference date (read from it unless given) and its base size."""
    from nl2seg.reference import resolve_as_of

    return EvalDB(con=con, as_of=resolve_as_of(catalog, con, as_of),
                  base=_base(con, catalog), name=name or _seed_name(con))


def run_case(case: EvalCase, translate: Translate, catalog: Catalog, db: EvalDB, *,
             second_date: EvalDB | None = None, weak_on: Sequence[EvalDB] = ()) -> CaseResult:
    """Score one case on ``db`` and, if given, on ``second_date``; ``weak_on`` databases only
    run the gold query (weak-case check)."""
    out = CaseResult(id=case.id, request=case.request, lang=case.lang, split=case.split,
                     tags=case.tags, conditions=case.conditions,
                     expect_refusal=case.expects_refusal, status="error",
                     gold_sql=case.gold_sql)
    dbs = [db] if second_date is None or second_date.as_of == db.as_of else [db, second_date]
    golds: list[set[int] | None] = [None] * len(dbs)
    if case.gold_sql is not None:
        where = db
        try:
            check_gold(case.gold_sql)
            for i, d in enumerate(dbs):
                where = d
                ids = gold_ids(d.con, case.gold_sql, checked=True)
                golds[i] = ids
                out.weak += _weak(len(ids), d.base, d.name)
            for d in weak_on:
                where = d
                ids = gold_ids(d.con, case.gold_sql, checked=True)
                out.weak += _weak(len(ids), d.base, d.name)
        except GoldQueryError as exc:
            on = "" if where is db else f" on {where.name}"
            out.gold_error, out.detail = True, f"gold{on}: {exc}"
            return out
    tokens: list[int] = [0, 0]
    for i, (d, gold) in enumerate(zip(dbs, golds, strict=True)):
        o, t, readback = _score_at(case, gold, translate, catalog, d, first=i == 0)
        if o.status in WRONG and t is not None:
            o.flagged_by = review_flags(t, catalog, d.as_of, d.con)
        out.dates[d.as_of.isoformat()] = o
        if t is not None and t.usage is not None:
            tokens[0] += t.usage.prompt_tokens
            tokens[1] += t.usage.completion_tokens
            out.prompt_tokens, out.completion_tokens = tokens
        if i == 0:
            out.latency_ms = t.latency_ms if t is not None else None
            out.readback = readback
            out.sql, out.gold_count, out.count = o.sql, o.gold_count, o.count
            out.missing, out.extra, out.detail = o.missing, o.extra, o.detail
    outcomes = list(out.dates.values())
    out.status = _combined([o.status for o in outcomes])
    out.failed_on = [day for day, o in out.dates.items() if o.status not in CORRECT]
    if out.failed_on and out.dates[next(iter(out.dates))].status in CORRECT:
        day = out.failed_on[0]
        out.detail = f"at {day}: {out.dates[day].detail}" if out.dates[day].detail else None
    wrong = [o for o in outcomes if o.status in WRONG]
    out.flagged_by = list(dict.fromkeys(f for o in wrong for f in o.flagged_by))
    out.silent = any(not o.flagged_by for o in wrong)
    return out


def _score_at(case: EvalCase, gold: set[int] | None, translate: Translate, catalog: Catalog,
              d: EvalDB, first: bool) -> tuple[DateOutcome, Translation | None, str | None]:
    """The outcome on ``d``, the translation (None when the translator broke) and, on the
    first date, the read-back."""
    from nl2seg.compile import compile_rule
    from nl2seg.readback import read_back
    from nl2seg.validate import validate

    o = DateOutcome(status="error", gold_count=None if gold is None else len(gold))
    try:
        t = translate(case.request, d.as_of)
    except Nl2SegError as exc:
        o.detail = f"translator [{exc.code}]: {exc}"
        return o, None, None
    if t.refused or t.rule is None:
        o.status = "refused" if case.expects_refusal else "false_refusal"
        o.detail = t.refusal_reason
        return o, t, None
    readback = None
    try:
        compiled = compile_rule(validate(t.rule, catalog, d.as_of))
        o.sql = compiled.audience().sql(dialect="duckdb", pretty=True)
        if first:
            readback = read_back(t.rule, catalog, d.as_of, lang=t.lang)
        if case.expects_refusal:
            o.status = "missed_refusal"
        ids = {int(r[0]) for r in d.con.execute(o.sql).fetchall()}
    except (Nl2SegError, duckdb.Error) as exc:
        if o.status != "missed_refusal":
            o.detail = f"compile/run: {str(exc).splitlines()[0]}"
        return o, t, readback
    o.count = len(ids)
    if gold is not None:
        o.missing, o.extra = len(gold - ids), len(ids - gold)
        o.status = "pass" if ids == gold else "fail"
    return o, t, readback


def _combined(statuses: list[Status]) -> Status:
    """A wrong audience first, then any other incorrect outcome, else the first date's."""
    for s in statuses:
        if s in WRONG:
            return s
    return next((s for s in statuses if s not in CORRECT), statuses[0])


def _weak(n: int, base: int, name: str) -> list[str]:
    if n == 0:
        return [f"empty on {name}"]
    if n == base:
        return [f"whole base on {name}"]
    return []


def run_eval(cases: list[EvalCase], translate: Translate, catalog: Catalog, db: EvalDB, *,
             second_date: EvalDB | None = None, weak_on: Sequence[EvalDB] = (),
             progress: Progress | None = None) -> tuple[list[CaseResult], float]:
    """Run every case; ``progress(done, total, case_id)`` after each. Returns results, seconds."""
    import time

    t0 = time.perf_counter()
    results = []
    for i, case in enumerate(cases, 1):
        results.append(run_case(case, translate, catalog, db, second_date=second_date,
                                weak_on=weak_on))
        if progress is not None:
            progress(i, len(cases), case.id)
    return results, time.perf_counter() - t0


def _base(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> int:
    from sqlglot import exp

    from nl2seg.compile.literals import table

    q = exp.select(exp.Count(this=exp.Star())).from_(table(catalog.entity.table))
    row = con.execute(q.sql(dialect="duckdb")).fetchone()
    return int(row[0]) if row else 0


def _seed_name(con: duckdb.DuckDBPyConnection) -> str:
    try:
        row = con.execute("SELECT seed FROM meta.dataset").fetchone()
    except duckdb.Error:
        return "dataset"
    return f"seed {row[0]}" if row else "dataset"
