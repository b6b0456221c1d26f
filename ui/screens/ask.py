"""1. Ask: who to reach, in plain words; a refused request shows the words it did not know,
with the catalog's nearest terms one click away, and the rule the rest of it gives."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from nl2seg.errors import Nl2SegError
from nl2seg.limits import MAX_REQUEST_CHARS
from nl2seg.readback import read_back
from nl2seg.translate.choose import resolve_choice
from nl2seg.translate.llm import LLMConfig
from nl2seg.translate.result import Translation
from ui.actions import interpret, start_from_partial, use_example, use_suggestion
from ui.i18n import lang, one_line, plain, t
from ui.state import catalog, db_path, refused, ss

EXAMPLES = {
    "fr": ["clients VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois",
           "clientes lyonnaises qui ont acheté des chaussures en ligne le mois dernier, pour "
           "une campagne email",
           "clients inactifs à fort risque d'attrition, sauf les VIP"],
    "en": ["women 25-34 who opened a promo email in the last 30 days, for an SMS campaign",
           "customers who spent more than 500 € online this year",
           "lapsed customers with a high propensity for sport"],
}


def ask_screen(day: dt.date) -> None:
    cfg = LLMConfig.from_env()
    which = resolve_choice("auto", cfg)
    st.caption(t(f"Traducteur : **{which}**" + (f" ({cfg.model}, contrôlé par le local)"
                                                 if which == "llm" else " (hors ligne)")
                 + f" · date de référence : **{day.isoformat()}** · base : `{db_path()}`",
                 f"Translator: **{which}**" + (f" ({cfg.model}, cross-checked by local)"
                                               if which == "llm" else " (offline)")
                 + f" · reference date: **{day.isoformat()}** · database: `{db_path()}`"))
    st.text_input(t("Votre nom (auteur)", "Your name (author)"), key="author")
    st.text_input(t("Qui voulez-vous cibler ?", "Who do you want to reach?"), key="request_text",
                  placeholder=EXAMPLES["fr"][0], max_chars=MAX_REQUEST_CHARS)  # issue 12 §7
    if ss.get("refusal"):  # right under the request, where the eye is
        st.error(t("Demande refusée : ", "Request refused: ") + plain(ss.refusal))
        tr = refused()
        if tr is not None:
            suggestions(tr)
            partial(tr, day)
    cols = st.columns([1, 4])
    cols[0].button(t("Interpréter", "Interpret"), type="primary", on_click=interpret,
                   args=(day,), key="interpret")
    with cols[1]:
        st.caption(t("Exemples :", "Examples:"))
        for i, ex in enumerate(EXAMPLES["fr"] + EXAMPLES["en"]):
            st.button(ex, key=f"example_{i}", on_click=use_example, args=(ex,))


def suggestions(tr: Translation) -> None:
    """Each unknown word, then its nearest catalog terms as buttons: one click puts the term
    in the request instead of the word and translates again."""
    if not any(s.candidates for s in tr.suggestions):
        return
    st.markdown(t("**Vouliez-vous dire…**", "**Did you mean…**"))
    for i, s in enumerate(tr.suggestions):
        if not s.candidates:
            continue
        row = st.container(horizontal=True, vertical_alignment="center", key=f"suggest_{i}")
        row.text(t(f"« {one_line(s.word)} » →", f'"{one_line(s.word)}" →'))
        for j, c in enumerate(s.candidates):
            row.button(plain(c), key=f"suggest_{i}_{j}", on_click=use_suggestion,
                       args=(s.word, c),
                       help=t(f"Remplacer « {plain(s.word)} » par « {plain(c)} » et relancer",
                              f'Replace "{plain(s.word)}" with "{plain(c)}" and translate '
                              "again"))


def partial(tr: Translation, day: dt.date) -> None:
    """The rule the rest of the request gives: a starting point, not the audience asked for."""
    if tr.partial is None:
        return
    with st.container(border=True):
        st.markdown(t("**Lecture partielle** — sans les mots inconnus : ce n'est **pas** ce "
                      "qui a été demandé.", "**Partial reading** — without the unknown words: "
                      "this is **not** what was asked."))
        try:
            st.text(one_line(read_back(tr.partial, catalog(), day, lang())))
        except Nl2SegError as exc:
            st.caption(plain(exc))
            return
        st.button(t("Partir de cette règle partielle", "Start from this partial rule"),
                  key="use_partial", on_click=start_from_partial)
