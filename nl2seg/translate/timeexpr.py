"""Time expressions (semantics §1) → the rule's windows.

Rolling ("les 6 derniers mois", "in the last year", "depuis un an"), ago ("il y a plus de
3 ans", "less than 2 weeks ago"), calendar ("le mois dernier", "this year", "aujourd'hui"),
dates ("en 2025", "since March 2026", "depuis janvier", "avant le 1er mars 2026") and decades
("nés dans les années 80", "born in the 1980s").
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from nl2seg.rule.nodes import (
    CalendarWindow,
    DatesWindow,
    LastWindow,
    MoreThanAgoWindow,
    Unit,
    Window,
)
from nl2seg.translate.normalize import Tok, seq, skey, stems
from nl2seg.translate.numbers import ONE, Num

_UNIT_WORDS: dict[str, Unit] = {
    "jour": "day", "jours": "day", "day": "day", "days": "day", "semaine": "week",
    "week": "week", "mois": "month", "month": "month", "trimestre": "quarter",
    "quarter": "quarter", "an": "year", "ans": "year", "année": "year", "years": "year",
    "year": "year",
}
UNITS: dict[str, Unit] = {skey(w): u for w, u in _UNIT_WORDS.items()}
_MONTH_NAMES = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
MONTHS: dict[str, int] = {skey(w): i % 12 + 1 for i, w in enumerate(_MONTH_NAMES)}
for _abbr, _m in {"janv": 1, "jan": 1, "fev": 2, "fevr": 2, "feb": 2, "avr": 4,
                  "juil": 7, "jul": 7, "jun": 6, "aug": 8, "sep": 9, "oct": 10,
                  "nov": 11, "dec": 12}.items():  # not "apr" (après) nor "sept" (seven)
    MONTHS.setdefault(skey(_abbr), _m)
_ORDINALS = frozenset({"st", "nd", "rd", "th", "er", "eme"})
_QUARTERS = {skey("premier"): 1, skey("first"): 1, "1er": 1, skey("deuxième"): 2,
             skey("second"): 2, skey("troisième"): 3, skey("third"): 3, skey("quatrième"): 4,
             skey("fourth"): 4, skey("dernier"): 4, skey("last"): 4}
_START = (seq("depuis le début de l'année"), seq("depuis le début de l'an"),
          seq("since the start of the year"), seq("since the beginning of the year"),
          seq("year to date"), seq("ytd"), seq("depuis le 1er janvier"))
_START_MONTH = (seq("depuis le début du mois"), seq("since the start of the month"),
                seq("since the beginning of the month"), seq("month to date"), seq("mtd"))
_LAST = stems("last", "past", "dernier", "dernière", "derniers")
_THIS = stems("ce", "cet", "cette", "this", "current")
_PREV = stems("previous", "précédent", "précédente")
_ECOULE = stems("écoulée", "écoulé", "écoulés", "écoulées")
_ELAPSED = _ECOULE | stems("dernière", "dernier", "derniers")
_MORE = (seq("plus de"), seq("more than"), seq("over"), seq("plus d'"))
_LESS = (seq("moins de"), seq("less than"), seq("under"), seq("moins d'"), seq("within"),
         ("<",), ("<", "="))
_SINCE = stems("depuis", "since", "after", "après")
_AFTER = stems("after", "après")
""""after 1990" starts when 1990 ends; "since 1990" with it."""
_BEFORE = stems("avant", "before")
_IN = stems("en", "in", "during", "pendant", "durant", "de", "of", "du", "année", "year",
            "exercice", "fiscal")
""""in 2025", « sur l'année 2025 », "the year 2025": the whole year."""
_DEPUIS = skey("depuis")
_ILYA = seq("il y a")
_DATES_BACK = (seq("remonte à"), seq("remontent à"), seq("remontant à"), seq("date de"),
               seq("datent de"), seq("datant de"))
""""dont le dernier achat remonte à plus de 2 ans" = "il y a plus de 2 ans"."""
_YEARS = skey("années")
_DEPUIS_FOR = stems("depuis", "for", "pendant")
_OVER = stems("sur", "within", "in", "dans", "durant", "during")
_WINDOW_WORDS = stems("window", "fenêtre", "période", "period", "lookback")
""""sur 12 mois", "within 30 days", "in 6 months": the rolling window of that length."""


@dataclass(frozen=True)
class TimeHit:
    """A window found on tokens ``[i, j)``."""

    i: int
    j: int
    window: Window


def _ends_with(keys: list[str], end: int, seqs: tuple[tuple[str, ...], ...]) -> int | None:
    """Start of the sequence of ``seqs`` that ends just before ``end``, if any."""
    for one in seqs:
        s = end - len(one)
        if s >= 0 and tuple(keys[s:end]) == one:
            return s
    return None


class _Scanner:
    def __init__(self, toks: list[Tok], nums: list[Num], as_of: dt.date) -> None:
        self.toks = toks
        self.k = [t.key for t in toks]
        self.num_end = {n.j: n for n in nums if not n.money and not n.times}
        self.num_at = {n.i: n for n in nums if not n.money and not n.times}
        self.as_of = as_of
        self.used: set[int] = set()
        self.hits: list[TimeHit] = []

    def key(self, i: int) -> str:
        return self.k[i] if 0 <= i < len(self.k) else ""

    def add(self, i: int, j: int, window: Window) -> None:
        if any(x in self.used for x in range(i, j)):
            return
        self.used.update(range(i, j))
        phrase = " ".join(t.surface for t in self.toks[i:j])
        self.hits.append(TimeHit(i, j, window.model_copy(update={"phrase": phrase})))

    # -- unit-anchored: rolling, ago, calendar ------------------------------------------------
    def unit(self, u: int) -> None:
        unit = UNITS[self.k[u]]
        k = self.key
        n: int | None = None
        ns = u
        between = 0
        if k(u - 1) in _LAST and (u - 1) in self.num_end:
            between = 1
        num = self.num_end.get(u - between)
        if num is not None and float(num.value).is_integer() and num.value >= 1:
            n, ns = int(num.value), num.i
        elif k(u - 1) in ONE:
            n, ns = 1, u - 1
        if n is not None:
            self._numbered(u, unit, n, ns, between)
        else:
            self._bare(u, unit)

    def _numbered(self, u: int, unit: Unit, n: int, ns: int, between: int) -> None:
        k = self.key
        if k(u + 1) == "ago":
            s = _ends_with(self.k, ns, _MORE)
            if s is not None:
                self.add(s, u + 2, MoreThanAgoWindow(n=n, unit=unit))
                return
            s = _ends_with(self.k, ns, _LESS)
            self.add(s if s is not None else ns, u + 2,
                     LastWindow(n=n, unit=unit) if s is not None
                     else MoreThanAgoWindow(n=n, unit=unit))
            return
        more, less = _ends_with(self.k, ns, _MORE), _ends_with(self.k, ns, _LESS)
        cmp = more if more is not None else less
        back = _ends_with(self.k, cmp, _DATES_BACK) if cmp is not None else None
        if cmp is not None and back is not None:
            self.add(back, u + 1, MoreThanAgoWindow(n=n, unit=unit) if more is not None
                     else LastWindow(n=n, unit=unit))
            return
        if cmp is not None and tuple(self.k[cmp - 3:cmp]) == _ILYA:
            win: Window = (MoreThanAgoWindow(n=n, unit=unit) if more is not None
                           else LastWindow(n=n, unit=unit))
            self.add(cmp - 3, u + 1, win)
            return
        if cmp is not None and k(cmp - 1) == _DEPUIS:
            self.add(cmp - 1, u + 1, LastWindow(n=n, unit=unit))
            return
        if tuple(self.k[ns - 3:ns]) == _ILYA:
            self.add(ns - 3, u + 1, MoreThanAgoWindow(n=n, unit=unit))
            return
        end = u + 1
        if k(u + 1) in {*_ELAPSED}:
            end = u + 2
        if less is not None and more is None and k(less - 1) not in {"il", "ya"} \
                and k(u + 1) != "ago" and (k(less) in {"<", "within"} or unit in {"day", "week"}):
            # "achat web < 30j", "within 30 days"; "moins de 25 ans" stays an age
            self.add(less, u + 1, LastWindow(n=n, unit=unit))
            return
        if k(u + 1) in _WINDOW_WORDS:  # "a 24-month window", « une période de 6 mois »
            end = u + 2
        if between or k(ns - 1) in _LAST or k(u + 1) in {*_ELAPSED} or k(ns - 1) in _OVER \
                or k(u + 1) in _WINDOW_WORDS:
            self.add(ns - 1 if k(ns - 1) in _LAST else ns, end, LastWindow(n=n, unit=unit))
        elif k(ns - 1) in _DEPUIS_FOR:
            self.add(ns - 1, end, LastWindow(n=n, unit=unit))

    def _bare(self, u: int, unit: Unit) -> None:
        k = self.key
        if k(u - 1) in {"last", "past"}:
            rolling = k(u - 1) == "past" or k(u - 2) == "the"
            self.add(u - 1, u + 1, LastWindow(n=1, unit=unit) if rolling
                     else CalendarWindow(unit=unit, offset=-1))
        elif k(u - 1) in _LAST:
            self.add(u - 1, u + 1, LastWindow(n=1, unit=unit))
        elif k(u + 1) in _ECOULE:
            self.add(u, u + 2, LastWindow(n=1, unit=unit))
        elif k(u + 1) in _ELAPSED | _PREV:
            self.add(u, u + 2, CalendarWindow(unit=unit, offset=-1))
        elif k(u - 1) in _PREV:
            self.add(u - 1, u + 1, CalendarWindow(unit=unit, offset=-1))
        elif k(u + 1) in _ELAPSED:
            self.add(u, u + 2, LastWindow(n=1, unit=unit))
        elif k(u - 1) in _THIS:
            self.add(u - 1, u + 2 if k(u + 1) == "ci" else u + 1, CalendarWindow(unit=unit))
        elif k(u + 1) == "en" and k(u + 2) == "cour":
            self.add(u, u + 3, CalendarWindow(unit=unit))

    # -- days ---------------------------------------------------------------------------------
    def days(self, i: int) -> None:
        k = self.key
        if k(i) in {"today"} or (k(i) == "aujourd" and k(i + 1) == "hui"):
            self.add(i, i + (2 if k(i) == "aujourd" else 1), CalendarWindow(unit="day"))
        elif k(i) in {"yesterday", "hier"} and k(i - 1) in _SINCE:
            # "depuis hier", "since yesterday": yesterday and today
            self.add(i - 1, i + 1, DatesWindow(since=self.as_of - dt.timedelta(days=1)))
        elif k(i) in {"yesterday", "hier"}:
            self.add(i, i + 1, CalendarWindow(unit="day", offset=-1))

    # -- dates --------------------------------------------------------------------------------
    def date(self, i: int) -> None:
        """A month name or a year at ``i``, with an optional day before and year after."""
        k = self.key
        start, j = i, i + 1
        day, month, year = 1, 0, 0
        has_day = False  # "le 1er mars" is a day; "mars" a month
        if k(i) in MONTHS:
            month = MONTHS[k(i)]
            d = self.num_end.get(i - 1) if k(i - 1) in _ORDINALS else self.num_end.get(i)
            if d is not None and 1 <= d.value <= 31:
                day, start, has_day = int(d.value), d.i, True
            if k(i - 1) in _ORDINALS and d is not None:
                start = d.i
            after = self.num_at.get(i + 1)  # "March 1st, 2022", "January 15 2026"
            if after is not None and 1 <= after.value <= 31 and d is None and (
                    k(after.j) in _ORDINALS or (self.num_at.get(after.j) is not None)):
                day, has_day = int(after.value), True
                j = after.j + (1 if k(after.j) in _ORDINALS else 0)
                y = self.num_at.get(j)
            else:
                y = self.num_at.get(i + 1)
            if y is not None and 1900 <= y.value <= 2100:
                year, j = int(y.value), y.j
        elif (n := self.num_at.get(i)) is not None and 1900 <= n.value <= 2100 \
                and float(n.value).is_integer() and len(self.toks[i].word) == 4:
            year, j = int(n.value), n.j
        else:
            return
        if k(start - 1) == "le":
            start -= 1
        own = False  # "last March": the last *past* March (on 30 June 2026, March 2026)
        if month and not year and day == 1 and k(start - 1) == "last":
            year = self.as_of.year if month < self.as_of.month else self.as_of.year - 1
            start, own = start - 1, True
        prep = "" if own else k(start - 1)
        if month and not year and not (prep in _SINCE | _BEFORE | _IN or day > 1):
            return
        if not month and not own and prep not in _SINCE | _BEFORE | _IN:
            return
        if month and not year and k(j) == "dernier":
            # "en juin dernier": the last *past* June (on 30 June, June of last year)
            year = self.as_of.year if month < self.as_of.month else self.as_of.year - 1
            j += 1
        if month and not year:
            year = self.as_of.year if (month, day) <= (self.as_of.month, self.as_of.day) \
                else self.as_of.year - 1
        try:
            first = dt.date(year, month or 1, day)
        except ValueError:
            return
        if month == 0:
            nxt = dt.date(year + 1, 1, 1)
        elif has_day:
            nxt = first + dt.timedelta(days=1)
        else:
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        if prep in _AFTER:
            self.add(start - 1, j, DatesWindow(since=nxt))
        elif prep in _SINCE:
            self.add(start - 1, j, DatesWindow(since=first))
        elif prep in _BEFORE:
            self.add(start - 1, j, DatesWindow(before=first))
        else:
            self.add(start - 1 if prep in _IN else start, j, DatesWindow(since=first, before=nxt))

    def iso(self, i: int) -> None:
        """2026-03-01 or 01/03/2026."""
        t = self.toks
        if i + 2 >= len(t) or not all(x.is_digit for x in t[i:i + 3]):
            return
        if not (t[i + 1].gap == t[i + 2].gap and t[i + 1].gap in {"-", "/"}):
            return
        a, b, c = (int(float(x.word.replace(",", "."))) for x in t[i:i + 3])
        try:
            day = dt.date(a, b, c) if a > 1900 else dt.date(c, b, a)
        except ValueError:
            return
        start = i - 1 if self.key(i - 1) == "le" else i
        prep = self.key(start - 1)
        if prep in _AFTER:
            self.add(start - 1, i + 3, DatesWindow(since=day + dt.timedelta(days=1)))
        elif prep in _SINCE:
            self.add(start - 1, i + 3, DatesWindow(since=day))
        elif prep in _BEFORE:
            self.add(start - 1, i + 3, DatesWindow(before=day))
        else:
            self.add(start, i + 3,
                     DatesWindow(since=day, before=day + dt.timedelta(days=1)))

    def quarter(self, i: int) -> None:
        """"au premier trimestre 2026", "Q1 2026", "in the first quarter of 2025"."""
        k = self.key
        q: int | None = None
        s, j = i, i + 1
        if k(i) in {skey("trimestre"), "quarter"} and k(i - 1) in _QUARTERS:
            q, s = _QUARTERS[k(i - 1)], i - 1
        elif len(k(i)) == 2 and k(i)[0] == "q" and k(i)[1] in "1234" and self.toks[i].word:
            q = int(k(i)[1])
        elif k(i) == "q" and (n := self.num_at.get(i + 1)) is not None and 1 <= n.value <= 4 \
                and self.toks[i + 1].gap == "":
            q, j = int(n.value), n.j
        if q is None:
            return
        if k(j) == "of":
            j += 1
        y = self.num_at.get(j)
        if y is None or not _year(self.toks, y):
            return  # "dernier trimestre" without a year is the calendar's, found elsewhere
        while k(s - 1) in {"au", "le", "the", "in", "du", "en", "during", "pendant"}:
            s -= 1
        first = dt.date(int(y.value), 3 * q - 2, 1)
        nxt = dt.date(int(y.value) + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        self.add(s, y.j, DatesWindow(since=first, before=nxt))

    def start_of(self, i: int) -> None:
        """"depuis le début de l'année", "year to date": this calendar year (month)."""
        for seqs, unit in ((_START, "year"), (_START_MONTH, "month")):
            for one in seqs:
                if tuple(self.k[i:i + len(one)]) == one:
                    y = self.num_at.get(i + len(one))
                    if y is not None and _year(self.toks, y):
                        return  # "depuis le 1er janvier 2024": a date, found by date()
                    self.add(i, i + len(one), CalendarWindow(unit=unit))
                    return

    def day_range(self) -> None:
        """"entre le 1er et le 31 mai 2026", "between 1 and 15 April 2026": a first day
        that borrows its month and year from the second date."""
        for b in list(self.hits):
            wb = b.window
            if not isinstance(wb, DatesWindow) or wb.since is None or wb.before is None \
                    or (wb.before - wb.since).days != 1:
                continue
            k = b.i - 1
            if self.key(k) not in _RANGE_MID:
                continue
            k -= 1
            month = MONTHS.get(self.key(k))
            if month is not None:
                k -= 1
            if self.key(k) in _ORDINALS:
                k -= 1
            first = self.num_end.get(k + 1)
            if first is None or not 1 <= first.value <= 31 or not float(first.value).is_integer():
                continue
            lead = first.i - 1
            if self.key(lead) == "le":
                lead -= 1
            if self.key(lead) not in _RANGE_OPEN or any(x in self.used for x in range(lead, b.i)):
                continue
            try:
                since = wb.since.replace(month=month or wb.since.month, day=int(first.value))
            except ValueError:
                continue
            if since >= wb.before:
                continue
            self.hits.remove(b)
            phrase = " ".join(t.surface for t in self.toks[lead:b.j])
            self.hits.append(TimeHit(lead, b.j, DatesWindow(since=since, before=wb.before,
                                                            phrase=phrase)))
            self.used.update(range(lead, b.j))

    def date_range(self) -> None:
        """"entre le 1er janvier 2026 et le 31 mars 2026", "from March 1 to May 31, 2026":
        two dates joined into one window, both days included."""
        hits = sorted(self.hits, key=lambda h: h.i)
        for a, b in itertools.pairwise(hits):
            wa, wb = a.window, b.window
            if not (isinstance(wa, DatesWindow) and isinstance(wb, DatesWindow)
                    and wa.since is not None and wb.before is not None
                    and wa.since < wb.before):
                continue
            mid = [self.k[x] for x in range(a.j, b.i)]
            lead = a.i if self.key(a.i) in _RANGE_OPEN else a.i - 1
            if self.key(lead) == "le":
                lead -= 1
            if set(mid) - {"et", "and", "to", "a", "au", "le", "until", "jusqu"} \
                    or self.key(lead) not in _RANGE_OPEN:
                continue
            self.hits.remove(a)
            self.hits.remove(b)
            win = DatesWindow(since=wa.since, before=wb.before)
            phrase = " ".join(t.surface for t in self.toks[lead:b.j])
            self.hits.append(TimeHit(lead, b.j, win.model_copy(update={"phrase": phrase})))
            self.used.update(range(lead, b.j))
            return

    def year_range(self, i: int) -> None:
        """"entre 1975 et 1979", "from 2020 to 2022", "1975-1979": both years whole."""
        a = self.num_at.get(i)
        if a is None or not _year(self.toks, a):
            return
        mid = a.j
        if self.key(mid) in _RANGE_MID:
            mid += 1
        elif not (mid < len(self.toks) and self.toks[mid].gap.strip() == "-"):
            return
        b = self.num_at.get(mid)
        if b is None or not _year(self.toks, b) or b.value <= a.value:
            return
        s = i - 1 if self.key(i - 1) in _RANGE_OPEN else i
        self.add(s, b.j, DatesWindow(since=dt.date(int(a.value), 1, 1),
                                     before=dt.date(int(b.value) + 1, 1, 1)))

    def decade(self, i: int) -> None:
        k = self.key
        n = self.num_at.get(i)
        if n is None or not float(n.value).is_integer() or int(n.value) % 10:
            return
        v = int(n.value)
        if v < 100:
            v += 1900 if v >= 30 else 2000
        if k(i - 1) == _YEARS:
            s = i - 1
            s = s - 1 if k(s - 1) in {"le", "the"} else s
            self.add(s - 1 if k(s - 1) in {"dan", "in", "de"} else s, n.j,
                     DatesWindow(since=dt.date(v, 1, 1), before=dt.date(v + 10, 1, 1)))
        elif n.j < len(self.toks) and self.toks[n.j].word == "s" and self.toks[n.j].gap == "":
            s = i - 1 if k(i - 1) == "the" else i
            self.add(s - 1 if k(s - 1) == "in" else s, n.j + 1,
                     DatesWindow(since=dt.date(v, 1, 1), before=dt.date(v + 10, 1, 1)))


_RANGE_MID = stems("et", "and", "to", "à", "a", "through", "au")
_RANGE_OPEN = stems("entre", "between", "from", "de", "du")


def _year(toks: list[Tok], n: Num) -> bool:
    return (n.j == n.i + 1 and float(n.value).is_integer() and 1900 <= n.value <= 2100
            and len(toks[n.i].word) == 4)


def find_times(toks: list[Tok], nums: list[Num], as_of: dt.date) -> list[TimeHit]:
    """Every time expression of ``toks``, left to right, on disjoint token spans."""
    sc = _Scanner(toks, nums, as_of)
    for i in range(len(toks)):
        sc.start_of(i)
        sc.quarter(i)
        sc.year_range(i)
        sc.decade(i)
        sc.iso(i)
    for i, key in enumerate(sc.k):
        if key in UNITS:
            sc.unit(i)
    for i in range(len(toks)):
        sc.days(i)
        sc.date(i)
    sc.date_range()
    sc.day_range()
    return sorted(sc.hits, key=lambda h: h.i)
