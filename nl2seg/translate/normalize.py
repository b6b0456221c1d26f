"""Text → tokens: accents and case folded, elisions split, plurals and feminines stemmed.

Every token keeps its place in the original text so rule nodes can quote their phrase.

>>> [t.key for t in tokenize("N'ont jamais acheté d'chaussures")]
['n', 'ont', 'jamai', 'achet', 'd', 'chaussur']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|[€$%+<>=]")
_ELISION = re.compile(r"^(?:l|d|qu|n|j|s|c|m|t|jusqu|lorsqu|puisqu)$")


@dataclass(frozen=True)
class Tok:
    """One token: ``key`` (folded stem, for matching), ``word`` (folded), place in text."""

    key: str
    word: str
    surface: str
    start: int
    end: int
    gap: str = " "
    """The text between the previous token and this one."""

    @property
    def is_digit(self) -> bool:
        return self.word[:1].isdigit()


# issue 12 §7 (linearity): suggestions fold every catalog term for every unknown word
@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case without accents; typographic apostrophes made plain."""
    text = text.replace("’", "'").replace("`", "'").replace("œ", "oe").replace("Œ", "oe")
    text = text.replace("≥", ">=").replace("≤", "<=")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A crude, consistent key for plural and feminine forms (achetées = acheté = achat-)."""
    w = word
    plural = len(w) > 2 and w[-1] in "sx" and not w.endswith("ss") and not w[:-1].isdigit()
    if (len(w) > 3 and w.endswith("aux")) or plural:
        w = w[:-1]
    if len(w) > 4 and w.endswith("ee"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def stems(*words: str) -> frozenset[str]:
    """The keys of single words (for grammar word lists written naturally)."""
    return frozenset(stem(fold(w)) for w in words)


def skey(word: str) -> str:
    return stem(fold(word))


def seq(phrase: str) -> tuple[str, ...]:
    """The keys of a grammar phrase, tokenized like a request ("plus d'" → plu, d) so that
    elisions and hyphens match; bare punctuation ("," "-") keeps its own key."""
    return tuple(t.key for t in tokenize(phrase)) or tuple(stem(w) for w in fold(phrase).split())


def tokenize(text: str) -> list[Tok]:
    """Tokens of ``text``; short hyphenated prefixes are joined (e-mail → email, opt-in → optin),
    except "non-" (a negation: "non-VIP" is "non" + "vip")."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths: keep offsets on the folded text
        text = folded
    out: list[Tok] = []
    for m in _TOKEN.finditer(folded):
        word = m.group()
        start, end = m.start(), m.end()
        if (out and start > 0 and folded[start - 1] == "-" and out[-1].end == start - 1
                and len(out[-1].word) <= 3 and out[-1].word.isalpha() and word.isalpha()
                and out[-1].word not in {"a", "au", "en", "non"}):  # non-VIP: "non" + "vip"
            prev = out.pop()
            word = prev.word + word
            start = prev.start
        if end < len(folded) and folded[end] == "'" and _ELISION.match(word):
            end += 1
        gap = folded[out[-1].end:start] if out else ""
        out.append(Tok(key=stem(word), word=word, surface=text[start:end], start=start, end=end,
                       gap=gap))
    return out


def surface(phrase: str) -> tuple[str, ...]:
    """The folded words of a phrase, unstemmed: for matching where stems collide."""
    return tuple(t.word for t in tokenize(phrase))


# issue 12 §7 (linearity): the builder asks for the keys of the same item texts once per
# pair of items; caching them keeps a long request from re-tokenizing its words n² times.
@functools.lru_cache(maxsize=1 << 16)
def keys(phrase: str) -> tuple[str, ...]:
    """The matching keys of a catalog phrase."""
    return tuple(t.key for t in tokenize(phrase))
