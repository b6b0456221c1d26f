"""Marketing jargon (contract §8): each word of the trade is a catalog concept with one
definition, proved on a tiny dataset whose customers sit on the definitions' boundaries.

as_of = 2026-06-30, so "now" ends at 2026-07-01 00:00; the last 12 months start on 2025-07-01,
the last 30 days on 2026-06-01, the last 6 months on 2026-01-01. The expected audiences are
written by hand per customer and checked again by a plain-Python oracle over the same rows.

==== ==========================================================================================
id   purchases (S = in store, O = completed online order; X = cancelled order, never counts)
==== ==========================================================================================
1    S 2025-08-01 50, S 2025-08-15 50: 2 purchases 11 months ago (repeat buyer)
2    S 2025-05-01 25, S 2025-05-20 25: 2 purchases 13 months ago (not repeat; win-back)
3    S 2025-07-01 00:00 30 (first instant of 12 months), O 2025-06-30 23:59:59 5000 (just out)
4    O 2026-06-15 40: the only purchase (one-time, first-time)
5    O 2026-03-01 60, X 2026-06-01 9000: exactly one purchase
6    S 2026-06-01 00:00 20 (first instant of 30 days, first ever), O 2026-06-20 20: omnichannel
7    S 2026-05-31 23:59:59 10 (first ever, just before 30 days), S 2026-06-10 10
8    S 2025-12-01 200, S 2026-02-01 100: store only (not omnichannel); spend 300
9    O 2026-04-01 300: online only; spend 300
10   S 2026-01-10 100, O 2026-03-10 100: omnichannel over 12 months, not over 3
11   S 2025-09-01 80, O 2024-12-01 70 (online out of 12 months): not omnichannel
12   never bought
13   S 2026-07-01 00:00 500: after as_of only, so never bought
14   S 2024-03-01 90: inactive (win-back)
15   S 2025-10-01 300: spend 300, tied with 8 and 9 at the 90th percentile
16   X 2026-05-01 50, O 2026-06-05 10: first purchase in the last 30 days
17   S 2025-11-01 299.99: one cent below the 90th percentile
==== ==========================================================================================

Plus orphan tickets (customers 998 and 999, not in crm.customers) and an anonymous ticket of
10,000 € each in June 2026: they would lift the 90th percentile above every known customer if
they counted among "the customers who bought".
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest_schema import create_demo_schema

from nl2seg.catalog import DEMO_CATALOG, load_catalog, parse_catalog
from nl2seg.compile import compile_rule
from nl2seg.concepts import concept_condition, concept_notes, concept_problems
from nl2seg.errors import CatalogError
from nl2seg.readback import describe_condition, read_back
from nl2seg.rule import CalendarWindow, EventCondition, LastWindow, Rule, Window
from nl2seg.validate import parse_rule, validate

CAT = load_catalog(DEMO_CATALOG)
AS_OF = dt.date(2026, 6, 30)
END = dt.datetime(2026, 7, 1)


def ts(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss)


# (customer, channel, at, amount, status) — status 'completed' for every in-store ticket
SALES: list[tuple[int | None, str, dt.datetime, str, str]] = [
    (1, "store", ts(2025, 8, 1), "50", "completed"),
    (1, "store", ts(2025, 8, 15), "50", "completed"),
    (2, "store", ts(2025, 5, 1), "25", "completed"),
    (2, "store", ts(2025, 5, 20), "25", "completed"),
    (3, "store", ts(2025, 7, 1), "30", "completed"),
    (3, "online", ts(2025, 6, 30, 23, 59, 59), "5000", "completed"),
    (4, "online", ts(2026, 6, 15), "40", "completed"),
    (5, "online", ts(2026, 3, 1), "60", "completed"),
    (5, "online", ts(2026, 6, 1), "9000", "cancelled"),
    (6, "store", ts(2026, 6, 1), "20", "completed"),
    (6, "online", ts(2026, 6, 20), "20", "completed"),
    (7, "store", ts(2026, 5, 31, 23, 59, 59), "10", "completed"),
    (7, "store", ts(2026, 6, 10), "10", "completed"),
    (8, "store", ts(2025, 12, 1), "200", "completed"),
    (8, "store", ts(2026, 2, 1), "100", "completed"),
    (9, "online", ts(2026, 4, 1), "300", "completed"),
    (10, "store", ts(2026, 1, 10), "100", "completed"),
    (10, "online", ts(2026, 3, 10), "100", "completed"),
    (11, "store", ts(2025, 9, 1), "80", "completed"),
    (11, "online", ts(2024, 12, 1), "70", "completed"),
    (13, "store", ts(2026, 7, 1), "500", "completed"),
    (14, "store", ts(2024, 3, 1), "90", "completed"),
    (15, "store", ts(2025, 10, 1), "300", "completed"),
    (16, "online", ts(2026, 5, 1), "50", "cancelled"),
    (16, "online", ts(2026, 6, 5), "10", "completed"),
    (17, "store", ts(2025, 11, 1), "299.99", "completed"),
    (998, "store", ts(2026, 6, 1), "10000", "completed"),
    (999, "store", ts(2026, 6, 2), "10000", "completed"),
    (None, "store", ts(2026, 6, 3), "10000", "completed"),
]
CUSTOMERS = list(range(1, 18))


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    create_demo_schema(c)
    c.execute("INSERT INTO meta.dataset VALUES (?, 0, ?)", [AS_OF, len(CUSTOMERS)])
    c.executemany("INSERT INTO crm.customers (customer_id, city, country) VALUES (?, 'Paris', "
                  "'FR')", [(i,) for i in CUSTOMERS])
    c.execute("INSERT INTO pos.stores VALUES (1, 'Paris Rivoli', 'Paris', 'Île-de-France', "
              "'flagship', DATE '2010-01-01')")
    for i, (cid, channel, at, amount, status) in enumerate(SALES, start=1):
        if channel == "store":
            c.execute("INSERT INTO pos.transactions VALUES (?, ?, 1, ?, ?, 1)",
                      [i, cid, at, Decimal(amount)])
        else:
            c.execute("INSERT INTO ecom.orders VALUES (?, ?, ?, ?, 'desktop', ?, NULL)",
                      [i, cid, at, Decimal(amount), status])
    return c


def audience(con: duckdb.DuckDBPyConnection, name: str, window: Window | None = None) -> set[int]:
    rule = Rule(where=concept_condition(CAT, name, window))
    sql = compile_rule(validate(rule, CAT, AS_OF)).sql()
    return {row[0] for row in con.execute(sql).fetchall()}


# --- the oracle: plain Python over SALES --------------------------------------------------


def purchases(start: dt.date | None = None, channel: str | None = None
              ) -> dict[int, list[Decimal]]:
    """Amounts of each known customer's purchases from ``start`` (None: ever) to as_of."""
    out: dict[int, list[Decimal]] = {}
    for cid, ch, at, amount, status in SALES:
        if cid not in CUSTOMERS or status != "completed" or at >= END:
            continue
        if start is not None and at < dt.datetime.combine(start, dt.time()):
            continue
        if channel is None or ch == channel:
            out.setdefault(cid, []).append(Decimal(amount))
    return out


def first_purchase() -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    for cid, _ch, at, _amount, status in SALES:
        if cid in CUSTOMERS and status == "completed" and at < END:
            out[cid] = min(at, out.get(cid, at))
    return out


def percentile_cont(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (SQL's PERCENTILE_CONT)."""
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = math.floor(h)
    return v[lo] + (h - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo])


def top_spenders(start: dt.date, percent: float) -> set[int]:
    spend = {c: float(sum(a)) for c, a in purchases(start).items()}
    threshold = percentile_cont(list(spend.values()), 1 - percent / 100)
    return {c for c, s in spend.items() if s >= threshold}


# --- each concept on the data --------------------------------------------------------------

Y12, D30, M6, M3 = dt.date(2025, 7, 1), dt.date(2026, 6, 1), dt.date(2026, 1, 1), \
    dt.date(2026, 4, 1)


def test_repeat_buyers_default_12_months(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "repeat_buyers")
    assert got == {1, 6, 7, 8, 10}  # 2 (13 months ago) and 3 (one just out) are not
    assert got == {c for c, a in purchases(Y12).items() if len(a) >= 2}


def test_repeat_buyers_a_given_window_replaces_the_12_months(
        con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "repeat_buyers", LastWindow(n=6, unit="month"))
    assert got == {6, 7, 10} == {c for c, a in purchases(M6).items() if len(a) >= 2}


def test_one_time_buyers_exactly_one_purchase_ever(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "one_time_buyers")
    # 5's cancelled order and 13's purchase after as_of do not count
    assert got == {4, 5, 9, 14, 15, 16, 17}
    assert got == {c for c, a in purchases().items() if len(a) == 1}


def test_one_time_buyers_in_a_given_window(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "one_time_buyers", CalendarWindow(unit="year"))
    assert got == {4, 5, 8, 9, 16} == {c for c, a in purchases(M6).items() if len(a) == 1}


def test_first_time_buyers_default_30_days(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "first_time_buyers")
    assert got == {4, 6, 16}  # 7's first purchase is one second before the window
    start = dt.datetime.combine(D30, dt.time())
    assert got == {c for c, at in first_purchase().items() if at >= start}


def test_first_time_buyers_a_given_window_replaces_the_30_days(
        con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "first_time_buyers", LastWindow(n=6, unit="month"))
    start = dt.datetime.combine(M6, dt.time())
    assert got == {4, 5, 6, 7, 9, 10, 16}
    assert got == {c for c, at in first_purchase().items() if at >= start}


def test_omnichannel_store_and_online_in_12_months(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "omnichannel")
    assert got == {6, 10}  # 8 store only, 9 online only, 3 and 11 online out of the window
    assert got == set(purchases(Y12, "store")) & set(purchases(Y12, "online"))


def test_omnichannel_a_given_window_replaces_the_12_months(
        con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "omnichannel", LastWindow(n=3, unit="month"))
    assert got == {6} == set(purchases(M3, "store")) & set(purchases(M3, "online"))


def test_big_spenders_top_10_percent_of_buyers_ties_included(
        con: duckdb.DuckDBPyConnection) -> None:
    # 13 buyers in 12 months: PERCENTILE_CONT(0.9) = sorted[10.8] = 300 (8, 9 and 15 hold it);
    # 17 is one cent below; the orphan and anonymous 10,000 € tickets are not customers.
    got = audience(con, "big_spenders")
    assert got == {8, 9, 15} == top_spenders(Y12, 10)


def test_big_spenders_a_given_window_replaces_the_12_months(
        con: duckdb.DuckDBPyConnection) -> None:
    # 8 buyers in 6 months: the percentile interpolates, 200 + 0.3 × (300 − 200) = 230
    got = audience(con, "big_spenders", LastWindow(n=6, unit="month"))
    assert got == {9} == top_spenders(M6, 10)


def test_top_percent_of_a_count(con: duckdb.DuckDBPyConnection) -> None:
    node = EventCondition(event="purchase", aggregate="count", op="top_percent", value=40,
                          window=LastWindow(n=12, unit="month"))
    sql = compile_rule(validate(Rule(where=node), CAT, AS_OF)).sql()
    got = {r[0] for r in con.execute(sql).fetchall()}
    counts = {c: float(len(a)) for c, a in purchases(Y12).items()}
    threshold = percentile_cont(list(counts.values()), 0.6)  # 1.2
    assert got == {1, 6, 7, 8, 10} == {c for c, n in counts.items() if n >= threshold}


def test_win_back_is_inactive_customers(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "win_back")
    assert got == {2, 14}  # 12 never bought, 13 only after as_of
    assert got == set(purchases()) - set(purchases(Y12))


def test_win_back_a_given_window_replaces_the_12_months(con: duckdb.DuckDBPyConnection) -> None:
    got = audience(con, "win_back", LastWindow(n=6, unit="month"))
    assert got == {1, 2, 3, 11, 14, 15, 17} == set(purchases()) - set(purchases(M6))


def test_churners_are_the_high_churn_level_words() -> None:
    """One definition: the words sit on the score's level, not in a second concept."""
    col = CAT.column("crm.scores.churn_score")
    assert col.levels is not None
    high = col.levels["high"]
    assert (high.op, high.value) == ("gt", 0.8)
    assert {"churners", "likely to churn"} <= set(high.words.en)
    assert {"à risque de départ", "churners"} <= set(high.words.fr)


def test_aov_and_revenue_are_measures_of_the_purchase_amount() -> None:
    measures = CAT.events["purchase"].properties["amount"].measures
    assert measures is not None
    aov, revenue = measures["average_order_value"], measures["revenue"]
    assert aov.aggregate == "avg" and revenue.aggregate == "sum"
    assert {"AOV", "average order value"} <= set(aov.words.en)
    assert {"ticket moyen", "panier moyen"} <= set(aov.words.fr)
    assert {"revenue", "turnover"} <= set(revenue.words.en)
    assert {"chiffre d'affaires", "CA"} <= set(revenue.words.fr)


# --- what the reviewer reads ----------------------------------------------------------------


def test_every_concept_has_a_definition_line_in_both_languages() -> None:
    for name in CAT.concepts:
        fr, = concept_notes(CAT, [name], "fr")
        en, = concept_notes(CAT, [name], "en")
        assert fr.startswith(CAT.concepts[name].label.fr + " : ")
        assert en.startswith(CAT.concepts[name].label.en + ": ")


def test_definition_lines_say_the_contract() -> None:
    assert concept_notes(CAT, ["repeat_buyers", "big_spenders", "repeat_buyers"], "fr") == [
        "clients réguliers : au moins 2 achats sur la période (par défaut les 12 derniers mois)",
        "gros acheteurs : dépense sur la période parmi les 10 % les plus fortes des clients "
        "ayant acheté sur cette période (au moins le 90e percentile de leurs dépenses ; par "
        "défaut les 12 derniers mois)",
    ]
    assert concept_notes(CAT, ["one_time_buyers", "win_back"], "en") == [
        "one-time buyers: exactly 1 purchase over all history (or in the window given)",
        "win-back targets: inactive customers, i.e. at least one purchase ever and none in "
        "the window (by default the last 12 months)",
    ]


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "Clients dans les 10 % de clients ayant le plus dépensé sur les achats entre le "
           "1er juillet 2025 et le 30 juin 2026 inclus."),
    ("en", "Customers in the top 10% of customers by total spend on purchases between "
           "1 July 2025 and 30 June 2026 inclusive."),
])
def test_big_spenders_read_back(lang: str, text: str) -> None:
    rule = Rule(where=concept_condition(CAT, "big_spenders", None))
    assert read_back(rule, CAT, AS_OF, lang) == text  # type: ignore[arg-type]


def test_read_back_of_the_other_concepts() -> None:
    def fr(name: str, window: Window | None = None) -> str:
        return read_back(Rule(where=concept_condition(CAT, name, window)), CAT, AS_OF, "fr")

    assert fr("repeat_buyers") == ("Clients ayant au moins 2 achats entre le 1er juillet 2025 "
                                   "et le 30 juin 2026 inclus.")
    assert fr("first_time_buyers") == ("Clients dont le premier achat a eu lieu entre le 1er "
                                       "juin 2026 et le 30 juin 2026 inclus.")
    assert fr("one_time_buyers") == ("Clients ayant exactement 1 achat depuis toujours "
                                     "(jusqu'au 30 juin 2026).")
    assert fr("omnichannel", LastWindow(n=3, unit="month")) == (
        "Clients ayant au moins un achat en magasin entre le 1er avril 2026 et le 30 juin 2026 "
        "inclus et ayant au moins un achat en ligne entre le 1er avril 2026 et le 30 juin 2026 "
        "inclus.")
    assert fr("win_back") == ("Clients ayant au moins un achat depuis toujours (jusqu'au 30 "
                              "juin 2026) et n'ayant aucun achat entre le 1er juillet 2025 et "
                              "le 30 juin 2026 inclus.")


@pytest.mark.parametrize(("node", "fr", "en"), [
    (EventCondition(event="purchase", aggregate="count", op="top_percent", value=25,
                    window=LastWindow(n=1, unit="year")),
     "dans les 25 % de clients ayant le plus d'achats entre le 1er juillet 2025 et le 30 juin "
     "2026 inclus",
     "in the top 25% of customers by number of purchases between 1 July 2025 and 30 June 2026 "
     "inclusive"),
    (EventCondition(event="purchase", aggregate="avg", property="amount", op="top_percent",
                    value=12.5),
     "dans les 12,5 % de clients ayant le montant moyen le plus élevé par achat depuis "
     "toujours (jusqu'au 30 juin 2026)",
     "in the top 12.5% of customers by average amount per purchase ever (up to 30 June 2026)"),
    (EventCondition(event="support_ticket", aggregate="max", property="satisfaction",
                    op="top_percent", value=10),
     "dans les 10 % de clients ayant la satisfaction maximum la plus élevée sur les tickets "
     "SAV depuis toujours (jusqu'au 30 juin 2026)",
     "in the top 10% of customers by maximum satisfaction across support tickets ever (up to "
     "30 June 2026)"),
])
def test_top_percent_of_other_aggregates_reads_back(node: EventCondition, fr: str,
                                                     en: str) -> None:
    assert describe_condition(node, CAT, AS_OF, "fr") == fr
    assert describe_condition(node, CAT, AS_OF, "en") == en


# --- the AST and the validator ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    {"op": "top_percent", "value": 0},
    {"op": "top_percent", "value": 100},
    {"op": "top_percent", "values": [10, 20]},
])
def test_top_percent_needs_a_percentage(bad: dict[str, object]) -> None:
    from nl2seg.errors import RuleValidationError

    data = {"kind": "event", "event": "purchase", "aggregate": "sum", "property": "amount", **bad}
    with pytest.raises(RuleValidationError):
        parse_rule({"where": data})


def test_top_percent_of_exists_is_refused() -> None:
    from nl2seg.errors import RuleValidationError

    with pytest.raises(RuleValidationError, match="takes no 'op'"):
        parse_rule({"where": {"kind": "event", "event": "purchase", "op": "top_percent",
                              "value": 10}})


def test_top_percent_of_a_count_is_not_checked_as_a_count_threshold() -> None:
    node = EventCondition(event="purchase", aggregate="count", op="top_percent", value=2.5)
    validate(Rule(where=node), CAT, AS_OF)  # 2.5 is a percentage, not a count


# --- a company's own concepts: the loader checks them ------------------------------------------


def _with_concept(concept: dict[str, object]) -> str:
    import json

    data = CAT.model_dump(mode="json", exclude_none=True)
    data["concepts"] = {"vip_buyers": concept}
    return json.dumps(data)


GOOD = {"label": {"en": "VIP buyers", "fr": "acheteurs VIP"},
        "definition": {"en": "VIPs with a purchase in the window", "fr": "VIP ayant acheté"},
        "words": {"en": ["VIP buyers"], "fr": ["acheteurs VIP"]},
        "default_window": {"kind": "last", "n": 3, "unit": "month"},
        "conditions": [{"kind": "attribute", "field": "crm.customers.loyalty_tier", "op": "eq",
                        "value": "vip"},
                       {"kind": "event", "event": "purchase", "window": "$window"}]}


def test_a_company_concept_loads_and_compiles() -> None:
    cat = parse_catalog(_with_concept(GOOD))
    node = concept_condition(cat, "vip_buyers", None)
    validate(Rule(where=node), cat, AS_OF)
    assert concept_notes(cat, ["vip_buyers"], "fr") == ["acheteurs VIP : VIP ayant acheté"]


@pytest.mark.parametrize(("change", "message"), [
    ({"conditions": [{"kind": "event", "event": "purchses", "window": "$window"}]},
     "concepts.vip_buyers.conditions[0].event: unknown event 'purchses' — did you mean "
     "'purchase'?"),
    ({"conditions": [{"kind": "event", "event": "purchase", "aggregate": "sum",
                      "property": "amout", "op": "gt", "value": 5}]},
     "concepts.vip_buyers.conditions[0].property: unknown property 'amout' of event 'purchase'"),
    ({"conditions": [{"kind": "attribute", "field": "crm.customers.tier", "op": "eq",
                      "value": "vip"}]},
     "concepts.vip_buyers.conditions[0].field: unknown column 'tier' in crm.customers"),
    ({"conditions": [{"kind": "event", "event": "purchase", "aggregate": "sum",
                      "window": "$window"}]},
     "concepts.vip_buyers.conditions[0]: aggregate 'sum' needs the 'property'"),
    ({"default_window": {"kind": "last", "n": 0, "unit": "month"}},
     "concepts.vip_buyers.default_window: n: Input should be greater than or equal to 1"),
    ({"definition": None}, "concepts.vip_buyers: add a 'definition: {en: …, fr: …}'"),
    ({"words": {"en": [], "fr": []}}, "concepts.vip_buyers: add 'words'"),
])
def test_a_broken_concept_is_a_catalog_error_saying_where_and_what_to_do(
        change: dict[str, object], message: str) -> None:
    concept = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(CatalogError) as err:
        parse_catalog(_with_concept(concept), "mine.yaml")
    assert err.value.code == "catalog_concept"
    text = str(err.value)
    assert text.startswith("mine.yaml defines invalid concepts:")
    assert message in text, text
    assert text.endswith('Fix them in the catalog: see docs/catalog.md, "Concepts".')


def test_the_demo_catalog_concepts_have_no_problem() -> None:
    assert concept_problems(CAT) == []


def test_a_measure_on_text_is_a_catalog_error() -> None:
    import json

    data = CAT.model_dump(mode="json", exclude_none=True)
    data["events"]["purchase"]["properties"]["channel"]["measures"] = {
        "x": {"aggregate": "sum", "label": {"en": "x", "fr": "x"}}}
    with pytest.raises(CatalogError, match=r"channel\.measures: only a number can be aggregated"):
        parse_catalog(json.dumps(data))


def test_docs_show_how_to_add_a_concept() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert "definition:" in doc and "top_percent" in doc and "measures:" in doc


# --- the local translator uses the words and shows the definition ---------------------------


@pytest.mark.parametrize(("request_", "name", "window"), [
    ("clients réguliers", "repeat_buyers", None),
    ("repeat customers in the last 6 months", "repeat_buyers", LastWindow(n=6, unit="month")),
    ("réacheteurs", "repeat_buyers", None),
    ("acheteurs uniques", "one_time_buyers", None),
    ("single-purchase customers", "one_time_buyers", None),
    ("primo-acheteurs", "first_time_buyers", None),
    ("new buyers this year", "first_time_buyers", CalendarWindow(unit="year")),
    ("clients omnicanaux", "omnichannel", None),
    ("multichannel shoppers", "omnichannel", None),
    ("gros acheteurs sur les 6 derniers mois", "big_spenders", LastWindow(n=6, unit="month")),
    ("top spenders", "big_spenders", None),
    ("clients à réactiver", "win_back", None),
    ("win-back targets", "win_back", None),
])
def test_local_translator_reads_the_jargon(request_: str, name: str,
                                           window: Window | None) -> None:
    from nl2seg.rule import canonical
    from nl2seg.translate import translate_local

    t = translate_local(request_, CAT, AS_OF)
    assert t.rule is not None, t.refusal_reason
    assert canonical(t.rule) == canonical(Rule(where=concept_condition(CAT, name, window)))
    assert concept_notes(CAT, [name], t.lang)[0] in t.assumptions


@pytest.mark.parametrize("request_", ["churners", "clients à risque de départ"])
def test_local_translator_reads_churners_as_the_high_churn_level(request_: str) -> None:
    from nl2seg.translate import translate_local

    t = translate_local(request_, CAT, AS_OF)
    assert t.rule is not None, t.refusal_reason
    where = t.rule.where
    assert (where.kind, getattr(where, "field", None), getattr(where, "op", None),
            getattr(where, "value", None)) == ("score", "crm.scores.churn_score", "gt", 0.8)
