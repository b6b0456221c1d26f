"""Numbers in digits and in words, French and English.

"deux", "twice", "1 000", "1k", "0,6", "500 €", "80€", "$500", "1.5", "douze". An amount's
currency words are those of the catalog's unit (:func:`money_words`): "dollars" is an amount
on a catalog in USD, never on one in EUR.

>>> from nl2seg.translate.normalize import tokenize
>>> [(n.value, n.money) for n in find_numbers(tokenize("plus de 1 000 € ou 1k, deux fois, 0,6"))]
[(1000.0, True), (1000.0, False), (2, False), (0.6, False)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nl2seg.translate.normalize import Tok

WORDS: dict[str, float] = {
    "zero": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "mille": 1000,
    "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "thousand": 1000, "dozen": 12,
    "douzaine": 12, "seize": 16, "treize": 13, "quatorze": 14,
    "dix-sept": 17, "seventeen": 17, "sixteen": 16, "thirteen": 13, "fourteen": 14,
    "eighteen": 18, "nineteen": 19, "seventy": 70, "eighty": 80, "ninety": 90,
    "septante": 70, "huitante": 80, "nonante": 90,
}
"""Number words (un/une/a/one are articles unless a unit follows: see :data:`ONE`)."""
ONE = frozenset({"un", "une", "one", "a", "an"})
TIMES_WORDS: dict[str, float] = {"once": 1, "twice": 2, "thrice": 3}
CURRENCY_WORDS: dict[str, frozenset[str]] = {
    "EUR": frozenset({"€", "eur", "euro", "euros", "balles", "boules"}),
    "USD": frozenset({"$", "usd", "dollar", "dollars", "bucks"}),
}
"""Words that make a number an amount, by the catalog unit they name ("300 balles" is
colloquial French for 300 €, "300 bucks" English for $300). The words of a currency the
catalog has no amount in are refused earlier, with a message (``refuse.other_currency``)."""
MONEY = frozenset().union(*CURRENCY_WORDS.values())
SIGNS = frozenset({"€", "$", "eur", "usd"})
"""Currency words also written before the amount ("$500", "€80", "USD 500")."""
SCALE = {"k": 1000.0, "m": 1_000_000.0}


def money_words(units: Iterable[str]) -> frozenset[str]:
    """The currency words of a catalog whose amounts are in ``units``; every known word when
    none of its units is known (a catalog without a currency has no amount to compare).

    >>> sorted(money_words(["USD"]))
    ['$', 'bucks', 'dollar', 'dollars', 'usd']
    """
    known = [CURRENCY_WORDS[u.upper()] for u in units if u.upper() in CURRENCY_WORDS]
    return frozenset().union(*known) if known else MONEY


SINGLE = frozenset({"single", "seul", "seule"})
_OP_TAILS = frozenset({"moins", "least", "than", "only", "exactly", "exactement"})


def _after_op(toks: list[Tok], i: int) -> bool:
    """Is "un" / "one" the number of a comparison ("au moins un", "plus d'un", "only one")?"""
    prev = toks[i - 1].word if i > 0 else ""
    if prev in _OP_TAILS:
        return True
    return prev in {"d", "d'"} and i > 1 and toks[i - 2].word in {"plus", "moins"}


@dataclass(frozen=True)
class Num:
    """A number spanning tokens ``[i, j)``; ``times`` for "twice"; ``money`` for "500 €"."""

    value: float
    i: int
    j: int
    money: bool = False
    times: bool = False
    single: bool = False
    """"une seule fois", "a single purchase": exactly one."""


def _digits(word: str) -> float:
    """'0,6' and '1.5' are decimals; '1,000', '12,500' and '1.000' (groups of three after a
    first group without a leading zero) are thousands."""
    if re.fullmatch(r"\d{1,3}(,\d{3})+", word) or re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+", word):
        return float(word.replace(",", "").replace(".", ""))
    return float(word.replace(",", "."))


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2100


def find_numbers(toks: list[Tok], currency: frozenset[str] = MONEY) -> list[Num]:
    """Every number in ``toks``, left to right; a word of ``currency`` after it (or a sign
    before it) makes it an amount."""
    out: list[Num] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        j = i + 1
        value: float | None = None
        times = single = False
        if t.is_digit:
            value = _digits(t.word)
            while (not _is_year(t.word) and j < len(toks) and toks[j].is_digit
                   and len(toks[j].word) == 3 and toks[j].gap == " " and value < 1000
                   and "," not in toks[j - 1].word):
                value = value * 1000 + _digits(toks[j].word)
                j += 1
            if j < len(toks) and toks[j].word in SCALE and toks[j].gap == "":
                value *= SCALE[toks[j].word]
                j += 1
        elif t.word in WORDS:
            value, j = _number_words(toks, i)
        elif t.word in TIMES_WORDS:
            value, times = TIMES_WORDS[t.word], True
        elif t.word in ONE and j < len(toks) and toks[j].word in SINGLE:
            value, j, single = 1, j + 1, True  # "a single purchase", "une seule fois"
        elif t.word in ONE and j < len(toks) and toks[j].word in {"dozen", "douzaine"}:
            i += 1  # "at least a dozen": the article of "dozen", not the number 1
            continue
        elif t.word in ONE and ((j < len(toks) and toks[j].word == "fois") or _after_op(toks, i)):
            value = 1  # "une fois", "au moins un achat": a count; a bare "un" stays an article
        if value is None:
            i += 1
            continue
        money = False
        if j < len(toks) and toks[j].word in currency:
            money, j = True, j + 1
        start = i
        if not money and i > 0 and toks[i - 1].word in SIGNS & currency and (
                not out or out[-1].j < i):
            money, start = True, i - 1
            if start > 0 and toks[start].word == "$" and toks[start].gap == "" \
                    and toks[start - 1].word == "us":
                start -= 1  # "US$500"
        out.append(Num(value, start, j, money, times, single))
        i = j
    return out


def _number_words(toks: list[Tok], i: int) -> tuple[float, int]:
    """The value of the number words from ``i`` on, and where they end: "forty-five",
    "vingt et un", "soixante-dix" (text2num, in the language that reads the longest run)."""
    from text_to_num import text2num

    run = i
    while run < len(toks) and (toks[run].word in WORDS or toks[run].word in _NUM_GLUE or (
            toks[run].word in ONE and toks[run - 1].word in _NUM_GLUE)) \
            and (run == i or toks[run].gap.strip() in {"", "-"}):
        run += 1
    while run > i + 1 and toks[run - 1].word in _NUM_GLUE:
        run -= 1
    for end in range(run, i + 1, -1):
        words = " ".join(t.word for t in toks[i:end])
        for lang in ("en", "fr"):
            try:
                return float(text2num(words, lang)), end
            except ValueError:
                continue
    return WORDS[toks[i].word], i + 1


_NUM_GLUE = frozenset({"et", "and"})


def as_int(value: float) -> int | float:
    """``2.0`` → ``2``; other values unchanged."""
    return int(value) if float(value).is_integer() else value
