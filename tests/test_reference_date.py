"""The reference date: where it comes from, what the read-back says of it, and the warning when
the data ends before the window asked for (issue 11 §5).

A small store of 2002–2003 (as TPC-DS's, whose data ends on 2003-01-02): store sales dated
through a date dimension, web orders with a timestamp. Read with today's date, "the last 6
months" holds no sale at all.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from nl2seg.catalog.load import parse_catalog
from nl2seg.catalog.models import Catalog
from nl2seg.cli import main
from nl2seg.guard import prepare
from nl2seg.guard.warnings import GuardWarning
from nl2seg.readback import describe_reference
from nl2seg.reference import AsOf, latest_day, reference_of, resolve_as_of
from nl2seg.rule.nodes import (
    All,
    Attribute,
    DatesWindow,
    EventCondition,
    LastWindow,
    Not,
    Rule,
)
from nl2seg.windows import resolve

LAST_STORE_SALE = dt.date(2003, 1, 2)
LAST_WEB_ORDER = dt.date(2002, 12, 15)
TODAY = dt.date.today()
SIX_MONTHS = EventCondition(event="purchase", window=LastWindow(n=6, unit="month"),
                            phrase="ces 6 derniers mois")


def _labels(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


def catalog_data(reference: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "catalog": "shop2003", "version": "1",
        "entity": {"name": "customer", "table": "shop.customers", "key": "customer_id",
                   "label": _labels("customer", "client")},
        "sources": {"shop": {"label": _labels("shop", "magasin"),
                             "refresh": {"cadence": "daily"}}},
        "tables": {
            "shop.customers": {
                "source": "shop", "grain": "customer", "primary_key": ["customer_id"],
                "customer_key": "customer_id",
                "columns": {"customer_id": {"type": "BIGINT"},
                            "tier": {"type": "VARCHAR", "label": _labels("tier", "statut"),
                                     "values": [{"value": "gold"}, {"value": "basic"}]}},
            },
            "shop.date_dim": {
                "source": "shop", "grain": "lookup", "primary_key": ["d_date_sk"],
                "columns": {"d_date_sk": {"type": "BIGINT"}, "d_date": {"type": "DATE"}},
            },
            "shop.store_sales": {
                "source": "shop", "grain": "event", "customer_key": "customer_id",
                "columns": {"ticket": {"type": "BIGINT"}, "customer_id": {"type": "BIGINT"},
                            "sold_date_sk": {"type": "BIGINT"}},
            },
            "shop.web_orders": {
                "source": "shop", "grain": "event", "customer_key": "customer_id",
                "columns": {"order_id": {"type": "BIGINT"}, "customer_id": {"type": "BIGINT"},
                            "ordered_at": {"type": "TIMESTAMP"},
                            "status": {"type": "VARCHAR"}},
            },
        },
        "events": {"purchase": {
            "label": _labels("purchase", "achat"),
            "synonyms": {"en": ["bought", "purchased"], "fr": ["acheté", "achats"]},
            "sources": [
                {"name": "store", "table": "shop.store_sales", "key": "ticket",
                 "time": {"column": "d_date", "via": [
                     {"table": "shop.date_dim", "join_on": {"sold_date_sk": "d_date_sk"}}]}},
                {"name": "web", "table": "shop.web_orders", "key": "order_id",
                 "time": "ordered_at",
                 "where": [{"column": "status", "op": "eq", "value": "completed"}]},
            ],
        }},
    }
    if reference is not None:
        data["reference_date"] = reference
    return data


def load(reference: Any = None) -> Catalog:
    return parse_catalog(yaml.safe_dump(catalog_data(reference), allow_unicode=True),
                         origin="shop2003.yaml")


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Sales up to 2003-01-02 for known customers; later rows that must not count: an
    anonymous store sale and a cancelled web order."""
    con.execute("CREATE SCHEMA shop")
    con.execute("CREATE TABLE shop.customers (customer_id BIGINT, tier VARCHAR)")
    con.executemany("INSERT INTO shop.customers VALUES (?, ?)",
                    [(i, "gold" if i % 2 else "basic") for i in range(1, 7)])
    con.execute("CREATE TABLE shop.date_dim (d_date_sk BIGINT, d_date DATE)")
    days = [dt.date(2002, 3, 1), dt.date(2002, 9, 30), LAST_STORE_SALE, dt.date(2003, 3, 1)]
    con.executemany("INSERT INTO shop.date_dim VALUES (?, ?)", list(enumerate(days, 1)))
    con.execute("CREATE TABLE shop.store_sales (ticket BIGINT, customer_id BIGINT, "
                "sold_date_sk BIGINT)")
    con.executemany("INSERT INTO shop.store_sales VALUES (?, ?, ?)",
                    [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, None, 4)])
    con.execute("CREATE TABLE shop.web_orders (order_id BIGINT, customer_id BIGINT, "
                "ordered_at TIMESTAMP, status VARCHAR)")
    con.executemany("INSERT INTO shop.web_orders VALUES (?, ?, ?, ?)", [
        (1, 4, dt.datetime(2002, 6, 1, 10), "completed"),
        (2, 5, dt.datetime(LAST_WEB_ORDER.year, 12, 15, 18), "completed"),
        (3, 6, dt.datetime(2003, 2, 1, 9), "cancelled")])


@pytest.fixture()
def con() -> Any:
    c = duckdb.connect()
    fill(c)
    yield c
    c.close()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    """The database and the catalogs as files, for the command line."""
    db = tmp_path / "sales2003.duckdb"
    c = duckdb.connect(str(db))
    fill(c)
    c.close()
    out = {"db": db}
    for name, ref in (("none", None), ("latest", {"latest": "purchase", "source": "store"})):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(catalog_data(ref), allow_unicode=True), encoding="utf-8")
        out[name] = path
    return out


def codes(warnings: list[GuardWarning], code: str) -> list[GuardWarning]:
    return [w for w in warnings if w.code == code]


def start_of_six_months(day: dt.date) -> dt.date:
    start = resolve(LastWindow(n=6, unit="month"), day).start
    assert start is not None
    return start


TODAY_FR = (f"date de référence : aujourd'hui ({TODAY.isoformat()}), le catalogue n'en donne "
            "pas — passez --as-of AAAA-MM-JJ ou déclarez reference_date dans le catalogue")
TODAY_EN = (f"reference date: today ({TODAY.isoformat()}), the catalog gives none — pass "
            "--as-of YYYY-MM-DD or declare reference_date in the catalog")


# -- where the reference date comes from ----------------------------------------------------------
def test_the_latest_occurrence_counts_known_customers_and_fixed_filters_only(con: Any) -> None:
    """The anonymous sale of 2003-03-01 and the cancelled order of 2003-02-01 do not count."""
    cat = load()
    assert latest_day(cat, con, "purchase") == LAST_STORE_SALE
    assert latest_day(cat, con, "purchase", "web") == LAST_WEB_ORDER
    assert reference_of(load({"latest": "purchase", "source": "store"}), con) == AsOf(
        LAST_STORE_SALE, "data", "the latest purchase (store)")
    assert reference_of(load({"latest": "purchase", "source": "web"}), con).day == LAST_WEB_ORDER
    assert reference_of(load({"date": "2002-12-31"}), con) == AsOf(dt.date(2002, 12, 31),
                                                                    "stated")
    assert reference_of(load("shop.date_dim.d_date"), con) == AsOf(
        dt.date(2003, 3, 1), "data", "shop.date_dim.d_date")
    assert reference_of(load(), con) == AsOf(TODAY, "today")
    assert reference_of(load(), con, LAST_STORE_SALE) == AsOf(LAST_STORE_SALE, "explicit")


def test_without_a_database_a_stated_date_still_holds_and_a_computed_one_is_today() -> None:
    assert resolve_as_of(load({"date": "2002-12-31"})) == dt.date(2002, 12, 31)
    unread = reference_of(load({"latest": "purchase"}))
    assert unread == AsOf(TODAY, "today", "the latest purchase")
    assert describe_reference(unread, load({"latest": "purchase"}), "fr") == (
        f"date de référence : aujourd'hui ({TODAY.isoformat()}), faute d'avoir pu lire celle "
        "du catalogue, jour du dernier achat (pas de base de données, ou aucune valeur) — "
        "passez --as-of AAAA-MM-JJ")


# -- what the read-back's assumptions say -------------------------------------------------------
def test_the_assumption_says_where_the_date_comes_from() -> None:
    rule = Rule(where=SIX_MONTHS)
    latest = load({"latest": "purchase", "source": "store"})
    store = AsOf(LAST_STORE_SALE, "data", "the latest purchase (store)")
    assert describe_reference(store, latest, "fr", rule) == (
        "date de référence : 2003-01-02, jour du dernier achat (store)")
    assert describe_reference(store, latest, "en", rule) == (
        "reference date: 2003-01-02, the day of the latest purchase (store)")
    assert describe_reference(AsOf(TODAY, "today"), load(), "fr", rule) == TODAY_FR
    assert describe_reference(AsOf(TODAY, "today"), load(), "en", rule) == TODAY_EN
    assert describe_reference(AsOf(dt.date(2002, 12, 31), "stated"), load(
        {"date": "2002-12-31"}), "en", rule) == "reference date: 2002-12-31, stated by the catalog"
    assert describe_reference(AsOf(LAST_STORE_SALE, "explicit"), load(), "fr", rule) is None


def test_no_assumption_for_a_rule_that_does_not_depend_on_the_date() -> None:
    """A reviewer needs the line when a window is counted back from the date (or an age is
    taken at it); on a rule of profile fields, fixed dates or all history it is noise."""
    today = AsOf(TODAY, "today")
    gold = Attribute(field="shop.customers.tier", op="eq", value="gold")
    for where in (gold, EventCondition(event="purchase"), EventCondition(
            event="purchase", window=DatesWindow(since=dt.date(2002, 1, 1),
                                                 before=dt.date(2003, 1, 1)))):
        assert describe_reference(today, load(), "fr", Rule(where=where)) is None
    assert describe_reference(today, load(), "fr", Rule(where=All(conditions=[
        gold, Not(condition=SIX_MONTHS)]))) == TODAY_FR


# -- the guard ------------------------------------------------------------------------------------
def test_today_on_data_ending_in_2003_says_so_and_warns(con: Any) -> None:
    cat = load()
    day = resolve_as_of(cat, con)
    start = start_of_six_months(TODAY).isoformat()
    fr = prepare(Rule(where=SIX_MONTHS), cat, day, con, lang="fr")
    [note] = codes(fr.warnings, "reference_date")
    assert (note.severity, note.title, note.explanation) == ("info", "Date de référence",
                                                             TODAY_FR)
    [stale] = codes(fr.warnings, "stale_data")
    assert stale.severity == "warning" and stale.needs_ack
    assert stale.title == "Données plus anciennes que la période"
    assert stale.explanation == (
        f"« ces 6 derniers mois » : la période commence le {start}, mais le dernier achat des "
        "données date du 2003-01-02 : la période n'en contient aucun, quel que soit le client. "
        "Les données s'arrêtent-elles là ? Passez --as-of 2003-01-02, ou déclarez "
        "reference_date dans le catalogue (par ex. {latest: purchase}).")
    assert stale.data == {"event": "purchase", "window_start": start, "latest": "2003-01-02",
                          "as_of": TODAY.isoformat()}
    assert fr.preview.count == 0 and codes(fr.warnings, "volume_empty")

    en = prepare(Rule(where=SIX_MONTHS), cat, day, con, lang="en")
    assert [w.explanation for w in codes(en.warnings, "reference_date")] == [TODAY_EN]
    [stale_en] = codes(en.warnings, "stale_data")
    assert stale_en.title == "Data older than the window"
    assert stale_en.explanation == (
        f"\"ces 6 derniers mois\": the window starts on {start}, but the latest purchase in "
        "the data is on 2003-01-02: the window holds none, whoever the customer. Does the data "
        "stop there? Pass --as-of 2003-01-02, or declare reference_date in the catalog (e.g. "
        "{latest: purchase}).")


def test_a_negated_window_selects_everybody_and_only_the_warning_shows_why(con: Any) -> None:
    """"No purchase in the last 6 months" on stale data is the whole base: no empty-audience
    warning catches it, stale_data does."""
    p = prepare(Rule(where=Not(condition=SIX_MONTHS)), load(), resolve_as_of(load(), con), con)
    assert p.preview.count == p.preview.base == 6
    assert codes(p.warnings, "stale_data") and not codes(p.warnings, "volume_empty")


def test_a_reference_date_from_the_latest_purchase_gives_no_warning(con: Any) -> None:
    cat = load({"latest": "purchase", "source": "store"})
    day = resolve_as_of(cat, con)
    assert day == LAST_STORE_SALE
    p = prepare(Rule(where=SIX_MONTHS), cat, day, con, lang="en")
    assert not codes(p.warnings, "stale_data")
    assert [w.explanation for w in codes(p.warnings, "reference_date")] == [
        "reference date: 2003-01-02, the day of the latest purchase (store)"]
    assert p.preview.count == 3  # customers 2 and 3 in store, 5 on the web (since 2002-07-03)


def test_an_explicit_date_has_no_assumption_and_a_window_after_the_data_still_warns(
        con: Any) -> None:
    cat = load()
    p = prepare(Rule(where=SIX_MONTHS), cat, LAST_STORE_SALE, con)
    assert not codes(p.warnings, "reference_date") and not codes(p.warnings, "stale_data")
    since_2010 = EventCondition(event="purchase", window=DatesWindow(since=dt.date(2010, 1, 1)))
    late = prepare(Rule(where=since_2010), cat, dt.date(2012, 6, 30), con, lang="en")
    [stale] = codes(late.warnings, "stale_data")
    assert stale.data["window_start"] == "2010-01-01"
    assert stale.explanation.startswith("\"purchase\": the window starts on 2010-01-01, but ")


# -- the command line -------------------------------------------------------------------------------
def test_translate_and_preview_show_the_fallback_and_the_warning(files: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    common = ["--catalog", str(files["none"]), "--db", str(files["db"])]
    res = CliRunner().invoke(main, ["translate", "clients ayant acheté ces 6 derniers mois",
                                    *common])
    assert res.exit_code == 0, res.output
    assert f"  ~ {TODAY_FR}" in res.output.splitlines()
    res = CliRunner().invoke(main, ["translate", "clients ayant acheté ces 6 derniers mois",
                                    *common, "--format", "json"])
    data = json.loads(res.output)
    assert data["as_of_origin"] == "today" and data["assumptions"][-1] == TODAY_FR

    rule = tmp_path / "rule.json"
    rule.write_text(Rule(where=SIX_MONTHS).model_dump_json(), encoding="utf-8")
    res = CliRunner().invoke(main, ["preview", str(rule), *common, "--sample", "0"])
    assert res.exit_code == 0, res.output
    assert f"  ~ {TODAY_FR}" in res.output.splitlines()
    assert "! Données plus anciennes que la période: « ces 6 derniers mois » : la période " \
           f"commence le {start_of_six_months(TODAY).isoformat()}, mais le dernier achat des " \
           "données date du 2003-01-02" in res.output


def test_an_explicit_as_of_or_a_computed_date_prints_no_fallback(files: dict[str, Path]) -> None:
    request = "customers who bought in the last 6 months"
    explicit = CliRunner().invoke(main, ["translate", request, "--catalog", str(files["none"]),
                                         "--db", str(files["db"]), "--as-of", "2003-01-02"])
    assert explicit.exit_code == 0, explicit.output
    assert "reference date" not in explicit.output and "today" not in explicit.output
    computed = CliRunner().invoke(main, ["translate", request, "--catalog",
                                         str(files["latest"]), "--db", str(files["db"])])
    assert computed.exit_code == 0, computed.output
    assert "  ~ reference date: 2003-01-02, the day of the latest purchase (store)" in \
        computed.output.splitlines()


# -- the app --------------------------------------------------------------------------------------
def test_the_app_lists_the_fallback_with_the_assumptions_and_warns(
        files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NL2SEG_DB", str(files["db"]))
    monkeypatch.setenv("NL2SEG_CATALOG", str(files["none"]))
    monkeypatch.setenv("NL2SEG_STATE", str(tmp_path / "state.sqlite"))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.text_input(key="request_text").input("clients ayant acheté ces 6 derniers mois").run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown]
    assert any("date de référence : aujourd'hui" in m and "reference\\_date" in m
               for m in shown), shown
    warned = [w.value for w in at.warning]
    assert any(w.startswith("**Données plus anciennes que la période** — « ") and "le dernier "
               "achat des données date du 2003-01-02" in w for w in warned), warned


# -- the docs -------------------------------------------------------------------------------------
def test_the_catalog_doc_quotes_the_messages_as_they_are(con: Any) -> None:
    doc = " ".join((Path(__file__).parents[1] / "docs" / "catalog.md").read_text(
        encoding="utf-8").split())
    day = dt.date(2026, 5, 13)
    rule = Rule(where=SIX_MONTHS)
    for lang in ("fr", "en"):
        text = describe_reference(AsOf(day, "today"), load(), lang, rule)
        assert f"`{text}`" in doc, text
    store = describe_reference(AsOf(LAST_STORE_SALE, "data"), load(
        {"latest": "purchase", "source": "store"}), "en", rule)
    assert f"`{store}`" in doc
    stated = describe_reference(AsOf(LAST_STORE_SALE, "stated"), load({"date": "2003-01-02"}),
                                "en", rule)
    assert f"`{stated}`" in doc
    last = EventCondition(event="purchase", window=LastWindow(n=6, unit="month"),
                          phrase="last 6 months")
    p = prepare(Rule(where=last), load(), dt.date(2026, 12, 2), con, lang="en")
    [stale] = codes(p.warnings, "stale_data")
    assert f"`{stale.explanation}`" in doc
