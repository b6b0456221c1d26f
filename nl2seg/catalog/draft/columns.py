"""What each column is: money, a date, PII, a closed list of values, a known role.

PII is guessed both ways: by name (``c_email_address``, ``c_login``, ``ca_street_name``) and
by content (a sample whose values look like emails, phone numbers or people's names), and
not from a word alone (``c_birth_country`` and ``cd_gender`` describe, they do not identify).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from nl2seg.catalog.check import value_counts
from nl2seg.catalog.draft.names import is_key_name
from nl2seg.catalog.draft.tables import TableInfo, ident, query, sample

#: Words of a money column (with a DECIMAL or floating type), found glued too: TPC-H writes
#: ``o_totalprice`` and ``c_acctbal``. A bare ``total`` does not say what it totals.
MONEY_WORDS = frozenset({
    "amt", "amount", "price", "paid", "cost", "costs", "revenue", "sales", "sale", "spend",
    "spent", "profit", "tax", "fee", "fees", "charge", "credit", "cash", "refund", "refunded",
    "loss", "discount", "turnover", "margin", "clv", "ltv", "balance", "bal"})
#: Words of a number that is not money, whole words only (``discount`` holds "count").
NOT_MONEY = frozenset({"percent", "percentage", "pct", "rate", "ratio", "offset", "share",
                       "score", "rating", "count", "quantity", "qty"})
DECIMALS = frozenset({"DECIMAL", "NUMERIC", "DOUBLE", "FLOAT", "REAL"})
CURRENCIES = frozenset({"eur", "usd", "gbp", "chf", "cad", "aud", "jpy", "cny", "inr", "sek",
                        "nok", "dkk", "pln", "brl", "mxn"})

#: Name words that mark PII in any table (a contact, a login, a person's name).
CONTACT_WORDS = frozenset({"email", "mail", "phone", "mobile", "telephone", "tel", "fax",
                           "login", "username", "password", "ssn", "passport", "iban", "ip",
                           "firstname", "lastname", "surname", "fullname"})
PERSON_NAMES = frozenset({"first", "last", "full", "middle", "given", "family", "maiden"})
#: Name words that mark PII in the customer's own tables (a postal address).
ADDRESS_WORDS = frozenset({"street", "suite", "zip", "zipcode", "postal", "postcode",
                           "address"})
FLAG_VALUES = frozenset({"y", "n", "yes", "no", "t", "f", "true", "false", "0", "1", "on",
                         "off", "oui", "non", "o"})
#: Places: their values may be people's names (a Jackson County), they are not PII for that.
PLACE_WORDS = frozenset({"street", "road", "avenue", "city", "town", "county", "state",
                         "country", "region", "district", "suite", "zip", "postal", "place"})
BIRTH_WORDS = frozenset({"birth", "birthday", "birthdate", "dob"})
SIGNUP_WORDS = frozenset({"signup", "registration", "registered", "joined", "enrolled",
                          "subscribed", "created"})

#: A text column whose values are longer than this is free text, not a list of values.
MAX_VALUE_LENGTH = 40
#: Rows read to guess PII from content and to rule out long value lists.
CONTENT_SAMPLE = 2_000

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[\d\s().-]{7,20}")

# Frequent first names and surnames (US census, INSEE), to recognise a column of names.
_FIRST_TEXT = """james john robert michael william david richard charles joseph thomas
christopher daniel paul mark donald george kenneth steven edward brian ronald anthony kevin
jason matthew gary timothy jose larry jeffrey frank scott eric stephen andrew raymond gregory
joshua jerry dennis walter peter mary patricia linda barbara elizabeth jennifer maria susan
margaret dorothy lisa nancy karen betty helen sandra donna carol ruth sharon michelle laura
sarah kimberly deborah jessica shirley cynthia angela melissa brenda amy anna rebecca virginia
kathleen pamela martha debra amanda stephanie jean pierre michel philippe alain nicolas
christophe patrick françois laurent julien sébastien marie nathalie isabelle sylvie catherine
françoise valérie christine sophie céline julie camille léa manon chloé emma inès lucas hugo
louis gabriel arthur jules"""
_LAST_TEXT = """smith johnson williams jones brown davis miller wilson moore taylor
anderson thomas jackson white harris martin thompson garcia martinez robinson clark rodriguez
lewis lee walker hall allen young hernandez king wright lopez hill scott green adams baker
gonzalez nelson carter mitchell perez roberts turner phillips campbell parker evans edwards
collins stewart sanchez morris rogers reed cook morgan bell murphy bailey rivera cooper
richardson cox howard ward torres peterson gray ramirez james watson brooks kelly sanders price
bennett wood barnes ross henderson bernard dubois durand leroy moreau simon laurent lefebvre
michel david bertrand roux vincent fournier morel girard andré lefèvre mercier dupont lambert
bonnet françois legrand garnier faure rousseau blanc guerin muller henry roussel nicolas
perrin morin mathieu"""
_FIRST = frozenset(_FIRST_TEXT.split())
_LAST = frozenset(_LAST_TEXT.split())


@dataclass
class ColumnFacts:
    """What the draft found out about a table's columns."""

    money: list[str] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)
    """Named like money, but every sampled value lies in [0, 1]: a rate (``l_discount``)."""
    dates: list[str] = field(default_factory=list)
    pii: dict[str, str] = field(default_factory=dict)
    """Column → why it is PII (``its name says email``, ``its values look like emails``)."""
    values: dict[str, list[str]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    birth_parts: dict[str, str] = field(default_factory=dict)
    """``year``/``month``/``day`` → column, when a birth date is split in three."""


def is_money(t: TableInfo, column: str) -> bool:
    """A DECIMAL (or floating) column named like an amount: ``ss_net_paid``, ``amount_eur``,
    ``o_totalprice``, ``c_acctbal``; not a rate by name (``tax_rate``). Its values may still
    make it a rate (:func:`rates`)."""
    if t.columns[column].split("(")[0].strip().upper() not in DECIMALS:
        return False
    w = t.stem(column)
    return (any(names_money(x) for x in w) or bool(set(w) & CURRENCIES)) and not set(
        w) & NOT_MONEY


def names_money(word: str) -> bool:
    """A money word, alone or glued at either end: ``price``, ``totalprice``, ``acctbal``."""
    return any(word == m or (len(word) > len(m) and word.endswith(m))
               or (len(m) >= 4 and word.startswith(m)) for m in MONEY_WORDS)


def rates(con: duckdb.DuckDBPyConnection, t: TableInfo, money: list[str]) -> list[str]:
    """The money-named columns whose sampled values all lie in [0, 1]: rates such as
    TPC-H's ``l_discount`` and ``l_tax`` (0.00 to 0.10), not amounts. One query, on a
    sample."""
    if not money:
        return []
    bounds = ", ".join(f"min({ident(c)}), max({ident(c)})" for c in money)
    row = query(con, f"SELECT {bounds} FROM {sample(t, money, CONTENT_SAMPLE)}")[0]
    return [c for i, c in enumerate(money) if row[2 * i] is not None
            and row[2 * i] >= 0 and row[2 * i + 1] <= 1]


def currency(column: str, t: TableInfo) -> str | None:
    """The currency a column's name states (``amount_eur`` → ``EUR``)."""
    found = [w for w in t.stem(column) if w in CURRENCIES]
    return found[-1].upper() if found else None


def pii_by_name(t: TableInfo, column: str, customer_side: bool) -> str | None:
    """Why ``column``'s name marks PII, or None. Numbers and flags never are; an address is
    only the customer's (a store's street is not personal)."""
    family = t.family(column)
    w = t.stem(column)
    if family == "number" and set(w) & BIRTH_WORDS and not is_key_name(column):
        return "its name says birth"  # c_birth_year: a part of a birth date
    if family in {"boolean", "number"} or is_key_name(column):
        return None
    dated = family in {"date", "timestamp"}
    kinds = [BIRTH_WORDS] if dated else [CONTACT_WORDS, *[ADDRESS_WORDS] * customer_side]
    for kind in kinds:
        if said := sorted(set(w) & kind):
            return f"its name says {said[0]}"
    if not dated and "name" in w and (
            set(w) & PERSON_NAMES or (customer_side and w == ["name"])):
        return "its name says a person's name"
    return None


def is_flag(values: list[object]) -> bool:
    """Sampled values that are a flag (``Y``/``N``, ``0``/``1``, ``yes``/``no``)."""
    filled = {str(v).strip().lower() for v in values} - {""}
    return bool(filled) and filled <= FLAG_VALUES


def pii_by_content(values: list[str], names: bool = True) -> str | None:
    """Why sampled values look like PII: mostly emails, phone numbers, or people's names
    (``names``: not for places, whose names are often people's)."""
    counts = Counter(v.strip() for v in values if v and v.strip())
    total = counts.total()

    def share(test: Callable[[str], bool]) -> float:
        return sum(n for v, n in counts.items() if test(v)) / total if total else 0.0

    if not total:
        return None
    if share(lambda v: bool(_EMAIL.fullmatch(v))) >= 0.5:
        return "its values look like emails"
    if share(_is_phone) >= 0.5:
        return "its values look like phone numbers"
    if names and len(counts) >= 2 and share(_is_person) >= (0.2 if len(counts) >= 10 else 0.5):
        return "its values look like people's names"
    return None


def _is_phone(value: str) -> bool:
    return bool(_PHONE.fullmatch(value)) and sum(c.isdigit() for c in value) >= 8 and (
        value.startswith(("+", "0")) or not value.isdigit())


def _is_person(value: str) -> bool:
    toks = value.lower().replace(".", " ").split()
    if not toks or len(toks) > 3 or not all(t.replace("-", "").replace("'", "").isalpha()
                                            for t in toks):
        return False
    if len(toks) == 1:
        return toks[0] in _FIRST or toks[0] in _LAST
    return toks[0] in _FIRST or toks[-1] in _LAST


def inspect_columns(con: duckdb.DuckDBPyConnection, t: TableInfo, *, keys: set[str],
                    customer_side: bool, entity: bool, max_values: int) -> ColumnFacts:
    """Money, dates, PII, value lists and roles of ``t``'s columns. ``keys`` (the key and
    the references) are never PII nor value lists."""
    facts = ColumnFacts()
    named = [c for c in t.columns if c not in keys and is_money(t, c)]
    facts.rates = rates(con, t, named)
    facts.money = [c for c in named if c not in facts.rates]
    facts.dates = [c for c in t.columns if t.family(c) in {"date", "timestamp"}]
    texts = [c for c in t.columns if t.family(c) == "text" and c not in keys
             and not is_key_name(c)]
    for c in t.columns:
        if c not in keys and (why := pii_by_name(t, c, customer_side)):
            facts.pii[c] = why
    rows = query(con, f"SELECT * FROM {sample(t, texts, CONTENT_SAMPLE)}") if texts else []
    for i, c in enumerate(texts):
        seen = [r[i] for r in rows if r[i] is not None]
        if c in facts.pii and is_flag(seen):
            del facts.pii[c]  # p_channel_email: Y or N, a flag named after a channel
        if c not in facts.pii and (why := pii_by_content(
                [str(v) for v in seen], names=not set(t.stem(c)) & PLACE_WORDS)):
            facts.pii[c] = why
        if c in facts.pii or len(set(seen)) > max_values or set(t.stem(c)) & ADDRESS_WORDS:
            continue
        found = closed_values(con, t, c, max_values, seen if t.rows <= len(rows) else None)
        if found is not None:
            facts.values[c] = found
    if customer_side:
        _roles(t, facts, entity)
    return facts


def closed_values(con: duckdb.DuckDBPyConnection, t: TableInfo, column: str, max_values: int,
                  every: list[object] | None = None) -> list[str] | None:
    """The values of a short-list text column, sorted for review; None for a long list, free
    text or blanks only. ``every``: all the column's values, when the sample read them all."""
    if every is None:
        values = [str(v) for v, _ in value_counts(con, t.name, column, limit=max_values + 1)]
    else:
        values = list({str(v) for v in every})
    if (not values or len(values) > max_values or not any(v.strip() for v in values)
            or max(len(v) for v in values) > MAX_VALUE_LENGTH):
        return None
    return sorted(values)


def _roles(t: TableInfo, facts: ColumnFacts, entity: bool) -> None:
    """Role tags translators look for: a birth date, a sign-up date; and a birth date split
    into year, month and day columns (a computed column can join them)."""
    for c in facts.dates:
        w = set(t.stem(c))
        if w & BIRTH_WORDS:
            facts.roles.setdefault(c, "birth_date")
        elif entity and w & SIGNUP_WORDS and "signup_date" not in facts.roles.values():
            facts.roles[c] = "signup_date"
    for c in t.columns:
        parts = t.stem(c)
        if t.family(c) == "number" and set(parts) & BIRTH_WORDS:
            part = next((p for p in ("year", "month", "day") if p in parts), None)
            if part:
                facts.birth_parts.setdefault(part, c)
    if "birth_date" in facts.roles.values() or len(facts.birth_parts) != 3:
        facts.birth_parts = {}
