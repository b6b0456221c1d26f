"""The plain-language read-back: a rule as sentences a marketer can read aloud.

Every word that names data comes from the catalog (column, value, event, property and channel
labels); every window is printed with its concrete dates, inclusive. The words of each
language live in one :class:`_Lang` table; the functions below only assemble them.

>>> import datetime as dt
>>> from nl2seg.catalog import load_catalog
>>> from nl2seg.rule.nodes import Attribute, Rule
>>> rule = Rule(where=Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip"))
>>> read_back(rule, load_catalog(), dt.date(2026, 6, 30), lang="en")
'Customers with loyalty tier: VIP.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from nl2seg.catalog.models import Catalog, Column, Value, type_family
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    Condition,
    DateIn,
    EventCondition,
    Not,
    PropertyFilter,
    Rule,
    Scalar,
    Score,
    SegmentRef,
    Window,
)
from nl2seg.windows import Bounds, end_of, everything, resolve

Lang = Literal["en", "fr"]

__all__ = ["describe_condition", "format_date", "format_number", "read_back"]


# --- language helpers -----------------------------------------------------------------------

_FR_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")

_FR_MASCULINE = frozenset({
    "âge", "article", "centre", "chiffre", "code", "commerce", "compte", "contrôle", "domaine",
    "échange", "genre", "groupe", "lycée", "membre", "message", "modèle", "musée", "nombre",
    "passage", "problème", "programme", "rôle", "score", "service", "site", "stage", "style",
    "système", "téléphone", "thème", "titre", "type", "volume",
})
_FR_FEMININE = frozenset({
    "clé", "clef", "couleur", "dent", "faim", "fin", "fleur", "fois", "image", "main", "mer",
    "nuit", "page", "part", "peur", "plage", "valeur",
})


def _fr_elide(word: str, full: str, short: str) -> str:
    """``de`` + word → ``de X`` or ``d'X`` before a vowel."""
    return f"{short}{word}" if word[:1].lower() in _FR_VOWELS else f"{full}{word}"


def _fr_of(word: str) -> str:
    return _fr_elide(word, "de ", "d'")


def _en_of(word: str) -> str:
    return f"of {word}"


def _fr_feminine(label: str) -> bool:
    """A best guess of the grammatical gender of a French label's head noun."""
    head = label.strip().split(" ")[0].lower()
    head = head.split("'")[-1]
    if head in _FR_MASCULINE:
        return False
    if head in _FR_FEMININE:
        return True
    if head.endswith(("age", "isme", "ème", "ège", "ment")):
        return False
    return head.endswith(("té", "tié", "tion", "sion", "xion", "e"))


def _never_feminine(label: str) -> bool:
    return False


def _fr_plural_word(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return word
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


def _fr_plural(label: str) -> str:
    """French plural of a label: its first word (the head noun) takes the mark."""
    first, sep, rest = label.partition(" ")
    return _fr_plural_word(first) + sep + rest


def _en_plural(label: str) -> str:
    """English plural of a label: its last word (the head noun) takes the mark."""
    rest, sep, last = label.rpartition(" ")
    if len(last) > 1 and last.isupper():
        plural = last
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return rest + sep + plural


Gendered = tuple[str, str]
"""A word in the masculine and the feminine."""


@dataclass(frozen=True)
class _Lang:
    """Every word and pattern of one language."""

    months: tuple[str, ...]
    day_one: str
    thousands: str
    decimal: str
    percent: str
    money_prefix: bool
    colon: str
    and_: str
    or_: str
    yes: str
    no: str
    # windows
    between_dates: str
    on_date: str
    before_date: str
    up_to_date: str
    ever: str
    empty: str
    at_date: str
    # comparisons of values
    cmp: Mapping[str, str]
    date_cmp: Mapping[str, str]
    text_cmp: Mapping[str, str]
    not_in: str
    with_: str
    without: str
    bool_null: str
    bool_not_null: str
    quote: str
    no_of: frozenset[str]
    # age
    age: Mapping[str, str]
    year: str
    years: str
    aged: Gendered
    age_note: str
    # scores
    level: str
    top_percent: str
    # events
    one: Gendered
    none: Gendered
    first: Gendered
    last: Gendered
    avg: Gendered
    article: Gendered
    exists: str
    not_any: str
    count: Mapping[str, str]
    count_ne: str
    has_count: str
    sum_money: str
    sum_other: str
    avg_of: str
    min_of: str
    max_of: str
    first_of: str
    last_of: str
    scope_all: str
    adverbial: frozenset[str]
    # groups, segments, channels
    those: Gendered
    exclude: str
    negate: str
    segment: str
    unknown_segment: str
    channel: str
    channel_contact: str
    consent_step: str
    consent_step_contact: str
    # grammar
    plural: Callable[[str], str]
    feminine: Callable[[str], bool]
    of: Callable[[str], str]


_FR = _Lang(
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    day_one="1er",
    thousands=" ",
    decimal=",",
    percent="{p} %",
    money_prefix=False,
    colon=" : ",
    and_=" et ",
    or_=" ou ",
    yes="oui",
    no="non",
    between_dates="entre le {a} et le {b} inclus",
    on_date="le {a}",
    before_date="avant le {b}",
    up_to_date="jusqu'au {b} inclus",
    ever="depuis toujours (jusqu'au {b})",
    empty=" (période vide)",
    at_date="au {a}",
    cmp={"eq": "{v}", "ne": "autre que {v}", "gt": "plus de {v}", "gte": "au moins {v}",
         "lt": "moins de {v}", "lte": "au plus {v}", "between": "entre {a} et {b} inclus"},
    date_cmp={"eq": "le {v}", "ne": "autre que le {v}", "gt": "après le {v}",
              "gte": "le {v} ou après", "lt": "avant le {v}", "lte": "le {v} ou avant",
              "between": "entre le {a} et le {b} inclus"},
    text_cmp={"contains": "contient {v}", "starts_with": "commence par {v}",
              "ends_with": "se termine par {v}"},
    not_in="autre que {v}",
    with_="avec {x}",
    without="sans {label}",
    bool_null="avec {label} : ni oui ni non",
    bool_not_null="avec {label} : oui ou non",
    quote="\"{v}\"",
    no_of=frozenset({"ne", "between"}),
    age={"eq": "{aged} de {v} {y}", "ne": "non {aged} de {v} {y}",
         "gt": "{aged} de plus de {v} {y}", "gte": "{aged} de {v} {y} ou plus",
         "lt": "{aged} de moins de {v} {y}", "lte": "{aged} de {v} {y} ou moins",
         "between": "{aged} de {a} à {b} ans inclus"},
    year="an",
    years="ans",
    aged=("âgés", "âgées"),
    age_note=" (âge au {d})",
    level="{level} ({detail})",
    top_percent="dans les {p} les plus élevés {of_label}",
    one=("un", "une"),
    none=("aucun", "aucune"),
    first=("premier", "première"),
    last=("dernier", "dernière"),
    avg=("moyen", "moyenne"),
    article=("le", "la"),
    exists="ayant au moins {one} {ev}{scope}",
    not_any="n'ayant {none} {ev}{scope}",
    count={"eq": "exactement {v} {n}", "gt": "plus de {v} {n}", "gte": "au moins {v} {n}",
           "lt": "moins de {v} {n}", "lte": "au plus {v} {n}", "between": "de {a} à {b} {n}"},
    count_ne="un nombre {of_evs}{scope} autre que {v}",
    has_count="ayant {count}",
    sum_money="ayant dépensé au total {thr} sur les {evs}{scope}",
    sum_other="avec un total {of_label} {thr} sur les {evs}{scope}",
    avg_of="avec {a} {label} {avg} {thr} par {ev}{scope}",
    min_of="avec {a} {label} minimum {thr} sur les {evs}{scope}",
    max_of="avec {a} {label} maximum {thr} sur les {evs}{scope}",
    first_of="dont {the} {first} {ev}{filters} a eu lieu {window}",
    last_of="dont {the} {last} {ev}{filters} a eu lieu {window}",
    scope_all="{filters} {window}",
    adverbial=frozenset({"en", "à", "au", "aux", "sur", "par", "dans", "via", "hors", "chez",
                         "depuis"}),
    those=("ceux", "celles"),
    exclude="sauf {those} {x}",
    negate="non ({x})",
    segment="membres du segment \"{name}\"",
    unknown_segment=" (segment inconnu)",
    channel=" — audience pour le canal {channel} : seuls les {who} ayant consenti ({consent})",
    channel_contact=" et joignables ({contact})",
    consent_step="{consent} : oui",
    consent_step_contact=", {contact} renseigné",
    plural=_fr_plural,
    feminine=_fr_feminine,
    of=_fr_of,
)

_EN = _Lang(
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    day_one="1",
    thousands=",",
    decimal=".",
    percent="{p}%",
    money_prefix=True,
    colon=": ",
    and_=" and ",
    or_=" or ",
    yes="yes",
    no="no",
    between_dates="between {a} and {b} inclusive",
    on_date="on {a}",
    before_date="before {b}",
    up_to_date="up to {b} inclusive",
    ever="ever (up to {b})",
    empty=" (empty period)",
    at_date="at {a}",
    cmp={"eq": "{v}", "ne": "other than {v}", "gt": "more than {v}", "gte": "at least {v}",
         "lt": "less than {v}", "lte": "at most {v}", "between": "between {a} and {b} inclusive"},
    date_cmp={"eq": "on {v}", "ne": "other than {v}", "gt": "after {v}", "gte": "on or after {v}",
              "lt": "before {v}", "lte": "on or before {v}",
              "between": "between {a} and {b} inclusive"},
    text_cmp={"contains": "contains {v}", "starts_with": "starts with {v}",
              "ends_with": "ends with {v}"},
    not_in="other than {v}",
    with_="with {x}",
    without="without {label}",
    bool_null="with {label}: neither yes nor no",
    bool_not_null="with {label}: yes or no",
    quote="\"{v}\"",
    no_of=frozenset({"ne"}),
    age={"eq": "{aged} {v}", "ne": "not {aged} {v}", "gt": "{aged} over {v}",
         "gte": "{aged} {v} or over", "lt": "{aged} under {v}", "lte": "{aged} {v} or under",
         "between": "{aged} {a} to {b} inclusive"},
    year="",
    years="",
    aged=("aged", "aged"),
    age_note=" (age at {d})",
    level="{level} ({detail})",
    top_percent="in the top {p} for {label}",
    one=("one", "one"),
    none=("no", "no"),
    first=("first", "first"),
    last=("last", "last"),
    avg=("average", "average"),
    article=("the", "the"),
    exists="with at least {one} {ev}{scope}",
    not_any="with {none} {ev}{scope}",
    count={"eq": "exactly {v} {n}", "gt": "more than {v} {n}", "gte": "at least {v} {n}",
           "lt": "fewer than {v} {n}", "lte": "at most {v} {n}", "between": "{a} to {b} {n}"},
    count_ne="a number {of_evs}{scope} other than {v}",
    has_count="with {count}",
    sum_money="who spent {thr} in total on {evs}{scope}",
    sum_other="with a total {label} {thr} across {evs}{scope}",
    avg_of="with an {avg} {label} {thr} per {ev}{scope}",
    min_of="with a minimum {label} {thr} across {evs}{scope}",
    max_of="with a maximum {label} {thr} across {evs}{scope}",
    first_of="whose {first} {ev}{filters} was {window}",
    last_of="whose {last} {ev}{filters} was {window}",
    scope_all="{filters} {window}",
    adverbial=frozenset({"in", "on", "at", "by", "via", "through", "from", "online", "offline"}),
    those=("those", "those"),
    exclude="excluding {those} {x}",
    negate="not ({x})",
    segment="in segment \"{name}\"",
    unknown_segment=" (unknown segment)",
    channel=" — audience for the {channel} channel: only {who} who opted in ({consent})",
    channel_contact=" and can be reached ({contact})",
    consent_step="{consent}: yes",
    consent_step_contact=", {contact} present",
    plural=_en_plural,
    feminine=_never_feminine,
    of=_en_of,
)

_LANGS: dict[str, _Lang] = {"fr": _FR, "en": _EN}

_CURRENCIES: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}


def _gender(words: Gendered, feminine: bool) -> str:
    return words[1] if feminine else words[0]


# --- numbers and dates ----------------------------------------------------------------------


def format_number(x: int | float, lang: Lang = "fr") -> str:
    """``1000`` → ``1 000`` (fr) / ``1,000`` (en); ``0.8`` → ``0,8`` / ``0.8``."""
    w = _LANGS[lang]
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    sign = "-" if x < 0 else ""
    text = str(abs(x)) if isinstance(x, int) else format(Decimal(repr(abs(x))), "f")
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", w.thousands)
    return sign + grouped + (w.decimal + frac if frac else "")


def _money(x: int | float, unit: str | None, w: _Lang, lang: Lang) -> str:
    if unit is None:
        return format_number(x, lang)
    symbol = _CURRENCIES.get(unit.upper())
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
    w = _LANGS[lang]
    d = w.day_one if day.day == 1 else str(day.day)
    return f"{d} {w.months[day.month - 1]} {day.year}"


def _bounds(b: Bounds, as_of: dt.date, w: _Lang, lang: Lang) -> str:
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


# --- the describer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Describer:
    """Phrases for one catalog, reference date and language."""

    cat: Catalog
    as_of: dt.date
    lang: Lang
    segments: Mapping[str, Rule] | None = None

    @property
    def w(self) -> _Lang:
        return _LANGS[self.lang]

    # -- catalog words ------------------------------------------------------------------------
    def who(self) -> str:
        """The entity in the plural (« clients », "customers")."""
        return self.w.plural(self.cat.entity.label.get(self.lang))

    def who_feminine(self) -> bool:
        return self.w.feminine(self.cat.entity.label.get(self.lang))

    def column(self, field: str) -> Column | None:
        return self.cat.column(field) if self.cat.has_column(field) else None

    def column_label(self, field: str) -> str:
        col = self.column(field)
        if col is not None and col.label is not None:
            return col.label.get(self.lang)
        return field.rsplit(".", 1)[-1].replace("_", " ")

    def value(self, v: Scalar, values: Sequence[Value] | None, unit: str | None = None) -> str:
        """One value as the marketer names it: its catalog label, else the value itself."""
        if isinstance(v, bool):
            return self.w.yes if v else self.w.no
        for known in values or ():
            same = known.value == v and isinstance(known.value, bool) == isinstance(v, bool)
            if same and known.label is not None:
                return known.label.get(self.lang)
        if isinstance(v, (int, float)):
            return _money(v, unit, self.w, self.lang)
        return v

    def date_value(self, v: Scalar | None) -> str:
        """An ISO date (or timestamp) value as words; anything else as is."""
        if not isinstance(v, str):
            return "" if v is None else str(v)
        try:
            moment = dt.datetime.fromisoformat(v)
        except ValueError:
            return v
        text = format_date(moment.date(), self.lang)
        return text if moment.time() == dt.time() else f"{text} {moment:%H:%M}"

    def join(self, parts: Sequence[str], word: str) -> str:
        if len(parts) <= 1:
            return "".join(parts)
        return ", ".join(parts[:-1]) + word + parts[-1]

    # -- comparisons ------------------------------------------------------------------------
    def compare(self, label: str, op: str, value: Scalar | None, values: Sequence[Scalar] | None,
                family: str, known: Sequence[Value] | None, unit: str | None = None) -> str:
        """``label`` compared with values: « niveau de fidélité : VIP », « sans code promo »."""
        w = self.w
        if op == "is_null":
            return (w.bool_null if family == "boolean" else w.without).format(label=label)
        if op == "is_not_null":
            return (w.bool_not_null if family == "boolean" else w.with_).format(
                label=label, x=label)
        if family in ("date", "timestamp") and op in w.date_cmp:
            if op == "between":
                a, b = values or (None, None)
                detail = w.date_cmp[op].format(a=self.date_value(a), b=self.date_value(b))
            else:
                detail = w.date_cmp[op].format(v=self.date_value(value))
            return f"{label} {detail}"

        def fmt(v: Scalar | None) -> str:
            if v is None:
                return ""
            if family in ("date", "timestamp"):
                return self.date_value(v)
            return self.value(v, known, unit)

        if op in ("in", "not_in"):
            listed = self.join([fmt(v) for v in values or ()], w.or_)
            detail = listed if op == "in" else w.not_in.format(v=listed)
        elif op in w.text_cmp:
            detail = w.text_cmp[op].format(v=w.quote.format(v=fmt(value)))
        elif op == "between":
            a, b = values or (None, None)
            detail = w.cmp[op].format(a=fmt(a), b=fmt(b))
        elif op == "ne" and isinstance(value, bool):
            detail = fmt(not value)
        else:
            detail = w.cmp[op].format(v=fmt(value))
        return f"{label}{w.colon}{detail}"

    def threshold(self, op: str, value: float | None, values: Sequence[float] | None,
                  unit: str | None) -> str:
        """A numeric threshold with the word that links it (« de plus de 500 € »)."""
        w = self.w
        if op == "between":
            a, b = values or (0, 0)
            text = w.cmp[op].format(a=_money(a, unit, w, self.lang),
                                    b=_money(b, unit, w, self.lang))
        else:
            text = w.cmp[op].format(v=_money(value or 0, unit, w, self.lang))
        return text if op in w.no_of else w.of(text)

    # -- leaves -------------------------------------------------------------------------------
    def attribute(self, node: Attribute) -> str:
        col = self.column(node.field)
        family = col.family if col is not None else "other"
        text = self.compare(self.column_label(node.field), node.op, node.value, node.values,
                            family, col.values if col is not None else None)
        if node.op in ("is_null", "is_not_null"):
            return text
        return self.w.with_.format(x=text)

    def age(self, node: Age) -> str:
        w = self.w
        aged = _gender(w.aged, self.who_feminine())
        if node.op == "between":
            a, b = node.values or (0, 0)
            text = w.age[node.op].format(aged=aged, a=format_number(a, self.lang),
                                         b=format_number(b, self.lang))
        else:
            v = node.value or 0
            text = w.age[node.op].format(aged=aged, v=format_number(v, self.lang),
                                         y=w.year if v == 1 else w.years)
        note = w.age_note.format(d=format_date(self.as_of, self.lang))
        return " ".join(text.split()) + note

    def date_in(self, node: DateIn) -> str:
        when = _bounds(resolve(node.window, self.as_of), self.as_of, self.w, self.lang)
        return self.w.with_.format(x=f"{self.column_label(node.field)} {when}")

    def score(self, node: Score) -> str:
        w = self.w
        label = self.column_label(node.field)
        col = self.column(node.field)
        if node.op == "top_percent":
            p = w.percent.format(p=format_number(float(node.value or 0), self.lang))
            return w.top_percent.format(p=p, label=label, of_label=w.of(label))
        family = col.family if col is not None else "number"
        detail = self.compare(label, node.op, node.value, node.values, family,
                              col.values if col is not None else None)
        level = self.level_label(node, col)
        if level is not None:
            detail = w.level.format(level=level, detail=detail)
        return w.with_.format(x=detail)

    def level_label(self, node: Score, col: Column | None) -> str | None:
        """The label of the catalog's named level the comparison is exactly, if any."""
        for level in (col.levels or {}).values() if col is not None else ():
            if level.label is None or level.op != node.op:
                continue
            same = (node.op == "between" and level.values is not None and node.values is not None
                    and [float(x) for x in level.values] == [_as_float(x) for x in node.values])
            same = same or (level.value is not None and _as_float(node.value) == level.value)
            if same:
                return level.label.get(self.lang)
        return None

    def segment(self, node: SegmentRef) -> str:
        text = self.w.segment.format(name=node.segment)
        if self.segments is not None and node.segment not in self.segments:
            text += self.w.unknown_segment
        return text

    # -- events -------------------------------------------------------------------------------
    def event_label(self, event: str) -> str:
        ev = self.cat.events.get(event)
        return ev.label.get(self.lang) if ev is not None else event.replace("_", " ")

    def property_label(self, event: str, prop: str) -> str:
        ev = self.cat.events.get(event)
        if ev is not None and prop in ev.properties:
            return ev.properties[prop].label.get(self.lang)
        return prop.replace("_", " ")

    def property_unit(self, event: str, prop: str | None) -> str | None:
        ev = self.cat.events.get(event)
        if prop is None or ev is None or prop not in ev.properties:
            return None
        return ev.properties[prop].unit

    def filters(self, node: EventCondition) -> str:
        """Property filters: adverbial value labels right after the noun (« en magasin »),
        the others in parentheses (« (catégorie de produit : chaussures) »)."""
        bare: list[str] = []
        labelled: list[str] = []
        for f in node.filters:
            text = self.adverbial_filter(node.event, f)
            if text is not None:
                bare.append(text)
            else:
                labelled.append(self.property_filter(node.event, f))
        out = "".join(f" {b}" for b in bare)
        if labelled:
            out += " (" + ", ".join(labelled) + ")"
        return out

    def known_values(self, event: str, prop: str) -> list[Value] | None:
        ev = self.cat.events.get(event)
        if ev is None or prop not in ev.properties:
            return None
        try:
            return self.cat.property_values(event, prop)
        except (KeyError, ValueError):
            return None

    def adverbial_filter(self, event: str, f: PropertyFilter) -> str | None:
        """A filter whose value labels read as adverbs (« en magasin ou en ligne »), or None."""
        if f.op not in ("eq", "in"):
            return None
        known = self.known_values(event, f.property) or []
        wanted = [f.value] if f.op == "eq" else list(f.values or [])
        labels: list[str] = []
        for v in wanted:
            match = next((k for k in known if k.value == v and k.label is not None), None)
            if match is None or match.label is None:
                return None
            text = match.label.get(self.lang)
            if text.split(" ")[0].lower() not in self.w.adverbial:
                return None
            labels.append(text)
        return self.join(labels, self.w.or_)

    def property_filter(self, event: str, f: PropertyFilter) -> str:
        ev = self.cat.events.get(event)
        prop = ev.properties.get(f.property) if ev is not None else None
        family = type_family(prop.type) if prop is not None else "other"
        return self.compare(self.property_label(event, f.property), f.op, f.value, f.values,
                            family, self.known_values(event, f.property),
                            prop.unit if prop is not None else None)

    def window(self, window: Window | None) -> str:
        b = everything(self.as_of) if window is None else resolve(window, self.as_of)
        if window is None:
            return self.w.ever.format(b=format_date(b.last_day, self.lang))
        return _bounds(b, self.as_of, self.w, self.lang)

    def event(self, node: EventCondition, negated: bool = False) -> str:
        w = self.w
        ev = self.event_label(node.event)
        evs = w.plural(ev)
        fem = w.feminine(ev)
        filters = self.filters(node)
        scope = w.scope_all.format(filters=filters, window=self.window(node.window))
        agg: str = node.aggregate
        if negated:
            agg = {"exists": "none", "none": "exists"}[agg]
        if agg == "exists":
            return w.exists.format(one=_gender(w.one, fem), ev=ev, scope=scope)
        if agg == "none":
            return w.not_any.format(none=_gender(w.none, fem), ev=ev, scope=scope)
        if agg in ("first", "last"):
            template = w.first_of if agg == "first" else w.last_of
            word = _gender(w.first if agg == "first" else w.last, fem)
            return template.format(the=_gender(w.article, fem), first=word, last=word, ev=ev,
                                   filters=filters, window=self.window(node.window))
        op = node.op or "gte"
        if agg == "count":
            return self.count(node, op, ev, evs, scope)
        prop = node.property or ""
        unit = self.property_unit(node.event, prop)
        label = self.property_label(node.event, prop)
        thr = self.threshold(op, node.value, node.values, unit)
        if agg == "sum":
            if unit is not None and unit.upper() in _CURRENCIES:
                bare = w.cmp[op].format(
                    v=_money(node.value or 0, unit, w, self.lang),
                    a=_money((node.values or [0, 0])[0], unit, w, self.lang),
                    b=_money((node.values or [0, 0])[-1], unit, w, self.lang))
                return w.sum_money.format(thr=bare, evs=evs, scope=scope)
            return w.sum_other.format(label=label, of_label=w.of(label), thr=thr, evs=evs,
                                      scope=scope)
        pfem = w.feminine(label)
        template = {"avg": w.avg_of, "min": w.min_of, "max": w.max_of}[agg]
        return template.format(a=_gender(w.one, pfem), avg=_gender(w.avg, pfem), label=label,
                               thr=thr, ev=ev, evs=evs, scope=scope)

    def count(self, node: EventCondition, op: str, ev: str, evs: str, scope: str) -> str:
        w = self.w
        if op == "ne":
            text = w.count_ne.format(of_evs=w.of(evs), scope=scope,
                                     v=format_number(node.value or 0, self.lang))
            return w.has_count.format(count=text)
        if op == "between":
            a, b = node.values or (0, 0)
            text = w.count[op].format(a=format_number(a, self.lang),
                                      b=format_number(b, self.lang), n=evs)
        else:
            v = node.value or 0
            singular = v < 2 if self.lang == "fr" else v == 1
            text = w.count[op].format(v=format_number(v, self.lang), n=ev if singular else evs)
        return w.has_count.format(count=text + scope)

    # -- groups -------------------------------------------------------------------------------
    def node(self, node: Condition, nested: bool = False) -> str:
        """One condition; ``nested`` groups are wrapped in parentheses."""
        if isinstance(node, (All, AnyOf)):
            items = _flatten(node)
            if len(items) == 1:
                return self.node(items[0], nested)
            text = self.all(items) if isinstance(node, All) else self.any(items)
            return f"({text})" if nested else text
        if isinstance(node, Not):
            positive = _negated(node)
            if positive is not None:
                return positive(self)
            return self.exclusion([node.condition])
        if isinstance(node, Attribute):
            return self.attribute(node)
        if isinstance(node, Age):
            return self.age(node)
        if isinstance(node, DateIn):
            return self.date_in(node)
        if isinstance(node, Score):
            return self.score(node)
        if isinstance(node, EventCondition):
            return self.event(node)
        return self.segment(node)

    def all(self, items: Sequence[Condition]) -> str:
        """Kept conditions joined by « et », then the exclusions (« sauf ceux … »)."""
        kept = [c for c in items if not _is_exclusion(c)]
        dropped = [c.condition for c in items if isinstance(c, Not) and _is_exclusion(c)]
        parts: list[str] = []
        if kept:
            parts.append(self.join([self.node(c, nested=True) for c in kept], self.w.and_))
        if dropped:
            parts.append(self.exclusion(dropped))
        return ", ".join(parts)

    def any(self, items: Sequence[Condition]) -> str:
        parts = [self.w.negate.format(x=self.node(c.condition))
                 if isinstance(c, Not) and _is_exclusion(c) else self.node(c, nested=True)
                 for c in items]
        return self.join(parts, self.w.or_)

    def exclusion(self, conditions: Sequence[Condition]) -> str:
        """« sauf ceux A ou B »: any of them excludes."""
        inner = self.join([self.node(c, nested=True) for c in conditions], self.w.or_)
        those = _gender(self.w.those, self.who_feminine())
        return self.w.exclude.format(those=those, x=inner)

    # -- the rule -----------------------------------------------------------------------------
    def rule(self, rule: Rule) -> str:
        where = rule.where
        body = self.node(where)
        sep = ", " if _starts_with_exclusion(where) else " "
        text = self.who() + sep + body
        if rule.channel is not None:
            text += self.channel(rule.channel)
        return _sentence(text)

    def channel(self, name: str) -> str:
        w = self.w
        ch = self.cat.channels.get(name)
        if ch is None:
            return w.channel.format(channel=name, who=self.who(), consent=name)
        text = w.channel.format(channel=ch.label.get(self.lang), who=self.who(),
                                consent=self.column_label(ch.consent))
        if ch.contact is not None:
            text += w.channel_contact.format(contact=self.column_label(ch.contact))
        return text

    def consent_step(self, name: str) -> str:
        """The channel's consent filter as a funnel step (« consentement SMS : oui, … »)."""
        ch = self.cat.channels[name]
        text = self.w.consent_step.format(consent=self.column_label(ch.consent))
        if ch.contact is not None:
            text += self.w.consent_step_contact.format(contact=self.column_label(ch.contact))
        return text


def _as_float(x: Scalar | None) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def _flatten(node: All | AnyOf) -> list[Condition]:
    """Children of a group, with same-kind subgroups merged (AND of ANDs is one AND)."""
    out: list[Condition] = []
    for c in node.conditions:
        if type(c) is type(node):
            assert isinstance(c, (All, AnyOf))
            out.extend(_flatten(c))
        else:
            out.append(c)
    return out


def _negated(node: Not) -> Callable[[_Describer], str] | None:
    """A negation that reads as a positive phrase (not not X; not exists; not none)."""
    inner = node.condition
    if isinstance(inner, Not):
        target = inner.condition
        return lambda d: d.node(target)
    if isinstance(inner, EventCondition) and inner.aggregate in ("exists", "none"):
        return lambda d: d.event(inner, negated=True)
    return None


def _is_exclusion(node: Condition) -> bool:
    return isinstance(node, Not) and _negated(node) is None


def _starts_with_exclusion(node: Condition) -> bool:
    if _is_exclusion(node):
        return True
    if isinstance(node, All):
        items = _flatten(node)
        return all(_is_exclusion(c) for c in items) or (
            len(items) == 1 and _starts_with_exclusion(items[0]))
    return False


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


# --- API --------------------------------------------------------------------------------------


def describe_condition(node: Condition, catalog: Catalog, as_of: dt.date, lang: Lang = "fr",
                       segments: Mapping[str, Rule] | None = None) -> str:
    """One condition as a phrase, lower case and without a period (funnel steps, warnings).

    >>> import datetime as dt
    >>> from nl2seg.catalog import load_catalog
    >>> from nl2seg.rule.nodes import LastWindow, EventCondition
    >>> node = EventCondition(event="purchase", window=LastWindow(n=7, unit="day"))
    >>> describe_condition(node, load_catalog(), dt.date(2026, 6, 30), "fr")
    'ayant au moins un achat entre le 24 juin 2026 et le 30 juin 2026 inclus'
    """
    text = _Describer(catalog, as_of, lang, segments).node(node)
    return " ".join(text.split())


def describe_consent(channel: str, catalog: Catalog, lang: Lang = "fr") -> str:
    """The consent and contact filter of ``channel`` as a funnel step.

    >>> from nl2seg.catalog import load_catalog
    >>> describe_consent("sms", load_catalog(), "en")
    'SMS opt-in: yes, mobile phone present'
    """
    return _Describer(catalog, dt.date.today(), lang, None).consent_step(channel)


def read_back(rule: Rule, catalog: Catalog, as_of: dt.date, lang: Lang = "fr",
              segments: Mapping[str, Rule] | None = None) -> str:
    """The whole rule as sentences: who, every condition with its dates, and the channel."""
    return _Describer(catalog, as_of, lang, segments).rule(rule)
