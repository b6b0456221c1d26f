"""One call from a rule (or a request) to what a reviewer must see before approving.

``prepare`` validates, compiles and previews the rule, reads it back, and assesses every
warning — with the translation, the second opinion and the audience's history when there
are some. The CLI's ``approve`` and the app both start here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from nl2seg.catalog.models import Catalog, Lang
from nl2seg.compile.compiler import CompiledRule
from nl2seg.crosscheck import CrossCheck
from nl2seg.guard.state import StateStore
from nl2seg.guard.warnings import Context, GuardConfig, GuardWarning, assess
from nl2seg.preview import Preview
from nl2seg.rule.nodes import Rule
from nl2seg.translate.result import Translation


@dataclass
class Prepared:
    rule: Rule
    compiled: CompiledRule
    preview: Preview
    readback: str
    warnings: list[GuardWarning]
    translation: Translation | None = None
    cross_check: CrossCheck | None = None

    @property
    def blocking(self) -> list[GuardWarning]:
        return [w for w in self.warnings if w.severity == "blocking"]

    @property
    def to_acknowledge(self) -> list[GuardWarning]:
        return [w for w in self.warnings if w.needs_ack]


def prepare(rule: Rule, catalog: Catalog, as_of: dt.date, con: duckdb.DuckDBPyConnection, *,
            translation: Translation | None = None, cross_check: CrossCheck | None = None,
            name: str | None = None, store: StateStore | None = None,
            expected_size: int | None = None, lang: Lang = "fr",
            config: GuardConfig | None = None, sample_size: int = 10,
            actor: str = "nl2seg", record: bool = True) -> Prepared:
    from nl2seg.compile import compile_rule
    from nl2seg.preview import preview
    from nl2seg.readback import read_back
    from nl2seg.validate import validate

    compiled = compile_rule(validate(rule, catalog, as_of))
    p = preview(compiled, con, sample_size=sample_size, lang=lang)
    if store is not None:  # what an approval of this preview binds
        from nl2seg.guard.identity import database_identity

        db = database_identity(con, catalog)
        p = p.model_copy(update={"database": db.path, "database_fingerprint": db.fingerprint})
    history = store.approved_counts(name) if store is not None and name else []
    warnings = assess(Context(compiled=compiled, preview=p, translation=translation,
                              cross_check=cross_check, expected_size=expected_size,
                              history=history, con=con, lang=lang,
                              config=config or GuardConfig()))
    if store is not None and name and record:
        store.record_preview(name, p.fingerprint, p.as_of.isoformat(), p.count, p.base, actor)
    return Prepared(rule=rule, compiled=compiled, preview=p,
                    readback=read_back(rule, catalog, as_of, lang=lang), warnings=warnings,
                    translation=translation, cross_check=cross_check)
