"""The readings of one request, side by side: the chosen rule and its alternatives, each with
its read-back and its audience size, so a reviewer sees what the choice changes.

Reading 1 is the one the conventions give (``Translation.rule``); 2, 3, … are
``Translation.alternatives`` in order. ``choose`` makes reading N the translation's rule, the
others (the old choice included) its alternatives: switching is lossless and reversible.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from pydantic import BaseModel, ConfigDict
from sqlglot import exp

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.errors import Nl2SegError
from nl2seg.rule.nodes import Rule
from nl2seg.translate.result import Reading, Translation


class ReadingView(BaseModel):
    """One reading as a reviewer sees it."""

    model_config = ConfigDict(extra="forbid")

    index: int
    """1 for the chosen reading, 2… for the alternatives."""
    readback: str
    why: str | None = None
    rule: Rule
    count: int | None = None
    """Audience size on the database (None when not measured or when it failed)."""
    error: str | None = None


class ReadingError(Nl2SegError):
    """A reading number that the translation does not have."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unknown_reading")


def choose(translation: Translation, n: int) -> Translation:
    """The translation with reading ``n`` (1-based) as its rule."""
    rules = _rules(translation)
    if not 1 <= n <= len(rules):
        raise ReadingError(f"reading {n} does not exist: this request has "
                           f"{len(rules)} reading(s); use --reading 1 to {len(rules)}")
    if n == 1:
        return translation
    whys = [r.why for r in translation.alternatives]
    chosen = rules[n - 1]
    others = [Reading(rule=r, why=_default_why(translation.lang)) if i == 0 else
              Reading(rule=r, why=whys[i - 1])
              for i, r in enumerate(rules) if i != n - 1]
    return translation.model_copy(update={"rule": chosen, "alternatives": others})


def _default_why(lang: str) -> str:
    return "la lecture par défaut (conventions)" if lang == "fr" else \
        "the default reading (conventions)"


def _rules(translation: Translation) -> list[Rule]:
    if translation.rule is None:
        return []
    return [translation.rule, *(a.rule for a in translation.alternatives)]


def readings(translation: Translation, catalog: Catalog, as_of: dt.date,
             con: duckdb.DuckDBPyConnection | None = None,
             lang: Lang | None = None) -> list[ReadingView]:
    """Every reading with its read-back and, given a database, its audience size."""
    from nl2seg.readback import read_back

    language: Lang = lang or translation.lang
    whys: list[str | None] = [None, *(a.why for a in translation.alternatives)]
    out: list[ReadingView] = []
    for i, rule in enumerate(_rules(translation)):
        count, error = (None, None) if con is None else _count(rule, catalog, as_of, con)
        out.append(ReadingView(index=i + 1, readback=read_back(rule, catalog, as_of, language),
                               why=whys[i], rule=rule, count=count, error=error))
    return out


def audience_size(rule: Rule, catalog: Catalog, as_of: dt.date,
                  con: duckdb.DuckDBPyConnection) -> int:
    """The number of customers of ``rule`` (one checked, read-only query)."""
    from nl2seg.compile import compile_rule
    from nl2seg.compile.safety import check_query
    from nl2seg.validate import validate

    compiled = compile_rule(validate(rule, catalog, as_of))
    q = exp.select(exp.Count(this=exp.Star())).from_(compiled.audience().subquery("a"))
    check_query(q, catalog)
    row = con.execute(q.sql(dialect="duckdb")).fetchone()
    return int(row[0]) if row else 0


def _count(rule: Rule, catalog: Catalog, as_of: dt.date,
           con: duckdb.DuckDBPyConnection) -> tuple[int | None, str | None]:
    try:
        return audience_size(rule, catalog, as_of, con), None
    except Nl2SegError as exc:
        return None, str(exc)
