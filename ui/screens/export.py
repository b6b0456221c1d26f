"""5. Export: only an approved audience, on its approved channel, to a file and its
manifest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import streamlit as st

from nl2seg.guard import StateStore, check_approval
from nl2seg.guard.approval import latest_approval
from ui.actions import do_export
from ui.i18n import lang, plain, t
from ui.state import catalog, current_rule, ss, state_path


def export_screen(day: dt.date) -> None:
    rule = current_rule()
    with StateStore(state_path()) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
    if rule is None:
        st.info(t("Posez d'abord une question (onglet 1).", "Ask a question first (tab 1)."))
        return
    reasons = check_approval(a, rule, catalog(), day.isoformat(), lang())
    if reasons:
        st.info(t("Export possible seulement pour une audience approuvée : ",
                  "Export only for an approved audience: ")
                + "; ".join(plain(r) for r in reasons))
        return
    options = [rule.channel or "none"]  # the approved channel: its consent is in the count
    st.radio(t("Canal (celui de l'approbation)", "Channel (the approved one)"), options,
             key="export_channel", horizontal=True)
    st.radio("Format", ["csv", "parquet"], key="export_format", horizontal=True)
    st.button(t("Exporter", "Export"), type="primary", key="export", on_click=do_export,
              args=(day,))
    last = ss.get("last_export")
    if last and Path(last["path"]).exists():
        path, manifest = plain(last["path"]), plain(last["manifest"])
        st.success(t(f"Fichier : {path} — manifeste : {manifest}",
                     f"File: {path} — manifest: {manifest}"))
        if (record := last.get("no_consent_data")) is not None:
            who = plain(str(record.get("acknowledged_by")))
            st.warning(t(f"Exporté SANS données de consentement (absence reconnue par {who}, "
                         "enregistrée dans le manifeste)", "Exported WITHOUT consent data "
                         f"(acknowledged by {who}, recorded in the manifest)"))
        st.download_button(t("Télécharger", "Download"), Path(last["path"]).read_bytes(),
                           file_name=Path(last["path"]).name, key="download")
        st.json(json.loads(Path(last["manifest"]).read_text(encoding="utf-8")))
