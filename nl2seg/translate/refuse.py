"""Requests that get no rule: empty, chit-chat, hostile, or depending on unknown words."""

from __future__ import annotations

import re

from nl2seg.translate import grammar as g
from nl2seg.translate.normalize import fold

MESSAGES = {
    "empty": {"fr": "la demande est vide : décrivez les clients à cibler.",
              "en": "the request is empty: describe the customers to target."},
    "hostile": {"fr": "cette demande ressemble à du code ou à une consigne, pas à une "
                      "description d'audience : je ne la traduis pas.",
                "en": "this request looks like code or an instruction, not an audience "
                      "description: I will not translate it."},
    "nothing": {"fr": "je n'ai reconnu aucun critère d'audience dans « {text} ».",
                "en": "I found no audience criterion in \"{text}\"."},
    "currency": {"fr": "les montants du catalogue sont en {unit} et « {x} » est dans une autre "
                       "devise : écrivez le montant en {unit}.",
                 "en": "the catalog's amounts are in {unit} and \"{x}\" is another "
                       "currency: write the amount in {unit}."},
    "invalid": {"fr": "je n'ai pas pu construire une règle valide ({x}) : reformulez la "
                      "condition en cause.",
                "en": "I could not build a valid rule ({x}): rephrase the condition involved."},
    "unknown": {"fr": "je ne sais pas ce que signifie {words} : aucun champ du catalogue ne "
                      "correspond.",
                "en": "I do not know what {words} means: no field of the catalog matches."},
}


# the words of numbers.CURRENCY_WORDS; colloquial ones only after a number ("balles de golf")
_CURRENCIES = {"USD": re.compile(r"\$|\b(?:usd|dollars?)\b|\d\s*k?\s*(bucks)\b", re.I),
               "GBP": re.compile(r"£|\bgbp\b", re.I),
               "EUR": re.compile(r"€|\b(?:eur|euros?)\b|\d\s*k?\s*(balles|boules)\b", re.I),
               "CHF": re.compile(r"\b(?:chf|francs? suisses?|swiss francs?)\b", re.I)}


def other_currency(text: str, units: set[str]) -> str | None:
    """A currency the request names that none of the catalog's amounts is in ("$500" on a
    catalog in EUR): reading it as euros would be a silent conversion at par."""
    for code, pattern in _CURRENCIES.items():
        m = pattern.search(text)
        if m and units and code not in units:
            return m.group(m.lastindex or 0)
    return None


_STATEMENT = re.compile(r";\s*(?:select|drop|delete|insert|update|create|alter|truncate|attach|"
                        r"copy|pragma|grant|exec)\b|;\s*$", re.I)
"""A semicolon that ends or chains SQL; one that separates a terse note's parts is fine."""


def hostile(text: str) -> bool:
    low = " " + fold(text) + " "
    return any(h in low for h in g.HOSTILE) or bool(_STATEMENT.search(fold(text)))


def message(kind: str, lang: str, **kw: str) -> str:
    return MESSAGES[kind][lang].format(**kw)


def quote(words: list[str], lang: str) -> str:
    if lang == "fr":
        return ", ".join(f'"{w}"' for w in words)
    return ", ".join(f'"{w}"' for w in words)
