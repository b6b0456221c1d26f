"""The app's words: French or English as the sidebar says, error messages a marketer reads,
numbers written the reader's way, and untrusted text made inert before Streamlit shows it."""

from __future__ import annotations

import re

import streamlit as st

from nl2seg import inert
from nl2seg.catalog.models import Lang
from nl2seg.errors import Nl2SegError
from nl2seg.readback import format_number


def lang() -> Lang:
    return "en" if st.session_state.get("ui_lang", "fr") == "en" else "fr"


def t(fr: str, en: str) -> str:
    return fr if lang() == "fr" else en


def number(n: int) -> str:
    """``1 234`` in French, ``1,234`` in English (as the read-back writes them)."""
    return format_number(n, lang())


def percent(x: float) -> str:
    """``0,77 %`` in French, ``0.77%`` in English."""
    return f"{100 * x:.2f}".replace(".", ",") + "\u202f%" if lang() == "fr" else f"{x:.2%}"


def customers(n: int) -> str:
    """« 1 234 clients », "1,234 customers" (« 0 client », "0 customers")."""
    return f"{number(n)} " + t("client" if n < 2 else "clients",
                               "customer" if n == 1 else "customers")


def one_line(text: object) -> str:
    """Untrusted text on one line: escape sequences, control, bidi and zero-width characters
    dropped, line breaks and runs of blanks made one space (as the CLI prints it)."""
    return inert.one_line(text)


# Characters that Streamlit's Markdown reads as formatting, links, HTML, LaTeX or directives
# (":red[…]", ":smile:"); a colon only before a letter, a slash or the end, so « genre :
# femmes » stays as is.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>$~|#]|:(?=[\w/]|$)")
# Bare links ("http://…", "www.…", "a@b.org") are found in the text after the escapes are
# read: an invisible word joiner breaks them.
_BARE_LINK = re.compile(r"(?<=\w)(?=://)|(?<=\bwww)(?=\.)|(?<=@)", re.IGNORECASE)


def escape(text: str) -> str:
    """``text`` with every Markdown formatting character escaped (blanks kept as they are)."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), _BARE_LINK.sub("\u2060", text))


def plain(text: object) -> str:
    r"""Untrusted text (request words, a reading's why, catalog candidates) for a Markdown
    place (a label, a message box): on one line, every formatting character escaped.

    >>> print(plain("**VIP** [x](http://e.org)\n:red[hi] www.e.org").replace("\u2060", "+"))
    \*\*VIP\*\* \[x\](http+\://e.org) \:red\[hi\] www+.e.org
    """
    return escape(one_line(text))


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
    # the message quotes names and words: plain text, never Markdown (nor a code span to
    # break out of)
    return f"{t(*fr_en)}\n\n{plain(exc)}" if fr_en else f"[{exc.code}] {plain(exc)}"
