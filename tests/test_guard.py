"""Guardrails: each warning fires where it should (and not elsewhere), the approval gates,
the export (columns, atomicity, manifest, refusals) and the audit log's hash chain.

All on the session's demo database (3,000 customers, reference date 2026-06-30); expected
counts come from direct SQL on the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.catalog import Catalog, load_catalog
from nl2seg.cli import main
from nl2seg.crosscheck import CrossCheck
from nl2seg.guard import (
    ApprovalError,
    ExportError,
    GuardConfig,
    StateStore,
    check_approval,
    decide,
    export_audience,
    prepare,
)
from nl2seg.guard.approval import latest_approval
from nl2seg.guard.warnings import Context, assess
from nl2seg.readback import read_back
from nl2seg.readings import choose
from nl2seg.rule import (
    Age,
    All,
    AnyOf,
    Attribute,
    CalendarWindow,
    EventCondition,
    LastWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
)
from nl2seg.rule.canonical import canonical_json
from nl2seg.translate import translate_local
from nl2seg.translate.expected import stated_size
from nl2seg.translate.result import Reading, Translation

AS_OF = dt.date(2026, 6, 30)
CAT = load_catalog()
VIP = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", phrase="VIP")
WOMEN = Attribute(field="crm.customers.gender", op="eq", value="F", phrase="femmes")
FRANCE = Attribute(field="crm.customers.country", op="eq", value="FR", phrase="en France")
BOUGHT = EventCondition(event="purchase", phrase="ont acheté")
SHOES = EventCondition(event="purchase", phrase="chaussures", filters=[
    PropertyFilter(property="category", op="eq", value="shoes")])


def codes(rule: Rule, con: duckdb.DuckDBPyConnection, **kw: Any) -> list[str]:
    p = prepare(rule, CAT, kw.pop("as_of", AS_OF), con, **kw)
    return [w.code for w in p.warnings]


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


# -- warnings -------------------------------------------------------------------------------

def test_empty_audience_is_blocking(demo_con: duckdb.DuckDBPyConnection) -> None:
    rule = Rule(where=All(conditions=[VIP, Attribute(field="crm.customers.loyalty_tier",
                                                     op="eq", value="none")]))
    p = prepare(rule, CAT, AS_OF, demo_con)
    assert p.preview.count == 0
    assert [(w.code, w.severity) for w in p.blocking] == [("volume_empty", "blocking")]
    assert p.warnings[0].code == "volume_empty"  # blocking first


def test_most_of_the_base_and_small_audience(demo_con: duckdb.DuckDBPyConnection) -> None:
    france = count(demo_con, "SELECT count(*) FROM crm.customers WHERE country = 'FR'")
    assert france / 3000 >= 0.5
    assert "volume_most_of_base" in codes(Rule(where=FRANCE), demo_con)
    geneve = Attribute(field="crm.customers.city", op="eq", value="Genève")
    small = Rule(where=All(conditions=[VIP, geneve]))
    n = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' "
                        "AND city = 'Genève'")
    assert 0 < n < 50 and "volume_small" in codes(small, demo_con)
    assert not {"volume_small", "volume_most_of_base"} & set(codes(Rule(where=VIP), demo_con))


@pytest.mark.parametrize("expected, fires", [(None, False), (100, False), (30, True),
                                             (1000, True)])
def test_stated_size_is_compared_with_a_factor_3(demo_con: duckdb.DuckDBPyConnection,
                                                 expected: int | None, fires: bool) -> None:
    vip = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip'")
    assert 34 <= vip <= 300  # so that 100 is within ×3 and 30 / 1000 are not
    assert ("expectation_mismatch" in codes(Rule(where=VIP), demo_con,
                                            expected_size=expected)) is fires


def test_stated_size_comes_from_the_request(demo_con: duckdb.DuckDBPyConnection) -> None:
    t = translate_local("environ 5 000 clients VIP", CAT, AS_OF)
    assert t.rule is not None and t.expected_size == 5000
    assert t.rule.where == VIP.model_copy(update={"phrase": t.rule.where.phrase})
    p = prepare(t.rule, CAT, AS_OF, demo_con, translation=t)
    [w] = [w for w in p.warnings if w.code == "expectation_mismatch"]
    assert w.data == {"expected": 5000, "count": p.preview.count}
    assert (stated_size("~5k VIP"), stated_size("about 2,000 people"),
            stated_size("VIP qui ont acheté 2 fois")) == (5000, 2000, None)


@pytest.mark.parametrize(("text", "size"), [
    ("about 2 million people", 2_000_000), ("environ 1,5 million de clients", 1_500_000),
    ("environ 2M clients", 2_000_000), ("~2m customers", 2_000_000),
    ("environ 10 000 clientes", 10_000), ("environ 5000", 5000),
    # a duration or an amount after "environ" is not the audience's size
    ("clients ayant acheté il y a environ 3 mois", None), ("environ 50 € de panier", None),
    ("about 3 times", None),
])
def test_stated_sizes_in_words(text: str, size: int | None) -> None:
    assert stated_size(text) == size


def test_history_warns_beyond_the_usual_variation(demo_con: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    vip = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip'")
    rule = Rule(where=VIP)
    assert "history_jump" not in codes(rule, demo_con)
    with StateStore(tmp_path / "s.sqlite") as store:
        for n in (vip * 2, vip * 2 + 3, vip * 2 - 2):  # the audience used to be twice as big
            store.db.execute("INSERT INTO approvals VALUES ('a' || ?, 'vip', 1, 'approved', "
                             "'f', '2026-06-01', '1', 'c', ?, NULL, '[]', '[]', 'x', 'x', '', "
                             "?, NULL, NULL, NULL)", (n, n, f"2026-06-0{n % 9 + 1}"))
        p = prepare(rule, CAT, AS_OF, demo_con, name="vip", store=store)
    [w] = [w for w in p.warnings if w.code == "history_jump"]
    assert w.data["count"] == vip and round(w.data["mean"]) == vip * 2


def test_one_approved_count_is_already_a_reference(demo_con: duckdb.DuckDBPyConnection,
                                                   tmp_path: Path) -> None:
    vip = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip'")
    with StateStore(tmp_path / "s.sqlite") as store:
        for name, n in (("far", vip * 5), ("near", round(vip * 1.2))):
            store.db.execute("INSERT INTO approvals VALUES (?, ?, 1, 'approved', 'f', "
                             "'2026-06-01', '1', 'c', ?, NULL, '[]', '[]', 'x', 'x', '', "
                             "'2026-06-01', NULL, NULL, NULL)", (name, name, n))
        far = prepare(Rule(where=VIP), CAT, AS_OF, demo_con, name="far", store=store)
        near = prepare(Rule(where=VIP), CAT, AS_OF, demo_con, name="near", store=store)
    assert "history_jump" in {w.code for w in far.warnings}  # 5× the approved size
    assert "history_jump" not in {w.code for w in near.warnings}  # within 25 %


def test_condition_without_effect_and_condition_removing_nearly_all(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    redundant = Rule(where=All(conditions=[SHOES, BOUGHT]))  # shoes buyers all bought
    p = prepare(redundant, CAT, AS_OF, demo_con)
    [w] = [w for w in p.warnings if w.code == "condition_no_effect"]
    assert w.path == "where.conditions[1]" and w.phrase == "ont acheté"
    tiny = Rule(where=All(conditions=[EventCondition(
        event="purchase", window=CalendarWindow(unit="day"), phrase="aujourd'hui"), WOMEN]))
    assert "condition_removes_nearly_all" in codes(tiny, demo_con)


def test_unused_words_assumptions_consent_and_channel(demo_con: duckdb.DuckDBPyConnection) -> None:
    t = Translation(rule=Rule(where=VIP, channel="sms"), unmapped=["licornes"],
                    assumptions=["« 6 derniers mois » : du 2026-01-01 au 2026-06-30 inclus"])
    assert t.rule is not None
    p = prepare(t.rule, CAT, AS_OF, demo_con, translation=t)
    by = {w.code: w for w in p.warnings}
    assert by["unused_words"].severity == "warning" and "« licornes »" in \
        by["unused_words"].explanation
    assert by["assumption"].severity == "info"
    dropped = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' "
                              "AND NOT (sms_opt_in AND phone IS NOT NULL)")
    assert by["consent_added"].data == {"channel": "sms", "dropped": dropped}
    assert "no_channel" in codes(Rule(where=VIP), demo_con)


def test_a_rule_file_gets_the_same_assumptions_as_a_request(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    """No translation states them for a rule read from a file: the guard does."""
    more = EventCondition(event="purchase", aggregate="count", op="gt", value=2,
                          phrase="plus de 2 achats", window=LastWindow(n=6, unit="month"))
    p = prepare(Rule(where=All(conditions=[VIP, more])), CAT, AS_OF, demo_con)
    notes = [w.explanation for w in p.warnings if w.code == "assumption"]
    assert "« plus de 2 achats » : strictement supérieur (>)" in notes
    assert "achat : un ticket en magasin d'un client identifié, ou une commande web ou appli " \
        "finalisée" in notes
    assert any(n.startswith("last: fenêtre glissante [2026-01-01, 2026-07-01)") for n in notes)


def test_freshness_of_windows_and_scores(demo_con: duckdb.DuckDBPyConnection) -> None:
    yesterday = EventCondition(event="purchase", window=CalendarWindow(unit="day", offset=-1),
                               phrase="hier")
    week = EventCondition(event="purchase", window=LastWindow(n=7, unit="day"))
    assert "stale_window" in codes(Rule(where=yesterday), demo_con)
    assert "stale_window" not in codes(Rule(where=week), demo_con)
    churn = Score(field="crm.scores.churn_score", op="gt", value=0.8)
    assert "stale_scores" not in codes(Rule(where=churn), demo_con)
    # ten days later, the scores frozen on 30 June are too old (max age 2 days)
    assert "stale_scores" in codes(Rule(where=churn), demo_con, as_of=dt.date(2026, 7, 10))


def test_disagreement_and_sensitive_fields(demo_con: duckdb.DuckDBPyConnection) -> None:
    cc = CrossCheck(primary="llm", secondary="local", agree=False,
                    only_primary=["plus de 2 achats"], only_secondary=["au moins 2 achats"])
    p = prepare(Rule(where=WOMEN), CAT, AS_OF, demo_con, cross_check=cc)
    by = {w.code: w for w in p.warnings}
    assert "llm seul : plus de 2 achats" in by["translators_disagree"].explanation
    assert by["sensitive_field"].data == {"field": "crm.customers.gender"}
    # two sensitive fields without phrases: two warnings, two ids to acknowledge
    both = prepare(Rule(where=All(conditions=[WOMEN.model_copy(update={"phrase": None}),
                                              Age(field="crm.customers.birth_date", op="gte",
                                                  value=30)])), CAT, AS_OF, demo_con)
    flagged = [w for w in both.warnings if w.code == "sensitive_field"]
    assert {w.data["field"] for w in flagged} == {"crm.customers.gender",
                                                  "crm.customers.birth_date"}
    assert len({w.id for w in flagged}) == 2
    same = CrossCheck(primary="llm", secondary="local", agree=True)
    assert "translators_disagree" not in codes(Rule(where=VIP), demo_con, cross_check=same)
    assert "sensitive_field" not in codes(Rule(where=VIP), demo_con)


def test_thresholds_are_configurable(demo_con: duckdb.DuckDBPyConnection) -> None:
    assert "volume_small" in codes(Rule(where=VIP), demo_con,
                                   config=GuardConfig(small_audience=10_000))


# -- ambiguous reading: the words allow another rule -----------------------------------------
IN_FRANCE = Rule(request="VIP en France", where=All(conditions=[VIP, FRANCE]))
ANYWHERE = Rule(request="VIP en France", where=VIP)
WHY_FR = "« en France » : la boutique plutôt que le client"
AMBIGUOUS = Translation(rule=IN_FRANCE, alternatives=[Reading(rule=ANYWHERE, why=WHY_FR)])


def test_ambiguous_reading_names_each_reading_with_its_size(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    in_france = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' "
                                "AND country = 'FR'")
    anywhere = count(demo_con, "SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip'")
    assert 0 < in_france < anywhere
    p = prepare(IN_FRANCE, CAT, AS_OF, demo_con, translation=AMBIGUOUS)
    [w] = [w for w in p.warnings if w.code == "ambiguous_reading"]
    assert (w.severity, w.title, w.needs_ack) == ("warning", "Lecture ambiguë", True)
    shown, other = (read_back(r, CAT, AS_OF, "fr").rstrip(".") for r in (IN_FRANCE, ANYWHERE))
    assert w.explanation == (
        f"2 lectures possibles. Lecture retenue : {shown} ({in_france} clients). Autre "
        f"lecture : {WHY_FR} — {other} ({anywhere} clients). Choisissez avec --reading N.")
    assert [r["count"] for r in w.data["readings"]] == [in_france, anywhere]
    en = prepare(IN_FRANCE, CAT, AS_OF, demo_con, translation=AMBIGUOUS, lang="en")
    [w_en] = [w for w in en.warnings if w.code == "ambiguous_reading"]
    shown_en, other_en = (read_back(r, CAT, AS_OF, "en").rstrip(".") for r in (IN_FRANCE,
                                                                              ANYWHERE))
    assert w_en.explanation == (
        f"2 possible readings. Reading used: {shown_en} ({in_france} customers). Other "
        f"reading: {WHY_FR} — {other_en} ({anywhere} customers). Choose with --reading N.")
    # no database: the sizes are unknown, the warning still fires
    no_db = assess(Context(compiled=p.compiled, preview=p.preview, translation=AMBIGUOUS))
    assert "(taille inconnue)" in next(w.explanation for w in no_db
                                       if w.code == "ambiguous_reading")


def test_ambiguous_reading_fires_only_with_alternatives(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    single = Translation(rule=IN_FRANCE)
    assert "ambiguous_reading" not in codes(IN_FRANCE, demo_con, translation=single)
    assert "ambiguous_reading" not in codes(IN_FRANCE, demo_con)
    assert "ambiguous_reading" in codes(IN_FRANCE, demo_con, translation=AMBIGUOUS)


# -- approval -------------------------------------------------------------------------------

@pytest.fixture()
def store(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state.sqlite")


def _approve(store: StateStore, con: duckdb.DuckDBPyConnection, rule: Rule, **kw: Any) -> Any:
    p = prepare(rule, CAT, AS_OF, con, name="a", store=store)
    args: dict[str, Any] = dict(name="a", rule=rule, catalog=CAT, preview=p.preview,
                                warnings=p.warnings, approver="bob", author="ann",
                                acknowledged=[w.id for w in p.to_acknowledge])
    args.update(kw)
    return decide(store, **args), p


def test_approval_gates(store: StateStore, demo_con: duckdb.DuckDBPyConnection) -> None:
    rule = Rule(where=All(conditions=[VIP, WOMEN]), channel="email")
    with pytest.raises(ApprovalError) as err:
        _approve(store, demo_con, rule, acknowledged=[])
    assert err.value.code == "approval_unacknowledged" and "sensitive_field:" in str(err.value)
    with pytest.raises(ApprovalError) as err:
        _approve(store, demo_con, rule, approver="Ann", four_eyes=True)
    assert err.value.code == "approval_four_eyes"
    empty = Rule(where=All(conditions=[VIP, Attribute(field="crm.customers.loyalty_tier",
                                                      op="eq", value="none")]))
    with pytest.raises(ApprovalError) as err:
        _approve(store, demo_con, empty)
    assert err.value.code == "approval_blocked"
    a, p = _approve(store, demo_con, rule, four_eyes=True, comment="ok")
    assert (a.decision, a.count, a.approver, a.author, a.version) == (
        "approved", p.preview.count, "bob", "ann", 1)
    assert a.acknowledged == sorted(w.id for w in p.to_acknowledge)
    assert latest_approval(store, "a") == a
    assert check_approval(a, rule, CAT, "2026-06-30") == []


def test_an_ambiguous_reading_must_be_acknowledged_for_the_reading_approved(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection) -> None:
    first = prepare(IN_FRANCE, CAT, AS_OF, demo_con, translation=AMBIGUOUS)
    [amb] = [w.id for w in first.warnings if w.code == "ambiguous_reading"]
    others = [w.id for w in first.to_acknowledge if w.id != amb]
    with pytest.raises(ApprovalError) as err:
        decide(store, name="fr", rule=IN_FRANCE, catalog=CAT, preview=first.preview,
               warnings=first.warnings, approver="bob", author="ann", acknowledged=others)
    assert err.value.code == "approval_unacknowledged" and amb in str(err.value)
    a = decide(store, name="fr", rule=IN_FRANCE, catalog=CAT, preview=first.preview,
               warnings=first.warnings, approver="bob", author="ann",
               acknowledged=[*others, amb])
    assert amb in a.acknowledged
    # reading 2 is another rule: its own fingerprint, and reading 1's acknowledgement is not its
    switched = choose(AMBIGUOUS, 2)
    assert switched.rule is not None
    second = prepare(switched.rule, CAT, AS_OF, demo_con, translation=switched)
    [amb2] = [w.id for w in second.warnings if w.code == "ambiguous_reading"]
    assert amb2 != amb and second.preview.fingerprint != first.preview.fingerprint
    with pytest.raises(ApprovalError):
        decide(store, name="fr", rule=switched.rule, catalog=CAT, preview=second.preview,
               warnings=second.warnings, approver="bob", author="ann",
               acknowledged=[amb, *(w.id for w in second.to_acknowledge if w.id != amb2)])
    assert check_approval(a, switched.rule, CAT, "2026-06-30") == [
        "the rule changed since it was approved"]


def test_any_change_voids_the_approval(store: StateStore,
                                       demo_con: duckdb.DuckDBPyConnection) -> None:
    rule = Rule(where=VIP, channel="email")
    a, _ = _approve(store, demo_con, rule)
    edited = Rule(where=All(conditions=[VIP, FRANCE]), channel="email")
    assert check_approval(a, edited, CAT, "2026-06-30") == [
        "the rule changed since it was approved"]
    assert check_approval(a, rule, CAT, "2026-07-01") == [
        "the reference date moved (2026-06-30 → 2026-07-01)"]
    other = Catalog.model_validate({**CAT.model_dump(), "version": "2"})
    assert check_approval(a, rule, other, "2026-06-30") == [
        "the catalog changed since the approval"]
    r, _ = _approve(store, demo_con, rule, decision="rejected", acknowledged=[])
    assert check_approval(latest_approval(store, "a"), rule, CAT, "2026-06-30") == [
        "the last decision was a rejection by bob"]
    assert check_approval(a, edited, CAT, "2026-07-01", lang="fr") == [
        "la règle a changé depuis l'approbation",
        "la date de référence a changé (2026-06-30 → 2026-07-01)"]
    assert r.decision == "rejected"


# -- export ---------------------------------------------------------------------------------

def test_export_writes_only_the_channel_columns_atomically_with_a_manifest(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rule = Rule(where=VIP, channel="email")
    a, p = _approve(store, demo_con, rule)
    out = export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                          out_dir=tmp_path / "x")
    expected = demo_con.execute(
        "SELECT customer_id, email FROM crm.customers WHERE loyalty_tier = 'vip' "
        "AND email_opt_in AND email IS NOT NULL ORDER BY 1").fetchall()
    lines = Path(out.path).read_text().splitlines()
    assert lines[0] == "customer_id,email" and len(lines) - 1 == len(expected) == p.preview.count
    assert lines[1] == f"{expected[0][0]},{expected[0][1]}"
    manifest = json.loads(Path(out.manifest).read_text())
    assert manifest["sha256"] == hashlib.sha256(Path(out.path).read_bytes()).hexdigest()
    assert (manifest["count"], manifest["approval_id"], manifest["columns"]) == (
        len(expected), a.id, ["customer_id", "email"])
    assert sorted(os.listdir(tmp_path / "x")) == sorted([Path(out.path).name,
                                                         Path(out.manifest).name])
    pq = export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email", fmt="parquet",
                         out_dir=tmp_path / "x")
    assert demo_con.execute("SELECT count(*) FROM read_parquet(?)", [pq.path]).fetchall() == [
        (len(expected),)]


def test_export_refusals(store: StateStore, demo_con: duckdb.DuckDBPyConnection,
                         tmp_path: Path, demo_db: Path) -> None:
    rule = Rule(where=VIP, channel="sms")
    with pytest.raises(ExportError) as err:
        export_audience(store, demo_con, None, rule, CAT, AS_OF, channel="sms", out_dir=tmp_path)
    assert err.value.code == "export_unapproved"
    a, _ = _approve(store, demo_con, rule)
    with pytest.raises(ExportError) as err:
        export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email", out_dir=tmp_path)
    assert err.value.code == "export_channel"
    edited = Rule(where=All(conditions=[VIP, FRANCE]), channel="sms")
    with pytest.raises(ExportError, match="the rule changed"):
        export_audience(store, demo_con, a, edited, CAT, AS_OF, channel="sms", out_dir=tmp_path)
    # an approval whose count was edited is not the one the audit log sealed
    forged = a.model_copy(update={"count": a.count + 50})
    with pytest.raises(ExportError, match="differs from the one the audit log sealed"):
        export_audience(store, demo_con, forged, rule, CAT, AS_OF, channel="sms",
                        out_dir=tmp_path)
    # the data moved since the approval: 50 of its customers withdrew their SMS consent (in
    # place: the database is the one approved, its row counts and latest dates unchanged)
    moved_db = tmp_path / "moved.duckdb"
    shutil.copy(demo_db, moved_db)
    with duckdb.connect(str(moved_db)) as moved:
        a, _ = _approve(store, moved, rule)
        moved.execute("UPDATE crm.customers SET sms_opt_in = false WHERE customer_id IN ("
                      "SELECT customer_id FROM crm.customers WHERE loyalty_tier = 'vip' AND "
                      "sms_opt_in AND phone IS NOT NULL ORDER BY 1 LIMIT 50)")
        with pytest.raises(ExportError) as err:
            export_audience(store, moved, a, rule, CAT, AS_OF, channel="sms", out_dir=tmp_path)
        assert err.value.code == "export_count_moved"
        with pytest.raises(ExportError) as err:  # widening the tolerance has a ceiling
            export_audience(store, moved, a, rule, CAT, AS_OF, channel="sms", out_dir=tmp_path,
                            tolerance=5.0)
        assert err.value.code == "export_tolerance"
    assert list(tmp_path.glob("*.sms.*")) == [] and list(tmp_path.glob("*.csv")) == []


def test_a_crash_during_export_leaves_no_file(store: StateStore,
                                              demo_con: duckdb.DuckDBPyConnection,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rule = Rule(where=VIP, channel="email")
    a, _ = _approve(store, demo_con, rule)

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                        out_dir=tmp_path / "x")
    assert list((tmp_path / "x").iterdir()) == []
    assert [e.kind for e in store.audit_entries()].count("export") == 0


def test_a_failed_manifest_takes_the_file_back(store: StateStore,
                                              demo_con: duckdb.DuckDBPyConnection,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The data file is in place, then the disk fills while writing its manifest: the file
    goes too (a file without its manifest is not an export) and nothing is recorded."""
    rule = Rule(where=VIP, channel="email")
    a, _ = _approve(store, demo_con, rule)
    real = Path.write_text

    def full(self: Path, *args: Any, **kw: Any) -> int:
        if self.name.startswith(".nl2seg-tmp-") and self.name.endswith(".manifest.json"):
            raise OSError("disk full")
        return real(self, *args, **kw)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="disk full"):
        export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                        out_dir=tmp_path / "x")
    assert list((tmp_path / "x").iterdir()) == []
    assert store.db.execute("SELECT count(*) FROM exports").fetchall()[0][0] == 0


def test_two_exports_in_the_same_second_keep_both_files(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import nl2seg.guard.export as export_module

    monkeypatch.setattr(export_module, "_stamp", lambda: "20260630T120000Z")
    rule = Rule(where=VIP, channel="email")
    a, _ = _approve(store, demo_con, rule)
    one, two = (export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email",
                                out_dir=tmp_path) for _ in range(2))
    assert one.path != two.path and Path(one.path).exists() and Path(two.path).exists()
    for r in store.db.execute("SELECT path, sha256 FROM exports"):
        assert hashlib.sha256(Path(r[0]).read_bytes()).hexdigest() == r[1]


def test_another_channels_contact_cannot_ride_along(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Phone numbers leave only in an SMS audience, whose count includes SMS consent."""
    rule = Rule(where=VIP)
    a, _ = _approve(store, demo_con, rule, columns=["city"])
    for col, ch in (("phone", None), ("email", None)):
        with pytest.raises(ExportError) as err:
            export_audience(store, demo_con, a, rule, CAT, AS_OF, channel=ch,
                            out_dir=tmp_path, extra_columns=[col])
        assert err.value.code == "export_contact_column"
    out = export_audience(store, demo_con, a, rule, CAT, AS_OF, channel=None, out_dir=tmp_path,
                          extra_columns=["city"])
    assert out.columns == ["customer_id", "city"]
    manifest = json.loads(Path(out.manifest).read_text())
    # the export's own entry, written before the file was published, anchors the log
    assert manifest["tolerance"] == 0.02
    started = store.audit_entries()[-2]
    assert started.kind == "export_started" and started.payload["export"] == out.id
    assert manifest["audit_anchor"] == {"seq": started.seq, "hash": started.hash}


def test_a_forged_or_erased_decision_in_the_state_file_exports_nothing(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The approvals table is not the record: the hash-chained audit log is."""
    rule = Rule(where=VIP, channel="sms")
    a, _ = _approve(store, demo_con, rule)
    # a rejection after the approval, then the rejection row deleted from the table
    rejected, _ = _approve(store, demo_con, rule, decision="rejected", approver="carl")
    store.db.execute("DELETE FROM approvals WHERE id = ?", (rejected.id,))
    assert latest_approval(store, "a") == a
    with pytest.raises(ExportError, match="removed from the approvals table"):
        export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="sms", out_dir=tmp_path)
    report = store.verify_audit()
    assert not report.ok and report.reason is not None and rejected.id in report.reason

    other = StateStore(tmp_path / "forged.sqlite")  # an approval row nobody made
    forged = a.model_copy(update={"id": "f0f0f0f0f0f0", "approver": "ceo"})
    other.save_audience("a", canonical_json(rule), forged.fingerprint, "ann")
    other.db.execute("INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?, ?, ?)", (forged.id, forged.name, forged.version, forged.decision,
                                        forged.fingerprint, forged.as_of, forged.catalog_version,
                                        forged.catalog_fingerprint, forged.count,
                                        forged.channel, "[]", "[]", forged.approver,
                                        forged.author, "", forged.at, forged.database,
                                        forged.database_fingerprint, "[]"))
    with pytest.raises(ExportError, match="not in the audit log"):
        export_audience(other, demo_con, latest_approval(other, "a"), rule, CAT, AS_OF,
                        channel="sms", out_dir=tmp_path)
    assert list(tmp_path.glob("*.csv")) == []


def test_four_eyes_uses_the_recorded_author(store: StateStore,
                                            demo_con: duckdb.DuckDBPyConnection) -> None:
    """Ann drafted the rule; she cannot approve it by claiming Bob wrote it."""
    rule = Rule(where=VIP, channel="email")
    _approve(store, demo_con, rule, decision="rejected", approver="ann", author="ann")
    with pytest.raises(ApprovalError) as err:
        _approve(store, demo_con, rule, approver="ann", author="bob", four_eyes=True)
    assert err.value.code == "approval_four_eyes"
    a, _ = _approve(store, demo_con, rule, approver="bob", author="", four_eyes=True)
    assert a.author == "ann" and a.decision == "approved"
    assert store.audit_entries()[-1].payload["four_eyes"] is True


# -- audit ----------------------------------------------------------------------------------

def test_audit_chain_detects_edits_and_deletions(store: StateStore,
                                                 demo_con: duckdb.DuckDBPyConnection) -> None:
    _approve(store, demo_con, Rule(where=VIP, channel="email"))
    kinds = [e.kind for e in store.audit_entries()]
    assert kinds == ["preview", "draft", "approval"]
    assert store.verify_audit().ok
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE audit SET actor = 'eve' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM audit WHERE seq = 2")
    store.db.execute("DROP TRIGGER audit_no_update")
    store.db.execute("UPDATE audit SET payload = '{\"audience\": \"b\"}' WHERE seq = 2")
    report = store.verify_audit()
    assert (report.ok, report.broken_at, report.reason) == (
        False, 2, "content changed after it was written")


def test_cli_approve_export_audit(tmp_path: Path, demo_db: Path) -> None:
    env = {"NL2SEG_DB": str(demo_db), "NL2SEG_STATE": str(tmp_path / "s.sqlite")}
    run = CliRunner().invoke
    request = "clientes VIP"
    first = run(main, ["approve", request, "--name", "vipf", "--by", "bob", "--channel", "email"],
                env=env)
    assert first.exit_code == 1 and "error [approval_unacknowledged]" in first.output
    ids = [line.split()[1] for line in first.output.splitlines()
           if line.strip().startswith("! ")]
    assert ids and all(":" in i for i in ids)
    acks = [x for i in ids for x in ("--ack", i)]
    ok = run(main, ["approve", request, "--name", "vipf", "--by", "bob", "--channel", "email",
                    *acks], env=env)
    assert ok.exit_code == 0, ok.output
    assert "approved vipf v1 by bob" in ok.output
    exp = run(main, ["export", "vipf", "--channel", "email", "--out", str(tmp_path / "o")],
              env=env)
    assert exp.exit_code == 0, exp.output
    assert "(customer_id, email)" in exp.output
    none = run(main, ["export", "nobody", "--channel", "email"], env=env)
    assert none.exit_code == 1 and "export_unknown_audience" in none.output
    listed = run(main, ["audit", "list"], env=env)
    assert [ln.split()[2] for ln in listed.output.splitlines()] == [
        "preview", "preview", "draft", "approval", "export_started", "export"]
    assert "6 entries, hash chain verified" in run(main, ["audit", "verify"], env=env).output


# -- the corruption evaluation ----------------------------------------------------------------

def test_each_corruption_changes_what_it_names() -> None:
    from nl2seg.evaluation.corruption import KINDS
    from nl2seg.rule import Not

    store2 = EventCondition(event="purchase", aggregate="count", op="gte", value=2,
                            window=LastWindow(n=6, unit="month"), filters=[
                                PropertyFilter(property="channel", op="eq", value="store"),
                                PropertyFilter(property="category", op="eq", value="shoes")])
    rule = Rule(where=All(conditions=[VIP, store2, Not(condition=WOMEN)]))
    out = {k: fn(rule, CAT) for k, fn in KINDS.items()}
    assert all(v is not None for v in out.values())

    def ev(r: Rule | None) -> EventCondition:
        assert r is not None and isinstance(r.where, All)
        e = r.where.conditions[1]
        assert isinstance(e, EventCondition)
        return e

    assert isinstance(out["dropped condition"].where, All)  # type: ignore[union-attr]
    assert len(out["dropped condition"].where.conditions) == 2  # type: ignore[union-attr]
    assert ev(out["≥ read as >"]).op == "gt"
    assert ev(out["months read as days"]).window == LastWindow(n=6, unit="day")
    assert ev(out["in store read as online"]).filters[0].value == "online"
    assert ev(out["wrong category"]).filters[1].value != "shoes"
    lost = out["lost negation"]
    assert lost is not None and isinstance(lost.where, All) and lost.where.conditions[2] == WOMEN
    assert type(out["OR instead of AND"].where).__name__ == "AnyOf"  # type: ignore[union-attr]
    assert KINDS["dropped condition"](Rule(where=VIP), CAT) is None


def test_corruption_report_counts_only_real_changes(demo_con: duckdb.DuckDBPyConnection) -> None:
    from nl2seg.evaluation.corruption import corruption_markdown, run_corruptions

    store2 = EventCondition(event="purchase", aggregate="count", op="gte", value=2,
                            window=LastWindow(n=6, unit="month"), filters=[
                                PropertyFilter(property="channel", op="eq", value="store")])
    rules = [Rule(where=All(conditions=[VIP, store2])), Rule(where=VIP)]
    rep = run_corruptions(rules, CAT, AS_OF, demo_con)
    by = {k.kind: k for k in rep.kinds}
    assert rep.correct_rules == 2
    # VIP alone has nothing to drop, negate, swap or widen: only the first rule is corrupted
    assert by["dropped condition"].corrupted == 1 and by["lost negation"].corrupted == 0
    assert by["months read as days"].corrupted == 1 and by["months read as days"].warned == 1
    assert all(k.disagreement == k.corrupted for k in rep.kinds)
    assert "| months read as days | 1 | 100 % |" in corruption_markdown(rep)
    assert by["months read as days"].big == by["months read as days"].big_warned == 1


def test_size_facts_are_told_apart_from_misreading_signals(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    """"Not VIP" is most of the base, true of the correct rule: a false alarm, but not a
    misreading signal; a condition that filters nobody is one."""
    from nl2seg.evaluation.corruption import corruption_markdown, run_corruptions

    not_vip = Rule(where=Not(condition=VIP))
    redundant = Rule(where=All(conditions=[SHOES, BOUGHT]))
    rep = run_corruptions([not_vip, redundant], CAT, AS_OF, demo_con)
    assert rep.false_alarm_codes.get("volume_most_of_base") == 1
    assert rep.false_alarm_codes.get("condition_no_effect") == 1
    assert rep.false_alarms == 2 and rep.false_alarms_signals == 1
    assert "| *correct rules, without the size facts* | 2 | 50 % |" in corruption_markdown(rep)


def _rule(text: str) -> Rule:
    t = translate_local(text, CAT, AS_OF)
    assert t.rule is not None, t.refusal_reason
    return t.rule


def test_a_lost_condition_leaves_its_words_unused(demo_con: duckdb.DuckDBPyConnection) -> None:
    """Without the translator's word list (an LLM, an edit), the rule's own phrases show
    which request words no condition came from."""
    from nl2seg.guard.coverage import uncovered_words

    lyon = Attribute(field="crm.customers.city", op="eq", value="Lyon", phrase="lyonnais")
    online = EventCondition(event="purchase", phrase="ayant acheté en ligne", filters=[
        PropertyFilter(property="channel", op="eq", value="online")])
    request = "clients VIP lyonnais ayant acheté en ligne"
    rule = Rule(where=All(conditions=[VIP, lyon, online]), request=request)
    assert uncovered_words(rule, CAT) == []
    assert "unused_words" not in codes(rule, demo_con)
    lost = Rule(where=All(conditions=[VIP, online]), request=request)
    assert uncovered_words(lost, CAT) == ["lyonnais"]
    p = prepare(lost, CAT, AS_OF, demo_con)
    w = next(w for w in p.warnings if w.code == "unused_words")
    assert w.data == {"words": ["lyonnais"]} and w.severity == "warning"


def test_a_condition_dropped_from_a_translated_rule_shows(
        demo_con: duckdb.DuckDBPyConnection) -> None:
    """The local translator's nodes carry their own words, so a reviewer's edit (or an LLM)
    that loses the city leaves "lyonnais" unused."""
    from nl2seg.guard.coverage import uncovered_words

    rule = _rule("clients gold lyonnais inactifs")
    assert uncovered_words(rule, CAT) == []
    assert isinstance(rule.where, All)
    kept = [c for c in rule.where.conditions
            if not (isinstance(c, Attribute) and c.field == "crm.customers.city")]
    lost = rule.model_copy(update={"where": All(conditions=kept)})
    assert uncovered_words(lost, CAT) == ["lyonnais"]
    assert "unused_words" in codes(lost, demo_con)


def test_an_or_the_request_never_says(demo_con: duckdb.DuckDBPyConnection) -> None:
    rule = _rule("clients VIP et parisiens")
    assert "or_not_asked" not in codes(rule, demo_con)
    assert isinstance(rule.where, All)
    widened = rule.model_copy(update={"where": AnyOf(conditions=rule.where.conditions)})
    assert "or_not_asked" in codes(widened, demo_con)
    asked = _rule("clients VIP ou parisiens")
    assert "or_not_asked" not in codes(asked, demo_con)


def test_a_negation_the_rule_lost(demo_con: duckdb.DuckDBPyConnection) -> None:
    rule = _rule("clients VIP qui n'ont jamais acheté en ligne")
    assert "negation_lost" not in codes(rule, demo_con)
    assert isinstance(rule.where, All)
    flipped = rule.model_copy(update={"where": All(conditions=[
        c.model_copy(update={"aggregate": "exists"}) if isinstance(c, EventCondition) else c
        for c in rule.where.conditions])})
    assert "negation_lost" in codes(flipped, demo_con)
    # a value word that carries its own negation is not a lost one
    assert "negation_lost" not in codes(_rule("clients sans carte"), demo_con)
    assert "negation_lost" not in codes(_rule("nos clientes VIP"), demo_con)


def test_attention_flags_are_not_counted_as_alarms(demo_con: duckdb.DuckDBPyConnection) -> None:
    """A gender condition is flagged for review whether or not it was misread: it tells
    nothing about a misreading, so it is neither a catch nor a false alarm."""
    from nl2seg.evaluation.corruption import run_corruptions

    women = Attribute(field="crm.customers.gender", op="eq", value="F")
    rep = run_corruptions([Rule(where=women)], CAT, AS_OF, demo_con)
    assert "sensitive_field" in {w.code for w in prepare(Rule(where=women), CAT, AS_OF,
                                                         demo_con).warnings}
    assert "sensitive_field" not in rep.false_alarm_codes
    assert all("sensitive_field" not in k.by_code for k in rep.kinds)


def test_cli_preview_shows_the_warnings(demo_db: Path) -> None:
    res = CliRunner().invoke(main, ["preview", "environ 3000 clientes VIP", "--db",
                                    str(demo_db), "--json", "--sample", "0"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    codes = {w["code"] for w in data["warnings"]}
    assert {"expectation_mismatch", "sensitive_field", "no_channel"} <= codes
    assert all(":" in w["id"] for w in data["warnings"])


def test_a_broken_state_file_is_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    from nl2seg.guard import StateError

    bad = tmp_path / "state.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    before = bad.read_bytes()
    with pytest.raises(StateError) as err:
        StateStore(bad)
    assert err.value.code == "state_corrupt" and "move it aside" in str(err.value)
    assert bad.read_bytes() == before
    res = CliRunner().invoke(main, ["audit", "verify", "--state", str(bad)])
    assert res.exit_code == 1 and "error [state_corrupt]" in res.output
