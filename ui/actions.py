"""What a click does: each callback changes the session's state (through ``ui.state``) and
reports errors in the page, never as a traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from nl2seg import edit
from nl2seg.db import open_db
from nl2seg.errors import Nl2SegError
from nl2seg.guard import StateStore, decide, export_audience
from nl2seg.guard.approval import latest_approval
from nl2seg.readings import choose
from nl2seg.rule.nodes import Condition, Rule
from nl2seg.translate.choose import translate_request
from nl2seg.validate import parse_rule
from ui.i18n import customers, friendly, number, plain, t
from ui.state import (
    catalog,
    current_rule,
    db_path,
    exports_dir,
    forget_rule_widgets,
    four_eyes,
    prepared,
    refused,
    replace_word,
    set_rule,
    slug,
    ss,
    state_path,
    translation,
)

# what a new request, a re-opened audience or a partial start leaves behind
_PER_REQUEST = ("refusal", "refused_translation", "partial_of", "reading", "readings")


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Callbacks report errors in the page (never a traceback)."""
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Nl2SegError as exc:
            ss.flash = ("error", friendly(exc))
        except Exception as exc:  # shown in the page, never as a traceback
            ss.flash = ("error", f"{type(exc).__name__}: {plain(exc)}")
        return None
    return run


@guarded
def interpret(day: dt.date) -> None:
    text = (ss.get("request_text") or "").strip()
    ss.interpreted_text = ss.get("request_text")
    ss.pop("refusal", None)
    ss.pop("refused_translation", None)
    forget_rule_widgets()
    with open_db(db_path()) as con:
        out = translate_request(text, catalog(), day, con=con)
    tr = out.translation
    if tr.refused or tr.rule is None:
        ss.refusal = tr.refusal_reason  # the rule on screen (and its edits) stays
        ss.refused_translation = tr.model_dump(mode="json")
        return
    for k in _PER_REQUEST:
        ss.pop(k, None)
    ss.translation = tr.model_dump(mode="json")
    ss.cross_check = out.cross_check.model_dump(mode="json") if out.cross_check else None
    ss.fallback = out.fallback
    set_rule(tr.rule)
    ss.audience_name = slug(text)
    ss.ui_lang = tr.lang


def use_example(text: str) -> None:
    ss.request_text = text  # the next run sees a new request and interprets it


def use_suggestion(word: str, candidate: str) -> None:
    """The refused request with ``word`` replaced by ``candidate``: the next run sees a new
    request and translates it."""
    request = ss.get("interpreted_text") or ss.get("request_text") or ""
    corrected = replace_word(request, word, candidate)
    if corrected == request:
        w = plain(word)
        ss.flash = ("error", t(f"« {w} » n'est plus dans la demande : corrigez-la à la main.",
                               f'"{w}" is no longer in the request: correct it by hand.'))
        return
    ss.request_text = corrected


@guarded
def use_reading(n: int) -> None:
    """Reading ``n`` becomes the rule: like an edit, it forgets acknowledgements and the
    "I confirm" box, and an approval of another rule no longer holds."""
    tr = translation()
    if tr is None:
        return
    rule = choose(tr, n).rule
    assert rule is not None
    ss.reading = n
    set_rule(rule)


@guarded
def start_from_partial() -> None:
    """The refusal's partial rule into the editor, marked as not what was asked."""
    tr = refused()
    if tr is None or tr.partial is None:
        return
    for k in ("translation", "cross_check", "fallback", *_PER_REQUEST):
        ss.pop(k, None)
    request = tr.partial.request or ss.get("interpreted_text") or ""
    ss.partial_of = {"request": request, "unmapped": tr.unmapped}
    set_rule(tr.partial)
    ss.audience_name = slug(request)
    ss.ui_lang = tr.lang


@guarded
def edit_rule(fn: Callable[[Rule], Rule]) -> None:
    rule = current_rule()
    if rule is not None:
        set_rule(fn(rule))


@guarded
def add_condition(cond: Condition) -> None:
    rule = current_rule()
    set_rule(edit.add(rule, cond) if rule is not None else Rule(where=cond))


@guarded
def approve(prepared_json: str, decision: str) -> None:
    rule = current_rule()
    assert rule is not None
    acks = [str(k).removeprefix("ack_") for k, v in ss.items() if str(k).startswith("ack_") and v]
    with open_db(db_path()) as con, StateStore(state_path()) as store:
        p = prepared(rule, con, store)
        a = decide(store, name=ss.get("audience_name") or "audience", rule=rule,
                   catalog=catalog(), preview=p.preview, warnings=p.warnings,
                   approver=ss.get("reviewer", ""), author=ss.get("author") or "",
                   comment=ss.get("comment", ""), acknowledged=acks, four_eyes=four_eyes(),
                   decision=decision)  # type: ignore[arg-type]
    ss.flash = ("success", t(f"{'Approuvée' if decision == 'approved' else 'Rejetée'} : "
                             f"{a.name} v{a.version} ({customers(a.count)}), empreinte "
                             f"{a.fingerprint[:12]}", f"{decision.capitalize()}: {a.name} "
                             f"v{a.version} ({customers(a.count)}), fingerprint "
                             f"{a.fingerprint[:12]}"))


@guarded
def do_export(day: dt.date) -> None:
    rule = current_rule()
    assert rule is not None
    channel = None if ss.export_channel == "none" else ss.export_channel
    with st.spinner(t("Export en cours…", "Exporting…")), open_db(db_path()) as con, \
            StateStore(state_path()) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
        res = export_audience(store, con, a, rule, catalog(), day, channel=channel,
                              fmt=ss.export_format, out_dir=exports_dir(),
                              actor=ss.get("reviewer") or ss.get("author") or "app")
    ss.last_export = res.model_dump(mode="json")
    ss.flash = ("success", t(f"{number(res.count)} lignes écrites dans {res.path}",
                             f"{number(res.count)} rows written to {res.path}"))


@guarded
def reopen(name: str, version: int, copy: bool) -> None:
    with StateStore(state_path()) as store:
        row = store.audience(name, version)
    if row is None:
        return
    set_rule(parse_rule(row["rule_json"]))
    ss.audience_name = f"{name}-copie" if copy else name
    for k in ("translation", "cross_check", *_PER_REQUEST):
        ss.pop(k, None)
