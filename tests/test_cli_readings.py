"""`translate`, `preview` and `approve` with several readings of one request, and refusals with
suggestions and a partial reading.

The translator is faked with hand-made translations (the local one does not give readings
yet); every size is checked against direct SQL on the session's demo database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

import nl2seg.translate.choose as choose_module
from nl2seg.catalog import load_catalog
from nl2seg.cli import EXAMPLE_RULE, main
from nl2seg.guard import StateStore, check_approval
from nl2seg.guard.approval import latest_approval
from nl2seg.rule import All, Attribute, EventCondition, PropertyFilter, Rule
from nl2seg.rule.canonical import fingerprint
from nl2seg.translate.result import Reading, Suggestion, Translation

REQUEST = "clients VIP de Paris qui ont acheté en magasin"
VIP = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", phrase="clients VIP")
IN_STORE = PropertyFilter(property="channel", op="eq", value="store", phrase="en magasin")
HOME = Rule(request=REQUEST, where=All(conditions=[
    VIP, Attribute(field="crm.customers.city", op="eq", value="Paris", phrase="de Paris"),
    EventCondition(event="purchase", phrase="ont acheté en magasin", filters=[IN_STORE])]))
STORE = Rule(request=REQUEST, where=All(conditions=[VIP, EventCondition(
    event="purchase", phrase="ont acheté en magasin", filters=[
        IN_STORE, PropertyFilter(property="store_city", op="eq", value="Paris",
                                 phrase="de Paris")])]))
WHY = "« de Paris » : la ville du magasin plutôt que celle du client"
TWO_READINGS = Translation(rule=HOME, lang="fr", alternatives=[Reading(rule=STORE, why=WHY)])

HOME_SQL = ("SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' AND city = 'Paris' "
            "AND customer_id IN (SELECT customer_id FROM pos.transactions)")
STORE_SQL = ("SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' AND customer_id IN "
             "(SELECT t.customer_id FROM pos.transactions t JOIN pos.stores s USING (store_id) "
             "WHERE s.city = 'Paris')")

HOME_FR = ("Clients avec niveau de fidélité : VIP, avec ville : Paris et ayant au moins un achat "
           "en magasin depuis toujours (jusqu'au 30 juin 2026)")
STORE_FR = ("Clients avec niveau de fidélité : VIP et ayant au moins un achat en magasin (ville "
            "du magasin : Paris) depuis toujours (jusqu'au 30 juin 2026)")
HOME_EN = ("Customers with loyalty tier: VIP, with city: Paris and with at least one purchase in "
           "store ever (up to 30 June 2026)")
STORE_EN = ("Customers with loyalty tier: VIP and with at least one purchase in store (store "
            "city: Paris) ever (up to 30 June 2026)")

REFUSED = Translation(
    refused=True, lang="fr", refusal_reason="je ne sais pas ce que signifie « dépence »",
    unmapped=["dépence"],
    suggestions=[Suggestion(word="dépence", candidates=["dépense", "panier moyen"])],
    partial=Rule(request="clients VIP avec une grosse dépence", where=VIP))


@pytest.fixture()
def translated(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the local translator answer ``translated.answer`` whatever the request."""
    class Fake:
        answer = TWO_READINGS

    monkeypatch.setattr(choose_module, "translate_local", lambda *a, **k: Fake.answer)
    return Fake


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--translator", "local"])


def sizes(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    home, store = (int(con.execute(q).fetchall()[0][0]) for q in (HOME_SQL, STORE_SQL))
    assert home != store and home > 0 and store > 0  # the two readings really differ
    return home, store


def n_fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


# -- translate ------------------------------------------------------------------------------

def test_translate_lists_every_reading_with_its_size(translated: Any, demo_db: Path,
                                                     demo_con: duckdb.DuckDBPyConnection) -> None:
    home, store = sizes(demo_con)
    res = run("translate", REQUEST, "--db", str(demo_db))
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-4:] == [
        f"Lecture 1 (retenue) : {HOME_FR} — {n_fr(home)} clients",
        f"Lecture 2 : {STORE_FR} — {n_fr(store)} clients",
        f"    {WHY}",
        "Choisissez une lecture avec --reading N.",
    ]


def test_translate_without_a_database_lists_the_read_backs_only(translated: Any,
                                                                 tmp_path: Path) -> None:
    res = run("translate", REQUEST, "--db", str(tmp_path / "none.duckdb"), "--as-of",
              "2026-06-30", "--reading", "2")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == STORE_FR + "."  # the rule is reading 2
    assert lines[-4:] == [f"Lecture 1 : {HOME_FR}.", f"Lecture 2 (retenue) : {STORE_FR}.",
                          f"    {WHY}", "Choisissez une lecture avec --reading N."]


def test_translate_json_has_the_alternatives_and_their_sizes(
        translated: Any, demo_db: Path, tmp_path: Path,
        demo_con: duckdb.DuckDBPyConnection) -> None:
    home, store = sizes(demo_con)
    data = json.loads(run("translate", REQUEST, "--db", str(demo_db), "--format",
                          "json").stdout)
    assert data["reading"] == 1 and data["rule"]["where"] == json.loads(
        HOME.model_dump_json(exclude_none=True))["where"]
    assert data["readback"] == HOME_FR + "." and "sql" in data and "as_of" in data
    assert data["alternatives"] == [{"index": 2, "readback": STORE_FR + ".", "why": WHY,
                                     "rule": STORE.model_dump(mode="json", exclude_none=True),
                                     "count": store}]
    second = json.loads(run("translate", REQUEST, "--db", str(demo_db), "--format", "json",
                            "--reading", "2").stdout)
    assert fingerprint(Rule.model_validate(second["rule"])) == fingerprint(STORE)
    assert [(a["index"], a["why"], a["count"]) for a in second["alternatives"]] == [
        (1, None, home)]
    offline = json.loads(run("translate", REQUEST, "--db", str(tmp_path / "none.duckdb"),
                             "--as-of", "2026-06-30", "--format", "json").stdout)
    assert [a["count"] for a in offline["alternatives"]] == [None]


def test_a_single_reading_lists_nothing(translated: Any, demo_db: Path) -> None:
    translated.answer = Translation(rule=HOME, lang="fr")
    res = run("translate", REQUEST, "--db", str(demo_db))
    assert res.exit_code == 0 and "Lecture" not in res.output and "--reading" not in res.output
    data = json.loads(run("translate", REQUEST, "--db", str(demo_db), "--format",
                          "json").stdout)
    assert data["alternatives"] == [] and data["reading"] == 1


# -- --reading N out of range -----------------------------------------------------------------

@pytest.mark.parametrize("command", [["translate"], ["preview"],
                                     ["approve", "--name", "a", "--by", "bob"]])
def test_a_reading_the_request_does_not_have_is_one_line_and_exit_2(
        translated: Any, demo_db: Path, tmp_path: Path, command: list[str]) -> None:
    state = tmp_path / "s.sqlite"
    res = run(command[0], REQUEST, *command[1:], "--db", str(demo_db), "--reading", "3",
              *(["--state", str(state)] if command[0] == "approve" else []))
    assert res.exit_code == 2
    assert res.output == ("error [unknown_reading]: reading 3 does not exist: this request has "
                          "2 reading(s); use --reading 1 to 2\n")
    if command[0] == "approve":
        with StateStore(state) as s:
            assert latest_approval(s, "a") is None


def test_a_rule_file_has_one_reading(demo_db: Path) -> None:
    res = CliRunner().invoke(main, ["preview", str(EXAMPLE_RULE), "--db", str(demo_db),
                                    "--reading", "2"])
    assert res.exit_code == 2
    assert res.output.startswith("error [unknown_reading]: reading 2 does not exist")


# -- preview ----------------------------------------------------------------------------------

def test_preview_reading_2_previews_the_second_rule(translated: Any, demo_db: Path,
                                                    demo_con: duckdb.DuckDBPyConnection) -> None:
    home, store = sizes(demo_con)
    first = json.loads(run("preview", REQUEST, "--db", str(demo_db), "--json").stdout)
    second = json.loads(run("preview", REQUEST, "--db", str(demo_db), "--json",
                            "--reading", "2").stdout)
    assert (first["count"], second["count"]) == (home, store)
    assert first["fingerprint"] == fingerprint(HOME)
    assert second["fingerprint"] == fingerprint(STORE) != first["fingerprint"]
    assert second["readback"] == STORE_FR + "." and second["reading"] == 2
    assert [(a["index"], a["count"]) for a in first["alternatives"]] == [(2, store)]
    assert [(a["index"], a["count"]) for a in second["alternatives"]] == [(1, home)]
    assert "ambiguous_reading" in {w["code"] for w in first["warnings"]}
    assert "translation" in first and "warnings" in first  # the keys it had stay


def test_preview_text_lists_the_readings_and_the_warning(
        translated: Any, demo_db: Path, demo_con: duckdb.DuckDBPyConnection) -> None:
    home, store = sizes(demo_con)
    res = run("preview", REQUEST, "--db", str(demo_db), "--lang", "en", "--sample", "0")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    at = lines.index(f"Reading 1 (chosen): {HOME_EN} — {home:,} customers")
    assert lines[at + 1:at + 4] == [f"Reading 2: {STORE_EN} — {store:,} customers", f"    {WHY}",
                                    "Pick a reading with --reading N."]
    assert (f"! Ambiguous reading: 2 possible readings. Reading used: {HOME_EN} ({home} "
            f"customers). Other reading: {WHY} — {STORE_EN} ({store} customers). Choose with "
            "--reading N.") in lines


def test_untrusted_text_is_printed_as_one_plain_line(translated: Any, demo_db: Path) -> None:
    translated.answer = Translation(rule=HOME, lang="fr", alternatives=[
        Reading(rule=STORE, why="le magasin\x1b[31m, \u202eà l'envers\nsur deux lignes")])
    res = run("preview", REQUEST, "--db", str(demo_db), "--sample", "0")
    assert res.exit_code == 0, res.output
    assert "    le magasin, à l'envers sur deux lignes\n" in res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output
    assert "Autre lecture : le magasin, à l'envers sur deux lignes — " in res.output


# -- approve ------------------------------------------------------------------------------------

def warning_ids(output: str) -> dict[str, str]:
    """code → id of each warning ``approve`` printed."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^  [!✖·] ((\w+):\w+) ", output,
                                                         flags=re.M)}


def test_approve_binds_the_reading_shown(translated: Any, demo_db: Path, tmp_path: Path,
                                         demo_con: duckdb.DuckDBPyConnection) -> None:
    home, store = sizes(demo_con)
    state = str(tmp_path / "state.sqlite")

    def approve(*extra: str) -> Result:
        return run("approve", REQUEST, "--name", "paris", "--by", "ann", "--db", str(demo_db),
                   "--state", state, *extra)

    refused = approve()
    assert refused.exit_code == 1
    first = warning_ids(refused.output)
    assert "ambiguous_reading" in first
    assert f"Lecture 1 (retenue) : {HOME_FR} — {n_fr(home)} clients" in refused.output
    assert "ambiguous_reading" in refused.output.splitlines()[-1]  # the refusal names it
    acks = [a for v in first.values() for a in ("--ack", v)]
    ok = approve(*acks)
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[-1].endswith(f"({home:,} customers)")

    # reading 2 is another rule: reading 1's acknowledgement of the ambiguity does not hold
    again = approve("--reading", "2", *acks)
    assert again.exit_code == 1
    second = warning_ids(again.output)
    assert second["ambiguous_reading"] != first["ambiguous_reading"]
    assert f"Lecture 2 (retenue) : {STORE_FR} — {n_fr(store)} clients" in again.output
    ok2 = approve("--reading", "2", *[a for v in second.values() for a in ("--ack", v)])
    assert ok2.exit_code == 0, ok2.output
    assert ok2.output.splitlines()[-1].endswith(f"({store:,} customers)")

    with StateStore(state) as s:
        rows = s.db.execute("SELECT version, fingerprint, count FROM approvals WHERE name = "
                            "'paris' ORDER BY version").fetchall()
    assert [tuple(r) for r in rows] == [(1, fingerprint(HOME), home),
                                        (2, fingerprint(STORE), store)]


def test_switching_reading_voids_an_earlier_approval(translated: Any, demo_db: Path,
                                                     tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    base = ["approve", REQUEST, "--name", "p", "--by", "ann", "--db", str(demo_db),
            "--state", state]
    ids = warning_ids(run(*base).output)
    assert run(*base, *[a for v in ids.values() for a in ("--ack", v)]).exit_code == 0
    with StateStore(state) as s:
        approval = latest_approval(s, "p")
    assert check_approval(approval, HOME, load_catalog(), "2026-06-30") == []
    assert check_approval(approval, STORE, load_catalog(), "2026-06-30") == [
        "the rule changed since it was approved"]


def test_approve_for_a_channel_sizes_every_reading_with_its_consent(
        translated: Any, demo_db: Path, tmp_path: Path,
        demo_con: duckdb.DuckDBPyConnection) -> None:
    consent = " AND email_opt_in AND email IS NOT NULL"
    home = int(demo_con.execute(HOME_SQL + consent).fetchall()[0][0])
    store = int(demo_con.execute(STORE_SQL + consent).fetchall()[0][0])
    res = run("approve", REQUEST, "--name", "e", "--by", "ann", "--channel", "email", "--db",
              str(demo_db), "--state", str(tmp_path / "s.sqlite"))
    assert f"{home:,} / 3,000 customers" in res.output
    assert f"Lecture 2 : {STORE_FR.split(' depuis')[0]}" in res.output
    assert re.search(rf"^Lecture 1 \(retenue\) : .* — {n_fr(home)} clients$", res.output, re.M)
    assert re.search(rf"^Lecture 2 : .* — {n_fr(store)} clients$", res.output, re.M)


# -- refusals ----------------------------------------------------------------------------------

def test_a_refusal_suggests_terms_and_reads_the_rest(translated: Any, demo_db: Path) -> None:
    translated.answer = REFUSED
    res = run("translate", "clients VIP avec une grosse dépence", "--db", str(demo_db))
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        "refused: je ne sais pas ce que signifie « dépence »",
        "  « dépence » — Vouliez-vous dire : dépense, panier moyen ?",
        "  Sans « dépence », la demande se lit : Clients avec niveau de fidélité : VIP."]
    translated.answer = REFUSED.model_copy(update={
        "lang": "en", "refusal_reason": 'I do not know what "spnd" means',
        "suggestions": [Suggestion(word="spnd", candidates=["spend", "average basket"]),
                        Suggestion(word="zzz", candidates=[])]})
    res = run("preview", "VIP customers with a big spnd zzz", "--db", str(demo_db))
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        'refused: I do not know what "spnd" means',
        "  'spnd' — Did you mean: spend, average basket?",
        "  Without 'spnd', 'zzz' the request reads: Customers with loyalty tier: VIP."]


@pytest.mark.parametrize("command", [["translate", "--format", "json"], ["preview", "--json"]])
def test_a_refusal_in_json_has_suggestions_and_partial(translated: Any, demo_db: Path,
                                                       command: list[str]) -> None:
    translated.answer = REFUSED
    res = run(command[0], "clients VIP avec une grosse dépence", *command[1:], "--db",
              str(demo_db))
    assert res.exit_code == 2
    data = json.loads(res.stdout)
    assert data["refused"] is True and data["refusal_reason"] == REFUSED.refusal_reason
    assert data["suggestions"] == [{"word": "dépence", "candidates": ["dépense", "panier moyen"]}]
    assert data["partial"] == {"rule": REFUSED.partial.model_dump(mode="json",  # type: ignore[union-attr]
                                                                  exclude_none=True),
                               "readback": "Clients avec niveau de fidélité : VIP."}
    assert "refused:" in res.stderr


def test_a_refusal_without_partial_or_suggestions(translated: Any, demo_db: Path) -> None:
    translated.answer = Translation(refused=True, lang="fr", refusal_reason="rien compris")
    res = run("translate", "blabla", "--db", str(demo_db), "--format", "json")
    assert res.exit_code == 2
    data = json.loads(res.stdout)
    assert data["suggestions"] == [] and data["partial"] is None
    assert res.stderr == "refused: rien compris\n"
