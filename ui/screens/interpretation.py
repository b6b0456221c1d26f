"""2. Interpretation: the read-back, every reading of the request side by side (one click
switches), the words left unused, the conventions applied, then the editor and the SQL."""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import streamlit as st

from nl2seg.compile.compiler import DIALECTS
from nl2seg.crosscheck import CrossCheck
from nl2seg.errors import Nl2SegError
from nl2seg.guard.review import Prepared
from nl2seg.readings import ReadingView, readings
from nl2seg.rule.nodes import Rule
from ui.actions import use_reading
from ui.i18n import customers, escape, lang, one_line, plain, t
from ui.rule_editor import rule_editor
from ui.state import catalog, db_path, is_current, reading, ss, translation


def highlight_unused(request: str, unused: list[str]) -> str:
    r"""The request as Markdown, each unused word on a red background, the rest escaped.

    >>> print(highlight_unused("clients *VIP* avec un gros Salaire:", ["gros", "salaire", "li"]))
    clients \*VIP\* avec un :red-background[gros] :red-background[Salaire]\:
    """
    request = one_line(request)
    words = sorted({one_line(w) for w in unused if w.strip()}, key=len, reverse=True)
    if not words:
        return escape(request)
    whole = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    out, pos = [], 0
    for m in re.finditer(whole, request, re.IGNORECASE):
        out += [escape(request[pos:m.start()]), f":red-background[{escape(m.group(0))}]"]
        pos = m.end()
    return "".join([*out, escape(request[pos:])])


def interpretation_screen(p: Prepared, rule: Rule, con: duckdb.DuckDBPyConnection,
                          day: dt.date) -> None:
    st.subheader(t("Ce que j'ai compris", "What I understood"))
    partial_of = ss.get("partial_of")
    if partial_of:
        asked = plain(partial_of["request"])
        st.warning(t(f"**Règle partielle** : elle vient de la demande refusée « {asked} » sans "
                     "ses mots inconnus. Ce n'est pas ce qui a été demandé : complétez-la avant "
                     "de l'approuver.", f"**Partial rule**: it comes from the refused request "
                     f'"{asked}" without its unknown words. It is not what was asked: complete '
                     "it before approving."))
        if partial_of["unmapped"]:
            st.markdown(t("Mots non utilisés : ", "Unused words: ")
                        + highlight_unused(partial_of["request"], partial_of["unmapped"]))
    st.info(plain(p.readback))
    reading_cards(con, day)
    tr = ss.get("translation")
    if tr:
        if tr.get("unmapped"):
            st.markdown(t("Mots non utilisés : ", "Unused words: ")
                        + highlight_unused(tr.get("rule", {}).get("request") or "",
                                           tr["unmapped"]))
        notes = [*tr.get("assumptions", []),  # and where the windows' dates count from
                 *(w.explanation for w in p.warnings if w.code == "reference_date")]
        if notes:
            st.markdown(t("**Hypothèses**", "**Assumptions**"))
            for a in notes:
                st.markdown(f"- {plain(a)}")
    if ss.get("fallback"):
        st.warning(t("LLM indisponible, traduction locale : ", "LLM unavailable, local "
                     "translation used: ") + plain(ss.fallback))
    if ss.get("cross_check") and not ss.cross_check.get("agree", True):
        st.warning("\n\n".join(plain(line) for line in
                                 CrossCheck.model_validate(ss.cross_check).summary(lang())))
    rule_editor(rule)
    with st.expander("SQL"):
        dialect = st.selectbox(t("Dialecte", "Dialect"), list(DIALECTS), key="dialect")
        st.code(p.compiled.sql(dialect=dialect), language="sql")


def _views(con: duckdb.DuckDBPyConnection, day: dt.date) -> list[ReadingView]:
    """The readings with their sizes, measured once per translation (not on every click)."""
    key = json.dumps([ss.get("translation"), day.isoformat(), lang(), db_path()],
                     sort_keys=True, default=str)
    cached = ss.get("readings")
    if cached and cached[0] == key:
        return [ReadingView.model_validate(v) for v in cached[1]]
    tr = translation()
    views = readings(tr, catalog(), day, con, lang()) if tr is not None else []
    ss.readings = (key, [v.model_dump(mode="json") for v in views])
    return views


def reading_cards(con: duckdb.DuckDBPyConnection, day: dt.date) -> None:
    """One card per reading when the words allow several: what it does differently, its
    read-back, its size; the chosen one marked, the others one click away."""
    tr = translation()
    if tr is None or not tr.alternatives:
        return
    try:
        views = _views(con, day)
    except Nl2SegError as exc:
        st.caption(plain(exc))
        return
    st.markdown(t(f"**La demande peut se lire de {len(views)} façons.** Vérifiez la lecture "
                  "retenue ; un clic en choisit une autre.", f"**The request can be read "
                  f"{len(views)} ways.** Check the chosen reading; one click picks another."))
    for v in views:
        current = is_current(v.rule)
        with st.container(border=True, key=f"reading_card_{v.index}"):
            left, right = st.columns([5, 2], vertical_alignment="center")
            with left:
                title = t(f"Lecture {v.index}", f"Reading {v.index}")
                if current:
                    title += t(" · ✓ retenue", " · ✓ chosen")
                elif v.index == reading():
                    title += t(" · retenue, puis modifiée", " · chosen, then edited")
                st.markdown(f"**{title}**")
                why = v.why or t("la lecture par défaut (conventions)",
                                 "the default reading (conventions)")
                st.text(one_line(why))
                st.markdown(plain(v.readback))
            with right:
                if v.count is not None:
                    st.markdown(f"**{customers(v.count)}**")
                else:
                    st.caption(t("Taille inconnue : ", "Size unknown: ") + plain(v.error or ""))
                if current:
                    st.button(t("Lecture retenue", "Chosen reading"), key=f"reading_{v.index}",
                              disabled=True)
                else:
                    st.button(t("Choisir cette lecture", "Use this reading"),
                              key=f"reading_{v.index}", on_click=use_reading, args=(v.index,))
