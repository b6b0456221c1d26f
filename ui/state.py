"""The session's state: where the app reads and writes, the catalog, the rule on screen and
the translation it came from, and the one call that prepares what every screen shows.

Streamlit re-runs ``ui/app.py`` on every click but imports this module once per process, so
the configuration is read from the environment on each call, never kept in a constant.
"""

from __future__ import annotations

import hashlib
import os
import re

import duckdb
import streamlit as st

from nl2seg.catalog import load_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.crosscheck import CrossCheck
from nl2seg.guard import StateStore, prepare
from nl2seg.guard.review import Prepared
from nl2seg.readings import choose
from nl2seg.reference import resolve_as_of
from nl2seg.rule.nodes import Rule
from nl2seg.translate.normalize import fold
from nl2seg.translate.result import Translation
from nl2seg.validate import parse_rule
from ui.i18n import lang

ss = st.session_state


# -- configuration (docs/app.md) ----------------------------------------------------------------
def db_path() -> str:
    return os.environ.get("NL2SEG_DB", ".nl2seg/demo.duckdb")


def state_path() -> str:
    return os.environ.get("NL2SEG_STATE", ".nl2seg/state.sqlite")


def exports_dir() -> str:
    return os.environ.get("NL2SEG_EXPORT_DIR", "exports")


def four_eyes() -> bool:
    return os.environ.get("NL2SEG_FOUR_EYES", "") in {"1", "true", "yes"}


@st.cache_resource
def _catalog(path: str | None, db: str) -> Catalog:
    """The catalog, with the values of its open text fields read from the database (brands,
    cities) when it opens; without it, the catalog alone."""
    from nl2seg.catalog.data_values import attach_data_values
    from nl2seg.db import open_db
    from nl2seg.errors import Nl2SegError

    cat = load_catalog(path)
    try:
        with open_db(db) as con:
            return attach_data_values(cat, con)
    except Nl2SegError:
        return cat


def catalog() -> Catalog:
    return _catalog(os.environ.get("NL2SEG_CATALOG"), db_path())


# -- the rule on screen -------------------------------------------------------------------------
def current_rule() -> Rule | None:
    raw = ss.get("rule_json")
    return parse_rule(raw) if raw else None


def set_rule(rule: Rule) -> None:
    """Every change of the rule goes through here: edits, a reading chosen, a re-opened
    audience. A different rule forgets the widgets that judged the old one."""
    new = rule.model_dump_json(exclude_none=True)
    if new != ss.get("rule_json"):
        forget_rule_widgets()
    ss.rule_json = new


def is_current(rule: Rule) -> bool:
    return rule.model_dump_json(exclude_none=True) == ss.get("rule_json")


_RULE_WIDGET = re.compile(r"^(?:combiner|channel_select|confirm|ack_.*|c\d+_.*)$")


def forget_rule_widgets() -> None:
    """Widgets that show the rule (editor, channel, AND/OR) or a judgement on it (warnings
    acknowledged, "I confirm") start again from the new rule: nothing carries over."""
    for k in [str(k) for k in ss]:
        if _RULE_WIDGET.match(k):
            del ss[k]


# -- the translation it came from ---------------------------------------------------------------
def translation() -> Translation | None:
    """The translator's answer as it came, readings in its order (reading 1 = its choice)."""
    raw = ss.get("translation")
    return Translation.model_validate(raw) if raw else None


def reading() -> int:
    """The reading the reviewer chose (1 until they pick another)."""
    return int(ss.get("reading") or 1)


def chosen() -> Translation | None:
    """The translation with the chosen reading as its rule: what the warnings look at."""
    tr = translation()
    return choose(tr, reading()) if tr is not None and tr.rule is not None else tr


def refused() -> Translation | None:
    """The last request's refusal, with its suggestions and partial rule."""
    raw = ss.get("refused_translation")
    return Translation.model_validate(raw) if raw else None


def slug(text: str) -> str:
    """The audience's default name: the request's first words and a short hash of all of it
    (two requests that start alike are two audiences).

    >>> slug("Clientes lyonnaises qui ont acheté")
    'clientes-lyonnaises-qui-ont-ache-7aa892'
    """
    s = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:32].strip("-")
    return f"{s or 'audience'}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


def replace_word(request: str, word: str, candidate: str) -> str:
    """The request with ``word`` (case and accents aside, whole words only) replaced by
    ``candidate``; the request unchanged when the word is not in it.

    >>> replace_word("clients VIP avec un gros Salaire", "salaire", "revenu")
    'clients VIP avec un gros revenu'
    >>> replace_word("clientes équitation", "equitation", "sport")
    'clientes sport'
    """
    words = [m for m in re.finditer(r"\w+", request)]
    target = [fold(w) for w in re.findall(r"\w+", word)]
    for i in range(len(words) - len(target) + 1):
        span = words[i:i + len(target)]
        if target and [fold(m.group(0)) for m in span] == target:
            return request[:span[0].start()] + candidate + request[span[-1].end():]
    return request


# -- what every screen shows --------------------------------------------------------------------
def prepared(rule: Rule, con: duckdb.DuckDBPyConnection, store: StateStore | None,
             record: bool = False) -> Prepared:
    tr = translation()
    cc = CrossCheck.model_validate(ss.cross_check) if ss.get("cross_check") else None
    if tr is None or tr.rule != rule:
        cc = None  # another reading or an edit: the translators' comparison is about another
    expected = ss.get("expected_size") or None
    return prepare(rule, catalog(), resolve_as_of(catalog(), con, None), con, translation=chosen(),
                   cross_check=cc, name=ss.get("audience_name"), store=store,
                   expected_size=int(expected) if expected else None, lang=lang(),
                   actor=ss.get("author") or "app", record=record)


def new_preview(rule: Rule) -> bool:
    """Record a preview in the history once per rule and audience name, not on every rerun."""
    key = (rule.model_dump_json(), ss.get("audience_name"))
    if ss.get("recorded") == key or not ss.get("audience_name"):
        return False
    ss.recorded = key
    return True
