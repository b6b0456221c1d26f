"""nl2seg review app: marketers ask, reviewers check, edit and approve, then export.

Run with ``nl2seg app`` (or ``streamlit run ui/app.py``). Configuration comes from the
environment: ``NL2SEG_DB`` (default ``.nl2seg/demo.duckdb``), ``NL2SEG_STATE``
(``.nl2seg/state.sqlite``), ``NL2SEG_CATALOG``, ``NL2SEG_EXPORT_DIR`` (``exports``),
``NL2SEG_FOUR_EYES`` (``1`` to forbid self-approval) and the LLM settings of
``docs/translators.md``. All logic lives in the ``nl2seg`` package; this file only lays
it out and keeps the session's state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from nl2seg import edit
from nl2seg.catalog import load_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.compile.compiler import DIALECTS
from nl2seg.crosscheck import CrossCheck
from nl2seg.db import open_db
from nl2seg.errors import Nl2SegError
from nl2seg.guard import StateStore, check_approval, decide, export_audience, prepare
from nl2seg.guard.approval import latest_approval
from nl2seg.guard.review import Prepared
from nl2seg.preview import explain_member
from nl2seg.readback import describe_condition
from nl2seg.reference import resolve_as_of
from nl2seg.rule.nodes import (
    Age,
    Attribute,
    Condition,
    EventCondition,
    LastWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
)
from nl2seg.segment_analysis import breakdown, dimensions
from nl2seg.translate.choose import resolve_choice, translate_request
from nl2seg.translate.llm import LLMConfig
from nl2seg.translate.normalize import fold
from nl2seg.translate.result import Translation
from nl2seg.validate import parse_rule

DB = os.environ.get("NL2SEG_DB", ".nl2seg/demo.duckdb")
STATE = os.environ.get("NL2SEG_STATE", ".nl2seg/state.sqlite")
EXPORTS = os.environ.get("NL2SEG_EXPORT_DIR", "exports")
FOUR_EYES = os.environ.get("NL2SEG_FOUR_EYES", "") in {"1", "true", "yes"}
EXAMPLES = {
    "fr": ["clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois",
           "clientes lyonnaises qui ont acheté des chaussures en ligne le mois dernier, pour "
           "une campagne email",
           "clients inactifs à fort risque d'attrition, sauf les VIP"],
    "en": ["women 25-34 who opened a promo email in the last 30 days, for an SMS campaign",
           "customers who spent more than 500 € online this year",
           "lapsed customers with a high propensity for sport"],
}
OPS = ["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between"]
AGGREGATES = ["exists", "none", "count", "sum", "avg"]
UNITS = ["day", "week", "month", "quarter", "year"]

st.set_page_config(page_title="nl2seg", page_icon="🎯", layout="wide")
ss = st.session_state


def t(fr: str, en: str) -> str:
    return fr if ss.get("ui_lang", "fr") == "fr" else en


@st.cache_resource
def _catalog(path: str | None) -> Catalog:
    return load_catalog(path)


def catalog() -> Catalog:
    return _catalog(os.environ.get("NL2SEG_CATALOG"))


def lang() -> Any:
    return "en" if ss.get("ui_lang", "fr") == "en" else "fr"


# -- state helpers ------------------------------------------------------------------------------
def current_rule() -> Rule | None:
    raw = ss.get("rule_json")
    return parse_rule(raw) if raw else None


def set_rule(rule: Rule) -> None:
    new = rule.model_dump_json(exclude_none=True)
    if new != ss.get("rule_json"):
        forget_rule_widgets()
    ss.rule_json = new


_RULE_WIDGET = re.compile(r"^(?:combiner|channel_select|confirm|ack_.*|c\d+_.*)$")


def forget_rule_widgets() -> None:
    """Widgets that show the rule (editor, channel, AND/OR) or a judgement on it (warnings
    acknowledged, "I confirm") start again from the new rule: nothing carries over."""
    for k in [str(k) for k in ss]:
        if _RULE_WIDGET.match(k):
            del ss[k]


def slug(text: str) -> str:
    """The audience's default name: the request's first words and a short hash of all of it
    (two requests that start alike are two audiences)."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:32].strip("-")
    return f"{s or 'audience'}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


_FRIENDLY = {
    "approval_refused": ("Indiquez le nom du relecteur.", "Enter the reviewer's name."),
    "approval_unacknowledged": ("Cochez « Lu et accepté » sous chaque avertissement.",
                                "Tick \"Read and accepted\" under each warning."),
    "approval_blocked": ("Un avertissement bloquant empêche l'approbation : modifiez la règle.",
                         "A blocking warning prevents approval: change the rule."),
    "approval_four_eyes": ("Mode quatre yeux : l'auteur de la règle ne peut pas l'approuver ; "
                           "demandez à un autre relecteur.", "Four-eyes mode: the rule's author "
                           "cannot approve it; ask another reviewer."),
    "export_unapproved": ("Pas d'approbation valide pour cette règle : approuvez-la (onglet 4).",
                          "No valid approval for this rule: approve it (tab 4)."),
    "export_count_moved": ("Le volume a changé depuis l'approbation : relancez l'aperçu et "
                           "faites réapprouver.", "The count moved since the approval: preview "
                           "again and have it re-approved."),
}
def friendly(exc: Nl2SegError) -> str:
    """The error in the marketer's language; its details (in English) below."""
    fr_en = _FRIENDLY.get(exc.code)
    return f"{t(*fr_en)}\n\n`{exc}`" if fr_en else f"[{exc.code}] {exc}"


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Callbacks report errors in the page (never a traceback)."""
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Nl2SegError as exc:
            ss.flash = ("error", friendly(exc))
        except Exception as exc:  # shown in the page, never as a traceback
            ss.flash = ("error", f"{type(exc).__name__}: {exc}")
        return None
    return run


# -- callbacks ------------------------------------------------------------------------------------
@guarded
def interpret(day: dt.date) -> None:
    text = (ss.get("request_text") or "").strip()
    ss.interpreted_text = ss.get("request_text")
    ss.pop("refusal", None)
    forget_rule_widgets()
    with open_db(DB) as con:
        out = translate_request(text, catalog(), day, con=con)
    tr = out.translation
    if tr.refused or tr.rule is None:
        ss.refusal = tr.refusal_reason  # the rule on screen (and its edits) stays
        return
    ss.translation = tr.model_dump(mode="json")
    ss.cross_check = out.cross_check.model_dump(mode="json") if out.cross_check else None
    ss.fallback = out.fallback
    set_rule(tr.rule)
    ss.audience_name = slug(text)
    ss.ui_lang = tr.lang


def use_example(text: str) -> None:
    ss.request_text = text


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
    with open_db(DB) as con, StateStore(STATE) as store:
        p = _prepare(rule, con, store)
        a = decide(store, name=ss.get("audience_name") or "audience", rule=rule,
                   catalog=catalog(), preview=p.preview, warnings=p.warnings,
                   approver=ss.get("reviewer", ""), author=ss.get("author") or "",
                   comment=ss.get("comment", ""), acknowledged=acks, four_eyes=FOUR_EYES,
                   decision=decision)  # type: ignore[arg-type]
    ss.flash = ("success", t(f"{'Approuvée' if decision == 'approved' else 'Rejetée'} : "
                             f"{a.name} v{a.version} ({a.count:,} clients), empreinte "
                             f"{a.fingerprint[:12]}", f"{decision.capitalize()}: {a.name} "
                             f"v{a.version} ({a.count:,} customers), fingerprint "
                             f"{a.fingerprint[:12]}"))


@guarded
def do_export(day: dt.date) -> None:
    rule = current_rule()
    assert rule is not None
    channel = None if ss.export_channel == "none" else ss.export_channel
    with st.spinner(t("Export en cours…", "Exporting…")), open_db(DB) as con, \
            StateStore(STATE) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
        res = export_audience(store, con, a, rule, catalog(), day, channel=channel,
                              fmt=ss.export_format, out_dir=EXPORTS,
                              actor=ss.get("reviewer") or ss.get("author") or "app")
    ss.last_export = res.model_dump(mode="json")
    ss.flash = ("success", t(f"{res.count:,} lignes écrites dans {res.path}",
                             f"{res.count:,} rows written to {res.path}"))


@guarded
def reopen(name: str, version: int, copy: bool) -> None:
    with StateStore(STATE) as store:
        row = store.audience(name, version)
    if row is None:
        return
    set_rule(parse_rule(row["rule_json"]))
    ss.audience_name = f"{name}-copie" if copy else name
    ss.pop("translation", None)
    ss.pop("cross_check", None)


# -- rendering ------------------------------------------------------------------------------------
def _prepare(rule: Rule, con: Any, store: StateStore | None, record: bool = False) -> Prepared:
    tr = Translation.model_validate(ss.translation) if ss.get("translation") else None
    cc = CrossCheck.model_validate(ss.cross_check) if ss.get("cross_check") else None
    if tr is not None and tr.rule is not None and tr.rule != rule:
        cc = None  # the reviewer edited the rule: the translators' comparison is about another
    expected = ss.get("expected_size") or None
    return prepare(rule, catalog(), resolve_as_of(catalog(), con, None), con, translation=tr,
                   cross_check=cc, name=ss.get("audience_name"), store=store,
                   expected_size=int(expected) if expected else None, lang=lang(),
                   actor=ss.get("author") or "app", record=record)


def ask_screen(day: dt.date) -> None:
    cfg = LLMConfig.from_env()
    which = resolve_choice("auto", cfg)
    st.caption(t(f"Traducteur : **{which}**" + (f" ({cfg.model}, contrôlé par le local)"
                                                 if which == "llm" else " (hors ligne)")
                 + f" · date de référence : **{day.isoformat()}** · base : `{DB}`",
                 f"Translator: **{which}**" + (f" ({cfg.model}, cross-checked by local)"
                                               if which == "llm" else " (offline)")
                 + f" · reference date: **{day.isoformat()}** · database: `{DB}`"))
    st.text_input(t("Votre nom (auteur)", "Your name (author)"), key="author")
    st.text_input(t("Qui voulez-vous cibler ?", "Who do you want to reach?"), key="request_text",
                  placeholder=EXAMPLES["fr"][0])
    cols = st.columns([1, 4])
    cols[0].button(t("Interpréter", "Interpret"), type="primary", on_click=interpret,
                   args=(day,), key="interpret")
    with cols[1]:
        st.caption(t("Exemples :", "Examples:"))
        for i, ex in enumerate(EXAMPLES["fr"] + EXAMPLES["en"]):
            st.button(ex, key=f"example_{i}", on_click=use_example, args=(ex,))
    if ss.get("refusal"):
        st.error(t("Demande refusée : ", "Request refused: ") + str(ss.refusal))


def highlight_unused(request: str, unused: list[str]) -> str:
    out = request
    for w in sorted(set(unused), key=len, reverse=True):
        out = re.sub(re.escape(w), lambda m: f":red-background[{m.group(0)}]", out)
    return out


def interpretation_screen(p: Prepared, rule: Rule) -> None:
    st.subheader(t("Ce que j'ai compris", "What I understood"))
    st.info(p.readback)
    tr = ss.get("translation")
    if tr:
        if tr.get("unmapped"):
            st.markdown(t("Mots non utilisés : ", "Unused words: ")
                        + highlight_unused(tr.get("rule", {}).get("request") or "",
                                           tr["unmapped"]))
        if tr.get("assumptions"):
            st.markdown(t("**Hypothèses**", "**Assumptions**"))
            for a in tr["assumptions"]:
                st.markdown(f"- {a}")
    if ss.get("fallback"):
        st.warning(t("LLM indisponible, traduction locale : ", "LLM unavailable, local "
                     "translation used: ") + ss.fallback)
    if ss.get("cross_check") and not ss.cross_check.get("agree", True):
        st.warning("\n\n".join(CrossCheck.model_validate(ss.cross_check).summary(lang())))
    rule_editor(rule)
    with st.expander("SQL"):
        dialect = st.selectbox(t("Dialecte", "Dialect"), list(DIALECTS), key="dialect")
        st.code(p.compiled.sql(dialect=dialect), language="sql")


def rule_editor(rule: Rule) -> None:
    cat = catalog()
    st.subheader(t("Modifier la règle", "Edit the rule"))
    how = edit.combiner(rule)
    choice = st.radio(t("Combiner les conditions", "Combine conditions"), ["all", "any"],
                      index=0 if how == "all" else 1, horizontal=True, key="combiner",
                      format_func=lambda x: t("toutes (ET)", "all (AND)") if x == "all"
                      else t("au moins une (OU)", "any (OR)"))
    if choice != how:
        edit_rule(lambda r: edit.set_combiner(r, "any" if choice == "any" else "all"))
        st.rerun()
    day = ss.as_of
    for i, cond in enumerate(edit.top(rule)):
        c1, c2, c3 = st.columns([6, 1, 1])
        excluded = isinstance(cond, Not)
        c1.markdown(f"**{i + 1}.** " + describe_condition(cond, cat, day, lang()))
        c2.button(t("Inclure", "Include") if excluded else t("Exclure", "Exclude"),
                  key=f"excl_{i}", on_click=edit_rule,
                  args=(lambda r, i=i: edit.toggle_exclude(r, i),))
        c3.button(t("Retirer", "Remove"), key=f"rm_{i}", on_click=edit_rule,
                  args=(lambda r, i=i: edit.remove(r, i),))
        inner = cond.condition if isinstance(cond, Not) else cond
        with st.expander(t(f"Changer la condition {i + 1}", f"Change condition {i + 1}")):
            changed = condition_widgets(f"c{i}", inner)
            if changed is not None and st.button(t("Appliquer", "Apply"), key=f"apply_{i}"):
                new: Condition = Not(condition=changed, phrase=cond.phrase) if excluded \
                    else changed
                edit_rule(lambda r, i=i, new=new: edit.replace(r, i, new))
                st.rerun()
    channels = ["—", *cat.channels]
    current = rule.channel or "—"
    ch = st.selectbox(t("Canal d'activation", "Activation channel"), channels,
                      index=channels.index(current), key="channel_select")
    if ch != current:
        edit_rule(lambda r: edit.set_channel(r, None if ch == "—" else ch))
        st.rerun()
    with st.expander(t("Ajouter une condition", "Add a condition")):
        kind = st.selectbox(t("Type", "Kind"), ["attribute", "score", "age", "event"],
                            key="new_kind", format_func=lambda k: {
                                "attribute": t("profil", "profile"), "score": "score",
                                "age": t("âge", "age"), "event": t("comportement (événement)",
                                                                   "behaviour (event)")}[k])
        template = _template(kind)
        new_cond = condition_widgets("new", template) if template is not None else None
        if new_cond is not None:
            st.button(t("Ajouter", "Add"), key="add_condition", on_click=add_condition,
                      args=(new_cond,))


def _template(kind: str) -> Condition | None:
    cat = catalog()
    if kind == "attribute":
        return Attribute(field=f"{cat.entity.table}.{_profile_fields()[0].split('.')[-1]}",
                         op="eq", value=_first_value(_profile_fields()[0]))
    if kind == "score":
        fields = _score_fields()
        return Score(field=fields[0], op="gt", value=0.5) if fields else None
    if kind == "age":
        birth = next((f for f in cat.profile_fields() if cat.column(f).role == "birth_date"),
                     None)
        return Age(field=birth, op="gte", value=50) if birth else None
    return EventCondition(event=next(iter(cat.events)), window=LastWindow(n=12, unit="month"))


def _profile_fields() -> list[str]:
    cat = catalog()
    ent = cat.entity.table
    return [f for f in cat.profile_fields() if f.startswith(ent + ".")
            and not cat.column(f).pii and cat.column(f).family in ("text", "number", "boolean")
            and f.split(".")[-1] != cat.entity.key]


def _score_fields() -> list[str]:
    cat = catalog()
    return [f for f in cat.profile_fields() if cat.tables[f.rsplit(".", 1)[0]].frozen
            and cat.column(f).family == "number"]


def _first_value(field: str) -> Any:
    vals = catalog().column(field).value_names()
    return vals[0] if vals else ""


def _value_widget(key: str, values: list[Any] | None, family: str, op: str,
                  current: Any) -> tuple[Any, list[Any] | None]:
    """(value, values) for ``op`` with widgets fed by the catalog's closed values."""
    if op in ("in", "not_in"):
        opts = values or []
        chosen = st.multiselect(t("Valeurs", "Values"), opts, key=f"{key}_vals",
                                default=[v for v in (current or []) if v in opts][:5])
        return None, list(chosen) or None
    if op == "between":
        a = st.number_input(t("De", "From"), key=f"{key}_lo", value=0.0)
        b = st.number_input(t("À", "To"), key=f"{key}_hi", value=100.0)
        return None, [a, b]
    if values:
        idx = values.index(current) if current in values else 0
        return st.selectbox(t("Valeur", "Value"), values, index=idx, key=f"{key}_val"), None
    if family == "number":
        return st.number_input(t("Valeur", "Value"), key=f"{key}_num",
                               value=float(current) if isinstance(current, (int, float))
                               else 0.0), None
    if family == "boolean":
        return st.checkbox(t("Oui", "Yes"), key=f"{key}_bool", value=bool(current)), None
    return st.text_input(t("Valeur", "Value"), key=f"{key}_txt", value=str(current or "")), None


def condition_widgets(key: str, cond: Condition) -> Condition | None:
    """Widgets to change one condition; the condition they describe (None if invalid)."""
    cat = catalog()
    try:
        if isinstance(cond, (Attribute, Score)):
            fields = _profile_fields() if isinstance(cond, Attribute) else _score_fields()
            if cond.field not in fields:
                fields = [cond.field, *fields]
            f = st.selectbox(t("Champ", "Field"), fields, index=fields.index(cond.field),
                             key=f"{key}_field")
            col = cat.column(f)
            ops = OPS if col.family != "text" else ["eq", "ne", "in", "not_in"]
            op = st.selectbox(t("Opérateur", "Operator"), ops,
                              index=ops.index(cond.op) if cond.op in ops else 0,
                              key=f"{key}_op")
            value, values = _value_widget(key, col.value_names() or None, col.family, op,
                                          cond.values if op in ("in", "not_in")
                                          else cond.value)
            node = Attribute if isinstance(cond, Attribute) else Score
            return node(field=f, op=op, value=value, values=values,
                        phrase=cond.phrase)
        if isinstance(cond, Age):
            op = st.selectbox(t("Opérateur", "Operator"), OPS[4:], key=f"{key}_op",
                              index=OPS[4:].index(cond.op) if cond.op in OPS[4:] else 0)
            if op == "between":
                lo = st.number_input(t("De", "From"), 0, 120, 25, key=f"{key}_lo")
                hi = st.number_input(t("À", "To"), 0, 120, 34, key=f"{key}_hi")
                return Age(field=cond.field, op="between", values=[int(lo), int(hi)],
                           phrase=cond.phrase)
            n = st.number_input(t("Âge", "Age"), 0, 120, int(cond.value or 50), key=f"{key}_age")
            return Age(field=cond.field, op=op, value=int(n), phrase=cond.phrase)
        if isinstance(cond, EventCondition):
            return event_widgets(key, cond)
    except (ValueError, Nl2SegError) as exc:
        st.caption(f"⚠ {exc}")
        return None
    st.caption(t("Condition composée : modifiable en la retirant puis en la recréant.",
                 "Compound condition: remove it and add its parts again to change it."))
    return None


def event_widgets(key: str, cond: EventCondition) -> EventCondition:
    cat = catalog()
    events = list(cat.events)
    ev = st.selectbox(t("Événement", "Event"), events, index=events.index(cond.event),
                      key=f"{key}_event", format_func=lambda e: cat.events[e].label.get(lang()))
    agg = st.selectbox(t("Agrégat", "Aggregate"), AGGREGATES, key=f"{key}_agg",
                       index=AGGREGATES.index(cond.aggregate)
                       if cond.aggregate in AGGREGATES else 0)
    kw: dict[str, Any] = {"event": ev, "aggregate": agg, "phrase": cond.phrase}
    if agg in ("count", "sum", "avg"):
        ops = ["gte", "gt", "lte", "lt", "eq"]
        kw["op"] = st.selectbox(t("Seuil", "Threshold"), ops, key=f"{key}_aop",
                                index=ops.index(cond.op) if cond.op in ops else 0)
        kw["value"] = st.number_input(t("Valeur", "Value"), key=f"{key}_aval",
                                      value=float(cond.value or (2 if agg == "count" else 100)))
        if agg == "count":
            kw["value"] = int(kw["value"])
        else:
            numeric = [p for p, d in cat.events[ev].properties.items()
                       if d.type.upper().startswith(("DECIMAL", "DOUBLE", "INTEGER"))]
            kw["property"] = numeric[0] if numeric else None
    filters = list(cond.filters) if ev == cond.event else []
    props = [p for p in cat.events[ev].properties if cat.property_values(ev, p)]
    out_filters: list[PropertyFilter] = []
    for j, f in enumerate(filters):
        keep = st.checkbox(f"{f.property} = {f.value if f.values is None else f.values}",
                           value=True, key=f"{key}_keepf{j}")
        if keep:
            out_filters.append(f)
    if props:
        p = st.selectbox(t("Filtre", "Filter"), ["—", *props], key=f"{key}_fprop")
        if p != "—":
            vals = [v.value for v in cat.property_values(ev, p) or []]
            v = st.selectbox(t("Valeur du filtre", "Filter value"), vals, key=f"{key}_fval")
            out_filters.append(PropertyFilter(property=p, op="eq", value=v))
    kw["filters"] = out_filters
    has_window = st.checkbox(t("Période", "Window"), value=cond.window is not None,
                             key=f"{key}_haswin")
    if has_window or agg in ("first", "last"):
        n0 = cond.window.n if isinstance(cond.window, LastWindow) else 12
        u0 = cond.window.unit if isinstance(cond.window, LastWindow) else "month"
        n = st.number_input(t("Derniers", "Last"), 1, 1000, int(n0), key=f"{key}_n")
        u = st.selectbox(t("Unité", "Unit"), UNITS, index=UNITS.index(u0), key=f"{key}_u")
        kw["window"] = LastWindow(n=int(n), unit=u)
    return EventCondition(**kw)


def preview_screen(p: Prepared, con: Any) -> None:
    pv = p.preview
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Audience", "Audience"), f"{pv.count:,}".replace(",", " "))
    c2.metric(t("Part de la base", "Share of base"), f"{pv.share:.2%}")
    c3.metric(t("Base", "Base"), f"{pv.base:,}".replace(",", " "))
    funnel = pd.DataFrame([{t("étape", "step"): f"{i + 1}. {s.label[:60]}",
                            t("seule", "alone"): s.alone, t("restants", "remaining"): s.remaining,
                            t("retirés", "dropped"): s.dropped,
                            t("sans elle", "without it"): s.without,
                            t("impact", "impact"): s.impact} for i, s in enumerate(pv.funnel)])
    st.subheader(t("Entonnoir", "Funnel"))
    st.bar_chart(funnel.set_index(t("étape", "step"))[[t("restants", "remaining")]],
                 horizontal=True)
    st.dataframe(funnel, hide_index=True)
    st.subheader(t("Échantillon (données personnelles masquées)", "Sample (personal data masked)"))
    st.dataframe(pd.DataFrame(pv.sample), hide_index=True)
    st.subheader(t("Pourquoi ce client est-il dedans ou dehors ?",
                   "Why is this customer in or out?"))
    cid = st.number_input(t("Identifiant client", "Customer id"), min_value=0, step=1,
                          value=int(pv.sample[0][catalog().entity.key]) if pv.sample else 1,
                          key="why_id")
    steps = explain_member(p.compiled, con, int(cid), lang())
    if steps is None:
        st.caption(t("Ce client n'existe pas dans la base.", "No such customer in the base."))
    else:
        for label, ok in steps:
            st.markdown(("✅ " if ok else "❌ ") + label)
        st.markdown(t("**Dans l'audience**" if all(ok for _, ok in steps) else "**Hors audience**",
                      "**In the audience**" if all(ok for _, ok in steps) else "**Not in it**"))
    st.subheader(t("Analyse du segment", "Segment analysis"))
    dims = dimensions(catalog(), lang())
    dim = st.selectbox(t("Dimension", "Dimension"), list(dims), format_func=lambda d: dims[d],
                       key="dimension")
    b = breakdown(p.compiled, con, dim, lang())
    df = pd.DataFrame([{t("valeur", "value"): r.value, "audience": round(100 * r.audience_share, 1),
                        "base": round(100 * r.base_share, 1), t("indice", "index"): round(r.index)}
                       for r in b.rows]).set_index(t("valeur", "value"))
    st.bar_chart(df[["audience", "base"]], stack=False)
    st.dataframe(df)


def review_screen(p: Prepared, day: dt.date) -> None:
    st.text_input(t("Nom de l'audience", "Audience name"), key="audience_name")
    st.number_input(t("Taille attendue (facultatif)", "Expected size (optional)"), min_value=0,
                    step=100, key="expected_size")
    for w in p.warnings:
        text = f"**{w.title}** — {w.explanation}"
        if w.severity == "blocking":
            st.error(text + t(" (bloquant : modifiez la règle)", " (blocking: change the rule)"))
        elif w.severity == "warning":
            st.warning(text)
            st.checkbox(t("Lu et accepté", "Read and accepted"), key=f"ack_{w.id}")
        else:
            st.caption("ℹ " + w.explanation)
    st.text_input(t("Relecteur", "Reviewer"), key="reviewer")
    st.text_area(t("Commentaire", "Comment"), key="comment")
    st.checkbox(t("Je confirme avoir relu la règle, son volume et ses avertissements",
                  "I confirm I reviewed the rule, its size and its warnings"), key="confirm")
    if FOUR_EYES:
        st.caption(t("Mode quatre yeux : l'auteur ne peut pas approuver.",
                     "Four-eyes mode: the author cannot approve."))
    c1, c2 = st.columns(2)
    c1.button(t("Approuver", "Approve"), type="primary", key="approve",
              disabled=bool(p.blocking) or not ss.get("confirm"), on_click=approve,
              args=("", "approved"))
    c2.button(t("Rejeter", "Reject"), key="reject", on_click=approve, args=("", "rejected"))
    approval_status(day)


def approval_status(day: dt.date) -> None:
    rule = current_rule()
    with StateStore(STATE) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
    if a is None or rule is None:
        st.caption(t("Pas encore approuvée.", "Not approved yet."))
        return
    reasons = check_approval(a, rule, catalog(), day.isoformat(), lang())
    if reasons:
        st.warning(t("Approbation annulée : ", "Approval void: ")
                   + "; ".join(reasons))
    else:
        st.success(t(f"Approuvée par {a.approver} le {a.at[:16]} — {a.count:,} clients — "
                     f"empreinte {a.fingerprint[:16]}", f"Approved by {a.approver} on "
                     f"{a.at[:16]} — {a.count:,} customers — fingerprint {a.fingerprint[:16]}"))


def export_screen(day: dt.date) -> None:
    rule = current_rule()
    with StateStore(STATE) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
    if rule is None:
        st.info(t("Posez d'abord une question (onglet 1).", "Ask a question first (tab 1)."))
        return
    reasons = check_approval(a, rule, catalog(), day.isoformat(), lang())
    if reasons:
        st.info(t("Export possible seulement pour une audience approuvée : ",
                  "Export only for an approved audience: ")
                + "; ".join(reasons))
        return
    options = [rule.channel or "none"]  # the approved channel: its consent is in the count
    st.radio(t("Canal (celui de l'approbation)", "Channel (the approved one)"), options,
             key="export_channel", horizontal=True)
    st.radio("Format", ["csv", "parquet"], key="export_format", horizontal=True)
    st.button(t("Exporter", "Export"), type="primary", key="export", on_click=do_export,
              args=(day,))
    last = ss.get("last_export")
    if last and Path(last["path"]).exists():
        st.success(t(f"Fichier : {last['path']} — manifeste : {last['manifest']}",
                     f"File: {last['path']} — manifest: {last['manifest']}"))
        st.download_button(t("Télécharger", "Download"), Path(last["path"]).read_bytes(),
                           file_name=Path(last["path"]).name, key="download")
        st.json(json.loads(Path(last["manifest"]).read_text(encoding="utf-8")))


def history_screen() -> None:
    with StateStore(STATE) as store:
        auds = [dict(r) for r in store.audiences()]
        approvals = [dict(r) for r in store.db.execute(
            "SELECT id, name, version, decision, count, approver, at FROM approvals ORDER BY at")]
        exports = [dict(r) for r in store.db.execute(
            "SELECT id, approval_id, channel, format, count, path, at FROM exports ORDER BY at")]
        previews = [dict(r) for r in store.db.execute(
            "SELECT name, count, at FROM previews ORDER BY id")]
        entries = store.audit_entries()
        report = store.verify_audit()
    st.subheader(t("Audiences enregistrées", "Saved audiences"))
    if auds:
        st.dataframe(pd.DataFrame([{k: v for k, v in a.items() if k != "rule_json"}
                                   for a in auds]), hide_index=True)
        labels = [f"{a['name']} v{a['version']}" for a in auds]
        pick = st.selectbox(t("Audience", "Audience"), range(len(auds)),
                            format_func=lambda i: labels[i], key="history_pick")
        c1, c2 = st.columns(2)
        c1.button(t("Rouvrir", "Re-open"), key="reopen", on_click=reopen,
                  args=(auds[pick]["name"], auds[pick]["version"], False))
        c2.button(t("Dupliquer", "Duplicate"), key="duplicate", on_click=reopen,
                  args=(auds[pick]["name"], auds[pick]["version"], True))
    st.subheader(t("Approbations", "Approvals"))
    st.dataframe(pd.DataFrame(approvals), hide_index=True)
    st.subheader(t("Exports", "Exports"))
    st.dataframe(pd.DataFrame(exports), hide_index=True)
    if previews:
        st.subheader(t("Taille dans le temps", "Size over time"))
        df = pd.DataFrame(previews)
        st.line_chart(df.pivot_table(index="at", columns="name", values="count"))
    st.subheader(t("Journal d'audit", "Audit log"))
    st.dataframe(pd.DataFrame([{"seq": e.seq, "at": e.at, "kind": e.kind, "actor": e.actor,
                                "payload": json.dumps(e.payload, ensure_ascii=False)}
                               for e in entries]), hide_index=True)
    if report.ok:
        st.success(t(f"Journal intègre : {report.entries} entrées, chaîne vérifiée",
                     f"Log intact: {report.entries} entries, chain verified"))
    else:
        st.error(t(f"Journal altéré à l'entrée {report.broken_at} : {report.reason}",
                   f"Log tampered with at entry {report.broken_at}: {report.reason}"))


def main() -> None:
    if not Path(DB).exists():
        st.error(t(f"Base introuvable : {DB}. Lancez `nl2seg app` (qui la construit) ou "
                   "`nl2seg demo init`.", f"Database not found: {DB}. Start with `nl2seg app` "
                   "(which builds it) or `nl2seg demo init`."))
        return
    with open_db(DB) as con:
        day = resolve_as_of(catalog(), con, None)
        ss.as_of = day
        if ss.get("request_text") and ss.get("request_text") != ss.get("interpreted_text"):
            interpret(day)  # Enter in the text box interprets (before any widget is drawn)
        st.sidebar.radio("Langue / Language", ["fr", "en"], key="ui_lang", horizontal=True)
        st.title(t("nl2seg — audiences en langage naturel", "nl2seg — audiences in plain words"))
        flash = ss.pop("flash", None)
        box = st.container()  # always there, so the tabs below keep their place (and tab)
        if flash:
            (box.error if flash[0] == "error" else box.success)(flash[1])
        tabs = st.tabs([t("1. Demander", "1. Ask"), t("2. Interprétation", "2. Interpretation"),
                        t("3. Aperçu", "3. Preview"), t("4. Validation", "4. Review"),
                        t("5. Export", "5. Export"), t("6. Historique", "6. History")])
        with tabs[0]:
            ask_screen(day)
        rule = current_rule()
        prepared = None
        if rule is not None:
            try:
                with st.spinner(t("Aperçu…", "Previewing…")), StateStore(STATE) as store:
                    prepared = _prepare(rule, con, store, record=_new_preview(rule))
            except Nl2SegError as exc:
                tabs[1].error(friendly(exc))
        none = t("Posez d'abord une question (onglet 1).", "Ask a question first (tab 1).")
        with tabs[1]:
            if ss.get("refusal") and rule is not None:
                st.warning(t("La dernière demande a été refusée (onglet 1) : la règle ci-dessous "
                             "est la précédente.", "The last request was refused (tab 1): the "
                             "rule below is the previous one."))
            if prepared is not None and rule is not None:
                interpretation_screen(prepared, rule)
            elif rule is None:
                st.info(none)
        with tabs[2]:
            if prepared is not None:
                preview_screen(prepared, con)
            else:
                st.info(none)
        with tabs[3]:
            if prepared is not None:
                review_screen(prepared, day)
            else:
                st.info(none)
        with tabs[4]:
            export_screen(day)
        with tabs[5]:
            history_screen()


def _new_preview(rule: Rule) -> bool:
    """Record a preview in the history once per rule and audience name, not on every rerun."""
    key = (rule.model_dump_json(), ss.get("audience_name"))
    if ss.get("recorded") == key or not ss.get("audience_name"):
        return False
    ss.recorded = key
    return True


main()
