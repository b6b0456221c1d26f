"""A size the request states ("environ 10 000 clients", "~5k", "about 2,000 people").

The translators set it aside (it is not a condition) and the guardrails compare it with the
preview's count.

>>> stated_size("environ 10 000 clients VIP")
10000
>>> stated_size("~5k VIP customers"), stated_size("about 2,000 people who bought shoes")
(5000, 2000)
>>> stated_size("VIP qui ont acheté au moins 2 fois") is None
True
"""

from __future__ import annotations

import re

_NUM = (r"(\d{1,3}(?:[  \u202f.,]\d{3})+|\d+(?:[.,]\d+)?)(?![.,]?\d)\s*"
        r"((?:millions?|M|m)\b|[kK]|mille|000)?")
_ABOUT = (r"(?:environ|à peu près|autour de|dans les|près de|quelque|approximativement|about|"
          r"around|roughly|approximately|approx\.?|some|~|≈|circa|ca\.)")
_WHO = (r"(?:clientes?|clients?|personnes|contacts|profils|membres|customers?|people|"
        r"members|users|profiles)\b")
_NOT_A_SIZE = (r"(?!\s*(?:(?:jours?|semaines?|mois|ans?|années?|days?|weeks?|months?|years?|"
               r"fois|times|euros?|eur|dollars?|usd|bucks|balles|boules|h|heures?|hours?)\b|"
               r"[€$%]))")
""""il y a environ 3 mois", "about 50 €": a duration or an amount, not the audience's size."""
_PATTERNS = [
    re.compile(_ABOUT + r"\s*" + _NUM + _NOT_A_SIZE + r"(?:\s*" + _WHO + r")?", re.I),
    re.compile(r"(?:audience|cible|target|taille)\s+(?:de|of)\s+" + _NUM, re.I),
]


def _value(number: str, suffix: str | None) -> int | None:
    digits = re.sub(r"[  \u202f]", "", number)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        digits = re.sub(r"[.,]", "", digits)
    try:
        x = float(digits.replace(",", "."))
    except ValueError:
        return None
    if suffix and suffix.lower() in {"k", "mille", "000"}:
        x *= 1000
    elif suffix and suffix.lower().startswith("m"):  # "2 millions", "1,5 million", "2M"
        x *= 1_000_000
    return round(x) if x >= 1 else None


def stated_size(request: str | None) -> int | None:
    """The audience size the request announces, if it announces one."""
    found = stated_size_span(request)
    return found[0] if found else None


def stated_size_span(request: str | None) -> tuple[int, int, int] | None:
    """(size, start, end) of the words announcing a size, so a translator can set them aside.

    >>> stated_size_span("VIP, environ 10 000 clientes")
    (10000, 5, 19)
    """
    if not request:
        return None
    for pattern in _PATTERNS:
        m = pattern.search(request)
        if m:
            size = _value(m.group(1), m.group(2))
            if size is not None:  # the size words only: "clientes" after it still speaks
                return size, m.start(), m.end(2) if m.group(2) else m.end(1)
    return None
