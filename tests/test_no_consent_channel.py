"""A channel whose consent the data does not hold (issue 11 §6).

The demo catalog with ``consent: null`` on its email channel stands for a warehouse without
an opt-in column: the audience is every VIP with a usable address, a ``no_consent_data``
warning says so in French and English, the approval needs it acknowledged (by its id or by
``--ack no_consent_data``), the export refuses an approval without that acknowledgement and
its manifest records that the file went out without consent data, with who acknowledged it
and when. A channel with consent is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from nl2seg.catalog import Catalog, load_catalog
from nl2seg.catalog.load import DEMO_CATALOG, parse_catalog
from nl2seg.cli import main
from nl2seg.guard import ApprovalError, ExportError, StateStore, decide, export_audience, prepare
from nl2seg.guard.approval import acknowledged_ids
from nl2seg.guard.warnings import GuardWarning
from nl2seg.rule import Attribute, Rule

AS_OF = dt.date(2026, 6, 30)
CAT = load_catalog()
EMAIL_CONSENT = "consent: crm.customers.email_opt_in"
DEMO_TEXT = Path(DEMO_CATALOG).read_text(encoding="utf-8")
assert DEMO_TEXT.count(EMAIL_CONSENT) == 1
NO_CONSENT_TEXT = DEMO_TEXT.replace(EMAIL_CONSENT, "consent: null")
NO_CONSENT = parse_catalog(NO_CONSENT_TEXT, origin="no-consent")
VIP = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", phrase="VIP")
RULE = Rule(where=VIP, channel="email")
VIP_WITH_EMAIL = ("SELECT count(*) FROM crm.customers WHERE loyalty_tier = 'vip' AND "
                  "regexp_matches(email, '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')")

EXPLANATION = {
    "en": "The data holds NO consent for the email channel: the audience keeps every reachable "
          "customer (email address), whether they consented or not. Check that consent is handled "
          "elsewhere (the sending tool, an unsubscribe list). The export requires the approver "
          "to acknowledge explicitly that no consent data exists; the export's manifest "
          "records it.",
    "fr": "Les données ne contiennent AUCUN consentement pour le canal email : l'audience garde "
          "tous les clients joignables (adresse email), qu'ils aient consenti ou non. Vérifiez que le "
          "consentement est géré ailleurs (outil d'envoi, liste de désinscription). L'export "
          "exige que l'approbateur reconnaisse explicitement cette absence ; le manifeste de "
          "l'export l'enregistre.",
}
TITLE = {"en": "No consent data for the email channel",
         "fr": "Aucune donnée de consentement pour le canal email"}


@pytest.fixture()
def store(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state.sqlite")


def _approve(store: StateStore, con: duckdb.DuckDBPyConnection, catalog: Catalog,
             acks: list[str] | None = None, **kw: Any) -> Any:
    p = prepare(RULE, catalog, AS_OF, con, name="vip", store=store, lang="en")
    others = [w.id for w in p.to_acknowledge if w.code != "no_consent_data"]
    return decide(store, name="vip", rule=RULE, catalog=catalog, preview=p.preview,
                  warnings=p.warnings, approver="bob", author="ann",
                  acknowledged=others + (acks or []), **kw), p


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_warning_says_the_data_holds_no_consent(demo_con: duckdb.DuckDBPyConnection,
                                                   lang: str) -> None:
    p = prepare(RULE, NO_CONSENT, AS_OF, demo_con, lang=lang)  # type: ignore[arg-type]
    [w] = [w for w in p.warnings if w.code == "no_consent_data"]
    assert (w.severity, w.title, w.explanation) == ("warning", TITLE[lang], EXPLANATION[lang])
    assert w.needs_ack and w.id.startswith("no_consent_data:") and w.data["channel"] == "email"
    # the audience: every VIP with a usable address, whatever their opt-in
    assert p.preview.count == demo_con.execute(VIP_WITH_EMAIL).fetchall()[0][0]


def test_a_channel_with_consent_gets_no_such_warning(demo_con: duckdb.DuckDBPyConnection) -> None:
    p = prepare(RULE, CAT, AS_OF, demo_con, lang="en")
    assert [w.code for w in p.warnings if w.code == "no_consent_data"] == []
    assert "no_consent_data" not in {w.code for w in prepare(
        Rule(where=VIP), NO_CONSENT, AS_OF, demo_con).warnings}  # no channel: nothing to say
    opted_in = demo_con.execute(VIP_WITH_EMAIL + " AND email_opt_in").fetchall()[0][0]
    assert p.preview.count == opted_in < prepare(RULE, NO_CONSENT, AS_OF, demo_con).preview.count


def test_approval_without_the_acknowledgement_fails_and_says_what_to_do(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ApprovalError) as err:
        _approve(store, demo_con, NO_CONSENT)
    p = prepare(RULE, NO_CONSENT, AS_OF, demo_con, lang="en")
    [wid] = [w.id for w in p.warnings if w.code == "no_consent_data"]
    assert err.value.code == "approval_unacknowledged"
    assert str(err.value) == (
        f"1 warning(s) not acknowledged: {wid} (No consent data for the email channel) — "
        "acknowledge each one (--ack ID) after reading it; the data holds no consent for the "
        "email channel: --ack no_consent_data states that the export goes out without consent "
        "data (the manifest records it)")


@pytest.mark.parametrize("how", ["code", "id"])
def test_acknowledged_by_code_or_id_the_export_records_it(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path,
        how: str) -> None:
    p = prepare(RULE, NO_CONSENT, AS_OF, demo_con, lang="en")
    [wid] = [w.id for w in p.warnings if w.code == "no_consent_data"]
    a, _ = _approve(store, demo_con, NO_CONSENT, acks=["no_consent_data" if how == "code" else wid])
    assert a.decision == "approved" and wid in a.acknowledged
    assert "no_consent_data" not in a.acknowledged  # the record names the warning's id
    assert {"id": wid, "code": "no_consent_data", "severity": "warning",
            "title": "No consent data for the email channel"} in a.warnings
    out = export_audience(store, demo_con, a, RULE, NO_CONSENT, AS_OF, channel="email",
                          out_dir=tmp_path / "x", actor="eve")
    manifest = json.loads(Path(out.manifest).read_text())
    record = {"consent_data": False, "channel": "email",
              "statement": "exported without consent data: the data holds no consent for the "
                           "email channel",
              "acknowledged": wid, "acknowledged_by": "bob", "acknowledged_at": a.at}
    assert manifest["no_consent_data"] == record and out.no_consent_data == record
    assert manifest["count"] == a.count == demo_con.execute(VIP_WITH_EMAIL).fetchall()[0][0]
    [entry] = [e for e in store.audit_entries(100) if e.kind == "export"]
    assert entry.payload["no_consent_data"] == wid


def test_the_export_refuses_an_approval_without_the_acknowledgement(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # an approval recorded without the warning (before it existed): sealed, but not enough
    p = prepare(RULE, NO_CONSENT, AS_OF, demo_con, name="vip", store=store)
    kept = [w for w in p.warnings if w.code != "no_consent_data"]
    a = decide(store, name="vip", rule=RULE, catalog=NO_CONSENT, preview=p.preview,
               warnings=kept, approver="bob", author="ann",
               acknowledged=[w.id for w in kept if w.needs_ack])
    with pytest.raises(ExportError) as err:
        export_audience(store, demo_con, a, RULE, NO_CONSENT, AS_OF, channel="email",
                        out_dir=tmp_path / "x")
    assert err.value.code == "export_no_consent_unacknowledged"
    assert str(err.value) == ("the data holds no consent for the email channel and the approval "
                              "does not acknowledge it: approve it again with --ack "
                              "no_consent_data")
    assert not (tmp_path / "x").exists()


def test_a_channel_with_consent_exports_as_before(
        store: StateStore, demo_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a, p = _approve(store, demo_con, CAT)
    assert not [x for x in a.acknowledged if x.startswith("no_consent_data")]
    out = export_audience(store, demo_con, a, RULE, CAT, AS_OF, channel="email",
                          out_dir=tmp_path / "x")
    manifest = json.loads(Path(out.manifest).read_text())
    assert "no_consent_data" not in manifest and out.no_consent_data is None
    assert manifest["count"] == p.preview.count


def test_a_bare_code_acknowledges_only_a_warning_alone_with_it() -> None:
    def w(code: str, phrase: str) -> GuardWarning:
        return GuardWarning(code=code, severity="warning", title="t", explanation="e",
                            phrase=phrase)

    one, two, three = w("no_consent_data", "a"), w("sensitive_field", "b"), w(
        "sensitive_field", "c")
    warnings = [one, two, three]
    assert acknowledged_ids(["no_consent_data"], warnings) == {"no_consent_data", one.id}
    assert acknowledged_ids(["sensitive_field"], warnings) == {"sensitive_field"}
    assert acknowledged_ids([two.id], warnings) == {two.id}


def test_cli_approve_needs_the_ack_and_export_says_it(tmp_path: Path, demo_db: Path) -> None:
    cat = tmp_path / "no_consent.yaml"
    cat.write_text(NO_CONSENT_TEXT, encoding="utf-8")
    env = {"NL2SEG_DB": str(demo_db), "NL2SEG_STATE": str(tmp_path / "s.sqlite"),
           "NL2SEG_CATALOG": str(cat)}
    run = CliRunner().invoke
    args = ["approve", "clients VIP", "--name", "vipmail", "--by", "bob", "--channel", "email"]
    first = run(main, args, env=env)
    assert first.exit_code == 1 and "error [approval_unacknowledged]" in first.output
    assert "--ack no_consent_data states that the export goes out without consent" in \
        first.output
    ids = [line.split()[1] for line in first.output.splitlines()
           if line.strip().startswith("! ")]
    others = [x for i in ids if not i.startswith("no_consent_data:") for x in ("--ack", i)]
    assert len(others) == 2 * (len(ids) - 1)
    ok = run(main, [*args, *others, "--ack", "no_consent_data"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "Aucune donnée de consentement pour le canal email [acknowledged]" in ok.output
    exp = run(main, ["export", "vipmail", "--channel", "email", "--out", str(tmp_path / "o")],
              env=env)
    assert exp.exit_code == 0, exp.output
    assert ("! exported without consent data: the data holds no consent for the email channel "
            "(acknowledged by bob at ") in exp.output
    [manifest] = (tmp_path / "o").glob("*.manifest.json")
    assert json.loads(manifest.read_text())["no_consent_data"]["acknowledged_by"] == "bob"


def test_the_app_asks_for_the_acknowledgement_in_words(
        demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = tmp_path / "no_consent.yaml"
    cat.write_text(NO_CONSENT_TEXT, encoding="utf-8")
    for k, v in {"NL2SEG_DB": demo_db, "NL2SEG_STATE": tmp_path / "state.sqlite",
                 "NL2SEG_EXPORT_DIR": tmp_path / "exports", "NL2SEG_CATALOG": cat}.items():
        monkeypatch.setenv(k, str(v))
    monkeypatch.delenv("NL2SEG_FOUR_EYES", raising=False)
    at = AppTest.from_file(str(Path(__file__).parent.parent / "ui" / "app.py"),
                           default_timeout=60)
    at.run()
    at.text_input(key="author").input("ann")
    at.text_input(key="request_text").input("clients VIP pour une campagne email").run()
    assert not at.exception, at.exception
    [box] = [c for c in at.checkbox if c.key and c.key.startswith("ack_no_consent_data:")]
    key = box.key
    assert key is not None
    assert box.label == ("Lu et accepté : les données ne contiennent aucun consentement pour ce "
                         "canal et l'export part sans (le manifeste l'enregistre)")
    for c in at.checkbox:
        if c.key and c.key.startswith("ack_") and c.key != key:
            c.check()
    at.text_input(key="reviewer").input("bob")
    at.checkbox(key="confirm").check()
    at.run()
    at.button(key="approve").click().run()
    assert not any(s.value.startswith("Approuvée : ") for s in at.success)  # not acknowledged
    [error] = [e.value.replace("\\", "") for e in at.error]
    assert error.startswith("Cochez « Lu et accepté » sous chaque avertissement.")
    assert "1 warning(s) not acknowledged: no_consent_data:" in error
    at.checkbox(key=key).check()
    at.run()
    at.button(key="approve").click().run()
    assert any(s.value.startswith("Approuvée : ") for s in at.success), \
        [e.value for e in at.error]
    at.button(key="export").click().run()
    assert any(w.value.startswith("Exporté SANS données de consentement (absence reconnue par "
                                  "bob") for w in at.warning)
    [manifest] = (tmp_path / "exports").glob("*.manifest.json")
    assert json.loads(manifest.read_text())["no_consent_data"]["acknowledged_by"] == "bob"
