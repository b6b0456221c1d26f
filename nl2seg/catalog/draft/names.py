"""Meaning read from names: the words of a snake_case or CamelCase name, plurals, key columns.

A warehouse spells the same thing many ways (``ss_customer_sk``, ``CustomerKey``,
``customer_id``); the draft compares names as lists of lower-case words.
"""

from __future__ import annotations

import re

#: The last word of a key column: a surrogate key, a key, an identifier.
KEY_WORDS = frozenset({"sk", "key", "id"})
#: Words that only say a table is a dimension or a fact (``date_dim``, ``DimCustomer``).
TABLE_AFFIXES = frozenset({"dim", "dimension", "fact", "fct", "tbl", "vw", "d", "f", "t", "v"})

#: Words ending in "key" that do not glue a noun to a key (``monkey``, ``turnkey``).
NOT_GLUED_KEYS = frozenset({"monkey", "turkey", "donkey", "jockey", "hockey", "whiskey",
                            "turnkey", "lackey", "hotkey", "passkey", "apikey"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[\W_]+")
_GLUED_KEY = re.compile(r"([a-z]{3,})key")


def words(name: str) -> list[str]:
    """``'ss_customer_sk'`` → ``['ss', 'customer', 'sk']``; ``'CustomerKey'`` →
    ``['customer', 'key']``; TPC-H's ``'c_custkey'`` → ``['c', 'cust', 'key']``.

    Only ``key`` is split off a glued word: ``paid`` and ``valid`` end in "id", ``task`` in
    "sk", and none of them is a key."""
    out: list[str] = []
    for w in _SPLIT.split(_CAMEL.sub("_", name).lower()):
        glued = _GLUED_KEY.fullmatch(w)
        if glued and w not in NOT_GLUED_KEYS:
            out += [glued.group(1), "key"]
        elif w:
            out.append(w)
    return out


def singular(word: str) -> str:
    """English plural to singular, good enough for table names (``categories`` → ``category``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_key_name(column: str) -> bool:
    """Named like a key: ``*_sk``, ``*_key``, ``*_id``, ``id``, ``CustomerKey``,
    ``c_custkey``."""
    w = words(column)
    return bool(w) and w[-1] in KEY_WORDS


def column_prefix(columns: list[str]) -> str:
    """The word every column of a table starts with (``ss`` in ``ss_item_sk``,
    ``ss_quantity``…), or ``''``: a star schema's way of making column names unique."""
    split = [words(c) for c in columns]
    if len(split) < 2 or any(len(w) < 2 for w in split):
        return ""
    firsts = {w[0] for w in split}
    return firsts.pop() if len(firsts) == 1 else ""


def stem(column: str, prefix: str) -> list[str]:
    """What a column is about: its words without the table prefix and the key word
    (``ss_sold_date_sk`` → ``['sold', 'date']``; ``customer_id`` → ``['customer']``)."""
    w = words(column)
    if len(w) > 1 and w[-1] in KEY_WORDS:
        w = w[:-1]
    if prefix and len(w) > 1 and w[0] == prefix:
        w = w[1:]
    return w


def noun(table: str) -> list[str]:
    """What a table holds, singular: ``store_sales`` → ``['store', 'sale']``, ``date_dim`` →
    ``['date']``, ``DimCustomer`` → ``['customer']``."""
    w = words(table)
    while len(w) > 1 and w[0] in TABLE_AFFIXES:
        w = w[1:]
    while len(w) > 1 and w[-1] in TABLE_AFFIXES:
        w = w[:-1]
    return [*w[:-1], singular(w[-1])] if w else w


def ends_with(name: list[str], tail: list[str]) -> bool:
    return bool(tail) and name[-len(tail):] == tail


def abbreviates(short: str, name: list[str]) -> bool:
    """``short`` is made of non-empty beginnings of the last words of ``name``, in order:
    ``addr`` of ``customer address``, ``cdemo`` of ``customer demographic``."""
    if len(short) < 3 or not name:
        return False

    def fits(rest: str, ws: list[str]) -> bool:
        if not rest:
            return not ws
        if not ws:
            return False
        head = ws[0]
        return any(rest.startswith(head[:k]) and fits(rest[k:], ws[1:])
                   for k in range(min(len(head), len(rest)), 0, -1))

    return any(fits(short, name[i:]) for i in range(len(name)))


def label(column: str, prefix: str) -> str:
    """A readable label: the column's words without the table prefix."""
    w = words(column)
    if prefix and len(w) > 1 and w[0] == prefix:
        w = w[1:]
    return " ".join(w) or column
