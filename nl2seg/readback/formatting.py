"""Numbers, amounts and dates as each language writes them, and windows as words.

>>> import datetime as dt
>>> format_number(12500.5, "fr"), format_date(dt.date(2026, 1, 1), "en")
('12 500,5', '1 January 2026')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from nl2seg.catalog.models import Lang
from nl2seg.readback.en import EN
from nl2seg.readback.fr import FR
from nl2seg.readback.phrasebook import Phrasebook
from nl2seg.windows import Bounds, end_of

PHRASEBOOKS: dict[str, Phrasebook] = {"fr": FR, "en": EN}

CURRENCIES: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}


def format_number(x: int | float, lang: Lang = "fr") -> str:
    """``1000`` → ``1 000`` (fr) / ``1,000`` (en); ``0.8`` → ``0,8`` / ``0.8``."""
    w = PHRASEBOOKS[lang]
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    sign = "-" if x < 0 else ""
    text = str(abs(x)) if isinstance(x, int) else format(Decimal(repr(abs(x))), "f")
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", w.thousands)
    return sign + grouped + (w.decimal + frac if frac else "")


def money(x: int | float, unit: str | None, w: Phrasebook, lang: Lang) -> str:
    """An amount with its currency symbol where the catalog unit has one (« 500 € », "€500")."""
    if unit is None:
        return format_number(x, lang)
    symbol = CURRENCIES.get(unit.upper())
    if symbol is None:
        return f"{format_number(x, lang)} {unit}"
    if not float(x).is_integer():
        text = format_number(float(Decimal(repr(float(x))).quantize(Decimal("0.01"))), lang)
        whole, sep, frac = text.partition(w.decimal)
        number = whole + w.decimal + (frac + "00")[:2] if sep else text
    else:
        number = format_number(x, lang)
    if w.money_prefix:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol} {number}"
    return f"{number} {symbol}"


def format_date(day: dt.date, lang: Lang = "fr") -> str:
    """``2026-01-01`` → ``1er janvier 2026`` (fr) / ``1 January 2026`` (en)."""
    w = PHRASEBOOKS[lang]
    d = w.day_one if day.day == 1 else str(day.day)
    return f"{d} {w.months[day.month - 1]} {day.year}"


def bounds(b: Bounds, as_of: dt.date, w: Phrasebook, lang: Lang) -> str:
    """A resolved window as words: start and last day inclusive, or the exclusive end."""
    if b.start is None:
        if b.end >= end_of(as_of):
            return w.up_to_date.format(b=format_date(b.last_day, lang))
        return w.before_date.format(b=format_date(b.end, lang))
    if b.start >= b.end:
        text = w.between_dates.format(a=format_date(b.start, lang),
                                      b=format_date(b.last_day, lang))
        return text + w.empty
    if b.start == b.last_day:
        return w.on_date.format(a=format_date(b.start, lang))
    return w.between_dates.format(a=format_date(b.start, lang), b=format_date(b.last_day, lang))

