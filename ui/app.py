"""nl2seg review app: marketers ask, reviewers check, edit and approve, then export.

Run with ``nl2seg app`` (or ``streamlit run ui/app.py``). Configuration comes from the
environment: ``NL2SEG_DB`` (default ``.nl2seg/demo.duckdb``), ``NL2SEG_STATE``
(``.nl2seg/state.sqlite``), ``NL2SEG_CATALOG``, ``NL2SEG_EXPORT_DIR`` (``exports``),
``NL2SEG_FOUR_EYES`` (``1`` to forbid self-approval) and the LLM settings of
``docs/translators.md``. All logic lives in the ``nl2seg`` package; this page is the frame
(language, title, messages, tabs) and each tab is a module of ``ui/screens/``.
"""
# ruff: noqa: E402 (the ui.* imports come after the repository is put on sys.path)

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts ui/ on sys.path, not the repository: the ui.* imports below need its root.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from nl2seg.db import open_db
from nl2seg.errors import Nl2SegError
from nl2seg.guard import StateStore
from nl2seg.reference import resolve_as_of
from ui.actions import interpret
from ui.i18n import friendly, t
from ui.screens.ask import ask_screen
from ui.screens.export import export_screen
from ui.screens.history import history_screen
from ui.screens.interpretation import interpretation_screen
from ui.screens.preview import preview_screen
from ui.screens.review import review_screen
from ui.state import (
    catalog,
    current_rule,
    db_path,
    new_preview,
    prepared,
    ss,
    state_path,
)

st.set_page_config(page_title="nl2seg", page_icon="🎯", layout="wide")


def main() -> None:
    db = db_path()
    if not Path(db).exists():
        st.error(t(f"Base introuvable : {db}. Lancez `nl2seg app` (qui la construit) ou "
                   "`nl2seg demo init`.", f"Database not found: {db}. Start with `nl2seg app` "
                   "(which builds it) or `nl2seg demo init`."))
        return
    with open_db(db) as con:
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
        p = None
        if rule is not None:
            try:
                with st.spinner(t("Aperçu…", "Previewing…")), StateStore(state_path()) as store:
                    p = prepared(rule, con, store, record=new_preview(rule))
            except Nl2SegError as exc:
                tabs[1].error(friendly(exc))
        none = t("Posez d'abord une question (onglet 1).", "Ask a question first (tab 1).")
        with tabs[1]:
            if ss.get("refusal") and rule is not None:
                st.warning(t("La dernière demande a été refusée (onglet 1) : la règle ci-dessous "
                             "est la précédente.", "The last request was refused (tab 1): the "
                             "rule below is the previous one."))
            if p is not None and rule is not None:
                interpretation_screen(p, rule, con, day)
            elif rule is None:
                st.info(none)
        with tabs[2]:
            if p is not None:
                preview_screen(p, con)
            else:
                st.info(none)
        with tabs[3]:
            if p is not None:
                review_screen(p, day)
            else:
                st.info(none)
        with tabs[4]:
            export_screen(day)
        with tabs[5]:
            history_screen()


main()
