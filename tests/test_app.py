"""The review app, driven headless with Streamlit's AppTest: the whole flow and its gates.

ask → interpret → edit → preview → acknowledge → approve → export, on the session's demo
database; then: no export before approval, an edit voids the approval, blocking warnings
prevent approval, four-eyes refuses self-approval, errors appear as messages.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parent.parent / "ui" / "app.py")
FLAGSHIP = "clientes VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers mois"


@pytest.fixture()
def app(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("NL2SEG_DB", str(demo_db))
    monkeypatch.setenv("NL2SEG_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.setenv("NL2SEG_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.delenv("NL2SEG_FOUR_EYES", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def ask(at: AppTest, request: str, author: str = "ann") -> AppTest:
    at.text_input(key="author").input(author)
    at.text_input(key="request_text").input(request).run()
    assert not at.exception, at.exception
    return at


def approve_all(at: AppTest, reviewer: str = "bob") -> AppTest:
    for c in at.checkbox:
        if c.key and c.key.startswith("ack_"):
            c.check()
    at.text_input(key="reviewer").input(reviewer)
    at.checkbox(key="confirm").check()
    at.run()
    at.button(key="approve").click().run()
    return at


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


STORE2_VIP = """
SELECT count(*) FROM crm.customers c WHERE c.loyalty_tier = 'vip' AND c.customer_id IN (
  SELECT customer_id FROM pos.transactions WHERE customer_id IS NOT NULL
    AND transaction_at >= TIMESTAMP '2026-01-01' AND transaction_at < TIMESTAMP '2026-07-01'
  GROUP BY 1 HAVING count(*) >= 2)"""


def test_the_whole_flow_in_french(app: AppTest, demo_con: duckdb.DuckDBPyConnection,
                                  tmp_path: Path) -> None:
    ask(app, FLAGSHIP)
    readback = app.info[0].value
    assert readback.startswith("Clients ayant au moins 2 achats en magasin entre le 1er janvier "
                               "2026 et le 30 juin 2026 inclus")
    assert "genre : femmes" in readback
    # edit: drop the gender condition (the second one)
    labels = [m.value for m in app.markdown if m.value.startswith("**2.**")]
    assert labels == ["**2.** avec genre : femmes"]
    app.button(key="rm_1").run()
    app.button(key="rm_1").click().run()
    expected = count(demo_con, STORE2_VIP)
    assert app.metric[0].value == f"{expected:,}".replace(",", " ")
    # the why-in/out look-up and the segment analysis render
    assert any(m.value in ("**Dans l'audience**", "**Hors audience**") for m in app.markdown)
    assert app.selectbox(key="dimension").value == "crm.customers.gender"
    approve_all(app)
    assert any(s.value.startswith("Approuvée : ") for s in app.success), \
        [e.value for e in app.error]
    app.button(key="export").click().run()
    files = list((tmp_path / "exports").glob("*.csv"))
    assert len(files) == 1 and files[0].with_name(files[0].name + ".manifest.json").exists()
    with files[0].open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["customer_id"] and len(rows) - 1 == expected
    history = [s.value for s in app.success if s.value.startswith("Journal intègre")]
    assert history and "chaîne vérifiée" in history[0]


def test_english_request_and_channel_audience(app: AppTest) -> None:
    ask(app, "women who opened an email in the last 30 days, for an SMS campaign")
    assert app.info[0].value.startswith("Customers with at least one email activity")
    assert "audience for the SMS channel" in app.info[0].value
    assert app.selectbox(key="channel_select").value == "sms"


def test_no_export_before_approval(app: AppTest) -> None:
    ask(app, "clients VIP")
    assert not [b for b in app.button if b.key == "export"]
    assert any("Export possible seulement pour une audience approuvée" in i.value
               for i in app.info)


def test_an_edit_voids_the_approval(app: AppTest) -> None:
    ask(app, "clients VIP qui ont acheté en magasin")
    approve_all(app)
    assert any(s.value.startswith("Approuvée par bob") for s in app.success)
    app.button(key="rm_0").click().run()
    assert any(w.value.startswith("Approbation annulée : la règle a changé")
               for w in app.warning)
    assert not [b for b in app.button if b.key == "export"]


def test_a_new_request_starts_from_its_own_rule(app: AppTest) -> None:
    """Nothing of the previous audience carries over: AND/OR, channel, acknowledgements, the
    "I confirm" box, the name."""
    ask(app, "clients VIP de Marseille")
    app.radio(key="combiner").set_value("any").run()
    assert " ou " in app.info[0].value
    for c in app.checkbox:
        if c.key and c.key.startswith("ack_"):
            c.check()
    app.checkbox(key="confirm").check().run()
    first = app.text_input(key="audience_name").value
    ask(app, "clientes lyonnaises qui ont acheté en ligne depuis janvier, pour une campagne "
             "email")
    assert app.radio(key="combiner").value == "all" and " ou " not in app.info[0].value
    assert app.selectbox(key="channel_select").value == "email"
    assert not app.checkbox(key="confirm").value
    assert not [c for c in app.checkbox if c.key and c.key.startswith("ack_") and c.value]
    assert app.text_input(key="audience_name").value != first
    # two requests that start alike are two audiences
    ask(app, "clientes lyonnaises qui ont acheté en ligne le mois dernier")
    assert app.text_input(key="audience_name").value.startswith("clientes-lyonnaises-qui-ont")
    assert app.text_input(key="audience_name").value != first


def test_a_refused_request_keeps_the_rule_on_screen(app: AppTest) -> None:
    ask(app, "clients VIP")
    app.button(key="rm_0").run()
    ask(app, "licornes VIP")
    assert any("licornes" in e.value for e in app.error)
    assert app.info[0].value.startswith("Clients avec niveau de fidélité : VIP")
    assert any("la règle ci-dessous est la précédente" in w.value for w in app.warning)


def test_blocking_warning_prevents_approval(app: AppTest) -> None:
    ask(app, "clients VIP qui n'ont jamais acheté et qui ont acheté en magasin")  # nobody
    assert any("Audience vide" in e.value for e in app.error)
    for c in app.checkbox:
        if c.key and c.key.startswith("ack_"):
            c.check()
    app.text_input(key="reviewer").input("bob")
    app.checkbox(key="confirm").check().run()
    assert app.button(key="approve").disabled  # a browser user cannot click it
    assert not any(s.value.startswith("Approuvée") for s in app.success)


def test_four_eyes_refuses_self_approval(app: AppTest,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NL2SEG_FOUR_EYES", "1")
    ask(app, "clients VIP", author="ann")
    approve_all(app, reviewer="ann")
    assert any(e.value.startswith("Mode quatre yeux : l'auteur de la règle ne peut pas")
               for e in app.error)
    approve_all(app, reviewer="bob")
    assert any(s.value.startswith("Approuvée : ") for s in app.success)


def test_refusal_and_missing_database_are_messages(app: AppTest, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ask(app, "clients qui aiment les licornes")
    assert any(e.value.startswith("Demande refusée : je ne sais pas ce que signifie")
               for e in app.error)
    monkeypatch.setenv("NL2SEG_DB", str(tmp_path / "nope.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("Base introuvable")
