"""One eval run from options to report: the databases, the translator, the scoring.

The CLI's ``nl2seg eval`` is a shell over :func:`run_suite`. By default the cases run on the
demo dataset (20,000 customers, seed 2026, reference date 2026-06-30), again on the same
dataset built at a second reference date (2026-05-13: mid-month, mid-quarter, mid-week, where
rolling and calendar windows differ), and their gold queries also on seed 2027 (weak cases).
Missing demo databases are built under ``.nl2seg/``; every connection is opened once,
read-only, with file access switched off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from nl2seg.catalog.models import Catalog
from nl2seg.errors import Nl2SegError
from nl2seg.evaluation.cases import EvalCase, load_cases
from nl2seg.evaluation.results import EvalReport
from nl2seg.evaluation.runner import EvalDB, Progress, Translate, eval_db, run_case, run_eval
from nl2seg.evaluation.summary import summarize
from nl2seg.rule.nodes import Rule
from nl2seg.translate.result import Translation

EVAL_CUSTOMERS, EVAL_SEED, EVAL_SECOND_SEED = 20_000, 2026, 2027
SECOND_DATE = dt.date(2026, 5, 13)
"""Mid-month, mid-quarter, mid-week: "the last 3 months" is not "this quarter" there."""

Build = Callable[[str, int, int, dt.date | None], None]
"""``build(path, customers, seed, reference_date)`` writes a demo database (None: default
date)."""


class EvalSetupError(Nl2SegError):
    code = "eval_setup"


def eval_db_path(seed: int = EVAL_SEED, customers: int = EVAL_CUSTOMERS,
                 reference_date: dt.date | None = None, folder: str | Path = ".nl2seg") -> str:
    """Where the eval's demo databases live.

    >>> eval_db_path(2026, reference_date=dt.date(2026, 5, 13))
    '.nl2seg/eval-20000-s2026-r20260513.duckdb'
    """
    suffix = f"-r{reference_date:%Y%m%d}" if reference_date is not None else ""
    return str(Path(folder) / f"eval-{customers}-s{seed}{suffix}.duckdb")


def quiet_build(path: str, customers: int, seed: int, reference_date: dt.date | None) -> None:
    from nl2seg.demo.generate import DEFAULT_REFERENCE_DATE, generate_demo

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    generate_demo(path, customers=customers, seed=seed,
                  reference_date=reference_date or DEFAULT_REFERENCE_DATE)


def default_db(db_path: str | None, build: Build = quiet_build) -> str:
    """``db_path``, or the default eval database (built if missing)."""
    if db_path is not None:
        return db_path
    path = eval_db_path(EVAL_SEED)
    if not Path(path).exists():
        build(path, EVAL_CUSTOMERS, EVAL_SEED, None)
    return path


def make_translator(kind: str, catalog: Catalog, model: str | None = None) \
        -> tuple[Translate, str | None]:
    """``translate(request, as_of)`` for ``kind`` ("local" or "llm") and the model's name."""
    from nl2seg.translate import translate_local
    from nl2seg.translate.llm import LLMConfig, LLMTranslator

    if kind != "llm":
        return (lambda request, as_of: translate_local(request, catalog, as_of)), None
    llm = LLMTranslator(LLMConfig.from_env(model=model))
    if not llm.config.configured:
        raise Nl2SegError("no LLM endpoint is configured: set OPENAI_BASE_URL (and "
                          "OPENAI_API_KEY), or use --translator local", code="llm_not_configured")
    return (lambda request, as_of: llm.translate(request, catalog, as_of)), llm.config.model


def price_from_env() -> tuple[float, float] | None:
    """``NL2SEG_LLM_PRICE="0.15,0.60"``: USD per million prompt, completion tokens."""
    raw = os.environ.get("NL2SEG_LLM_PRICE")
    if not raw:
        return None
    try:
        a, b = (float(x) for x in raw.split(","))
    except ValueError:
        raise Nl2SegError("NL2SEG_LLM_PRICE must be two numbers: 'prompt,completion' USD per "
                          "million tokens", code="llm_config") from None
    return a, b


def _meta(con: duckdb.DuckDBPyConnection) -> tuple[int, int, dt.date] | None:
    try:
        row = con.execute("SELECT customers, seed, reference_date FROM meta.dataset").fetchone()
    except duckdb.Error:
        return None
    return (int(row[0]), int(row[1]), row[2]) if row else None


def second_date_path(db: str, meta: tuple[int, int, dt.date] | None, day: dt.date,
                     build: Build) -> str:
    """The demo database like ``db`` (same size and seed) at reference date ``day``, next to
    it; built if missing."""
    if meta is None:
        raise EvalSetupError(f"{db} is not a demo dataset (no meta.dataset): pass "
                             "--second-date-db with the same data at the second date, or "
                             "--no-second-date")
    path = eval_db_path(meta[1], meta[0], day, Path(db).parent)
    if not Path(path).exists():
        build(path, meta[0], meta[1], day)
    return path


def run_suite(cases_path: str, *, translator: str = "local", model: str | None = None,
              catalog_path: str | None = None, db_path: str | None = None,
              second_db: str | None = None, no_second: bool = False,
              second_date: dt.date | None = SECOND_DATE, second_date_db: str | None = None,
              build: Build = quiet_build, progress: Progress | None = None) -> EvalReport:
    """Everything ``nl2seg eval`` does before writing reports: see the module docstring."""
    from nl2seg.catalog import load_catalog
    from nl2seg.catalog.data_values import attach_data_values
    from nl2seg.db import open_db
    from nl2seg.evaluation.gold import lock_down

    cases = load_cases(cases_path)
    cat = load_catalog(catalog_path)
    db = default_db(db_path, build)
    seed2 = None if no_second else (second_db or eval_db_path(EVAL_SECOND_SEED))
    if seed2 is not None and second_db is None and not Path(seed2).exists():
        build(seed2, EVAL_CUSTOMERS, EVAL_SECOND_SEED, None)
    with contextlib.ExitStack() as stack:
        def opened(path: str) -> duckdb.DuckDBPyConnection:
            return lock_down(stack.enter_context(open_db(path)))

        con = opened(db)
        cat = attach_data_values(cat, con)
        translate, model_name = make_translator(translator, cat, model)
        meta = _meta(con)
        main = eval_db(con, cat)
        weak_on = [eval_db(opened(seed2), cat)] if seed2 is not None else []
        day2 = dated = None
        if second_date is not None and second_date != main.as_of:
            day2 = second_date_db or second_date_path(db, meta, second_date, build)
            dated = eval_db(opened(day2), cat, name=f"reference date {second_date}")
            if dated.as_of != second_date:
                raise EvalSetupError(f"{day2} has reference date {dated.as_of}, not the second "
                                     f"date {second_date}: pass --second-date {dated.as_of}")
        results, seconds = run_eval(cases, translate, cat, main, second_date=dated,
                                    weak_on=weak_on, progress=progress)
        seed_meta = _meta(weak_on[0].con) if weak_on else None
    return EvalReport(
        translator=translator, model=model_name,
        dataset={"path": db, "customers": meta[0] if meta else None,
                 "seed": meta[1] if meta else None, "reference_date": str(main.as_of),
                 "second_seed": seed_meta[1] if seed_meta else None,
                 "second_date": str(dated.as_of) if dated else None,
                 "second_date_path": day2 if dated else None, "cases": cases_path},
        summary=summarize(results, seconds, price_from_env()), cases=results)


def passing_rules(cases: list[EvalCase], catalog: Catalog, db: EvalDB) -> list[Rule]:
    """The local translator's rules on the audience cases it gets exactly right on ``db``
    (what ``nl2seg eval warnings`` corrupts)."""
    from nl2seg.translate import translate_local

    rules = []
    for case in cases:
        if case.expects_refusal:
            continue
        t = translate_local(case.request, catalog, db.as_of)

        def same(_request: str, _as_of: dt.date, t: Translation = t) -> Translation:
            return t

        if t.rule is not None and run_case(case, same, catalog, db).status == "pass":
            rules.append(t.rule)
    return rules
