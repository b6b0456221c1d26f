"""4. Review: the audience's name, every warning (acknowledged one by one; a channel without
consent data by a checkbox that says so), the reviewer's decision, and whether the latest
approval still holds for the rule on screen."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from nl2seg.guard import StateStore, check_approval
from nl2seg.guard.approval import latest_approval
from nl2seg.guard.consent import CODE as NO_CONSENT
from nl2seg.guard.review import Prepared
from nl2seg.guard.warnings import GuardWarning
from ui.actions import approve
from ui.i18n import customers, lang, plain, t
from ui.state import catalog, current_rule, four_eyes, ss, state_path


def review_screen(p: Prepared, day: dt.date) -> None:
    st.text_input(t("Nom de l'audience", "Audience name"), key="audience_name")
    st.number_input(t("Taille attendue (facultatif)", "Expected size (optional)"), min_value=0,
                    step=100, key="expected_size")
    for w in p.warnings:
        text = f"**{plain(w.title)}** — {plain(explanation(w))}"  # they quote request words
        if w.severity == "blocking":
            st.error(text + t(" (bloquant : modifiez la règle)", " (blocking: change the rule)"))
        elif w.severity == "warning":
            st.warning(text)
            st.checkbox(ack_label(w), key=f"ack_{w.id}")
        else:
            st.caption("ℹ " + plain(w.explanation))
    st.text_input(t("Relecteur", "Reviewer"), key="reviewer")
    st.text_area(t("Commentaire", "Comment"), key="comment")
    st.checkbox(t("Je confirme avoir relu la règle, son volume et ses avertissements",
                  "I confirm I reviewed the rule, its size and its warnings"), key="confirm")
    if four_eyes():
        st.caption(t("Mode quatre yeux : l'auteur ne peut pas approuver.",
                     "Four-eyes mode: the author cannot approve."))
    c1, c2 = st.columns(2)
    c1.button(t("Approuver", "Approve"), type="primary", key="approve",
              disabled=bool(p.blocking) or not ss.get("confirm"), on_click=approve,
              args=("", "approved"))
    c2.button(t("Rejeter", "Reject"), key="reject", on_click=approve, args=("", "rejected"))
    approval_status(day)


def ack_label(w: GuardWarning) -> str:
    """The acknowledgement's words; for a channel without consent data, what it states."""
    if w.code == NO_CONSENT:
        return t("Lu et accepté : les données ne contiennent aucun consentement pour ce canal "
                 "et l'export part sans (le manifeste l'enregistre)", "Read and accepted: the "
                 "data holds no consent for this channel and the export goes out without it "
                 "(the manifest records it)")
    return t("Lu et accepté", "Read and accepted")


def explanation(w: GuardWarning) -> str:
    """The warning's explanation; for the readings, sized here and chosen on screen 2 (the
    package's text ends with the CLI's way to choose)."""
    listed = w.data.get("readings") if w.code == "ambiguous_reading" else None
    if not listed:
        return w.explanation
    try:
        shown, *others = listed
        parts = [t(f"{len(listed)} lectures possibles ; retenue : {_size(shown['count'])}.",
                   f"{len(listed)} possible readings; chosen: {_size(shown['count'])}.")]
        parts += [t("Autre lecture : ", "Other reading: ") + f"{o['why'] or ''} "
                  f"({_size(o['count'])})." for o in others]
    except (KeyError, TypeError, ValueError):
        return w.explanation
    return " ".join([*parts, t("Comparez-les et choisissez à l'onglet 2. Interprétation.",
                               "Compare them and choose in tab 2. Interpretation.")])


def _size(n: object) -> str:
    return customers(n) if isinstance(n, int) else t("taille inconnue", "size unknown")


def approval_status(day: dt.date) -> None:
    rule = current_rule()
    with StateStore(state_path()) as store:
        a = latest_approval(store, ss.get("audience_name") or "")
    if a is None or rule is None:
        st.caption(t("Pas encore approuvée.", "Not approved yet."))
        return
    reasons = check_approval(a, rule, catalog(), day.isoformat(), lang())
    if reasons:
        st.warning(t("Approbation annulée : ", "Approval void: ")
                   + "; ".join(plain(r) for r in reasons))
    else:
        who = plain(a.approver)
        st.success(t(f"Approuvée par {who} le {a.at[:16]} — {customers(a.count)} — "
                     f"empreinte {a.fingerprint[:16]}", f"Approved by {who} on "
                     f"{a.at[:16]} — {customers(a.count)} — fingerprint {a.fingerprint[:16]}"))
