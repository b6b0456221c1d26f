"""6. History: saved audiences (re-open, duplicate), approvals, exports, sizes over time and
the audit log with its chain check."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from nl2seg.guard import StateStore
from ui.actions import reopen
from ui.i18n import one_line, plain, t
from ui.state import state_path


def _columns() -> dict[str, str]:
    """The state file's column names as the reader's words (the data stays as stored)."""
    return {"name": t("nom", "name"), "version": "version",
            "fingerprint": t("empreinte", "fingerprint"), "author": t("auteur", "author"),
            "created_at": t("créée le", "created"), "id": "id",
            "decision": t("décision", "decision"), "count": t("clients", "customers"),
            "approver": t("relecteur", "reviewer"), "at": t("date", "at"),
            "approval_id": t("approbation", "approval"), "channel": t("canal", "channel"),
            "format": "format", "path": t("fichier", "file"), "seq": t("n°", "seq"),
            "kind": t("type", "kind"), "actor": t("acteur", "actor"),
            "payload": t("détail", "details")}


def _table(rows: list[dict[str, object]]) -> None:
    if not rows:
        st.caption(t("Rien pour l'instant.", "Nothing yet."))
        return
    # names, comments and actors are the users' words: shown inert, on one line
    df = pd.DataFrame([{k: one_line(v) if isinstance(v, str) else v for k, v in r.items()}
                       for r in rows])
    if "decision" in df:
        df["decision"] = df["decision"].map(
            lambda d: {"approved": t("approuvée", "approved"),
                       "rejected": t("rejetée", "rejected")}.get(d, d))
    names = _columns()
    st.dataframe(df, hide_index=True,
                 column_config={c: names[c] for c in df.columns if c in names})


def history_screen() -> None:
    with StateStore(state_path()) as store:
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
        _table([{k: v for k, v in a.items() if k != "rule_json"} for a in auds])
        labels = [one_line(f"{a['name']} v{a['version']}") for a in auds]
        pick = st.selectbox(t("Audience", "Audience"), range(len(auds)),
                            format_func=lambda i: labels[i], key="history_pick")
        c1, c2 = st.columns(2)
        c1.button(t("Rouvrir", "Re-open"), key="reopen", on_click=reopen,
                  args=(auds[pick]["name"], auds[pick]["version"], False))
        c2.button(t("Dupliquer", "Duplicate"), key="duplicate", on_click=reopen,
                  args=(auds[pick]["name"], auds[pick]["version"], True))
    st.subheader(t("Approbations", "Approvals"))
    _table(approvals)
    st.subheader(t("Exports", "Exports"))
    _table(exports)
    if previews:
        st.subheader(t("Taille dans le temps", "Size over time"))
        df = pd.DataFrame(previews)
        st.line_chart(df.pivot_table(index="at", columns="name", values="count"))
    st.subheader(t("Journal d'audit", "Audit log"))
    _table([{"seq": e.seq, "at": e.at, "kind": e.kind, "actor": e.actor,
             "payload": json.dumps(e.payload, ensure_ascii=False)} for e in entries])
    if report.ok:
        st.success(t(f"Journal intègre : {report.entries} entrées, chaîne vérifiée",
                     f"Log intact: {report.entries} entries, chain verified"))
    else:
        reason = plain(report.reason)
        st.error(t(f"Journal altéré à l'entrée {report.broken_at} : {reason}",
                   f"Log tampered with at entry {report.broken_at}: {reason}"))
