"""The app in a real browser: Debian's chromium driven by Playwright, one French request
from the question to an approved export, with a screenshot of each screen; then an ambiguous
request (its readings as cards, one click to switch) and a refused one (its suggestions and
its partial rule), with the local translator's real answers.

Screenshots go to ``test-output/screens/`` (look at them). The test needs /usr/bin/chromium
(``.ci/run`` installs it with apt-get); elsewhere it is skipped, unless
NL2SEG_REQUIRE_BROWSER=1 (set by CI) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parent.parent
SCREENS = ROOT / "test-output" / "screens"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

if not CHROMIUM.exists():
    if os.environ.get("NL2SEG_REQUIRE_BROWSER") == "1":
        raise RuntimeError("NL2SEG_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: "
                           "apt-get install -y chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server(demo_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {**os.environ, "NL2SEG_DB": str(demo_db), "NL2SEG_STATE": str(tmp_path / "s.sqlite"),
           "NL2SEG_EXPORT_DIR": str(tmp_path / "exports")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the app did not start within 60 s")
        yield url, tmp_path / "exports"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def idle(page: object) -> None:
    """Wait for Streamlit's rerun to finish (its status widget hides)."""
    page.wait_for_timeout(400)  # type: ignore[attr-defined]
    page.locator('[data-testid="stStatusWidget"]').wait_for(  # type: ignore[attr-defined]
        state="hidden", timeout=30_000)


def shot(page: object, name: str) -> None:
    idle(page)
    page.wait_for_timeout(800)  # type: ignore[attr-defined]  # tab indicator and charts settle
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_french_request_to_an_approved_export(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, exports = server
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        expect(page.get_by_label("Votre nom (auteur)")).to_be_visible(timeout=30_000)
        page.get_by_label("Votre nom (auteur)").fill("Ann")
        page.get_by_label("Votre nom (auteur)").press("Enter")
        idle(page)
        box = page.get_by_label("Qui voulez-vous cibler ?")
        box.fill("clientes VIP qui ont acheté au moins 2 fois en magasin sur les 6 derniers "
                 "mois, pour une campagne email")
        box.press("Enter")  # Enter → the interpretation
        expect(page.get_by_text("Ce que j'ai compris")).to_be_attached(timeout=30_000)
        idle(page)
        page.get_by_role("tab", name="2. Interprétation").click()
        expect(page.get_by_text("Ce que j'ai compris")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("audience pour le canal email").first).to_be_visible()
        page.get_by_role("tab", name="1. Demander").click()
        shot(page, "1-ask")
        page.get_by_role("tab", name="2. Interprétation").click()
        shot(page, "2-interpretation")
        page.get_by_role("tab", name="3. Aperçu").click()
        expect(page.get_by_text("Entonnoir")).to_be_visible()
        shot(page, "3-preview")
        page.get_by_role("tab", name="4. Validation").click()
        for box in page.get_by_text("Lu et accepté").all():
            box.click()
            idle(page)
        page.get_by_label("Relecteur").fill("Bob")
        page.get_by_label("Relecteur").press("Enter")
        idle(page)
        page.get_by_text("Je confirme avoir relu la règle").click()
        idle(page)
        page.get_by_role("button", name="Approuver").click()
        expect(page.get_by_text("Approuvée :").first).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="4. Validation").click()
        shot(page, "4-review")
        page.get_by_role("tab", name="5. Export").click()
        page.get_by_role("button", name="Exporter").click()
        expect(page.get_by_text("lignes écrites dans").first).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="5. Export").click()
        shot(page, "5-export")
        page.get_by_role("tab", name="6. Historique").click()
        expect(page.get_by_text("Journal intègre").first).to_be_visible()
        shot(page, "6-history")
        browser.close()
    files = list(exports.glob("*.csv"))
    assert len(files) == 1
    header = files[0].read_text().splitlines()[0]
    assert header == "customer_id,email"
    for name in ("1-ask", "2-interpretation", "3-preview", "4-review", "5-export", "6-history"):
        assert (SCREENS / f"{name}.png").stat().st_size > 10_000


AMBIGUOUS = "clients qui ont acheté des chaussures mais jamais de vêtements cette année"
REFUSED = "clients VIP avec un gros salaire"


def ask(page: object, request: str) -> None:
    page.get_by_role("tab", name="1. Demander").click()  # type: ignore[attr-defined]
    box = page.get_by_label("Qui voulez-vous cibler ?")  # type: ignore[attr-defined]
    box.fill(request)
    box.press("Enter")
    idle(page)


def test_readings_and_a_refusal_as_a_marketer_sees_them(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(url)
        expect(page.get_by_label("Qui voulez-vous cibler ?")).to_be_visible(timeout=30_000)
        # an ambiguous request: every reading a card with its size, the chosen one marked
        ask(page, AMBIGUOUS)
        page.get_by_role("tab", name="2. Interprétation").click()
        expect(page.get_by_text("La demande peut se lire de").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Lecture 1 · ✓ retenue")).to_be_visible()
        cards = page.locator('[class*="st-key-reading_card_"]')
        assert cards.count() >= 2
        size = re.compile(r"^[\d ]+ clients?$")  # « 1 234 clients »
        for i in range(cards.count()):
            expect(cards.nth(i).get_by_text(size)).to_be_visible()
        shot(page, "2-interpretation-readings")
        page.get_by_role("button", name="Choisir cette lecture").first.click()
        idle(page)
        page.get_by_role("tab", name="2. Interprétation").click()
        expect(page.get_by_text("Lecture 2 · ✓ retenue")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Lecture 1 · ✓ retenue")).to_have_count(0)
        # a refusal: the unknown words with their nearest terms, and the partial rule
        ask(page, REFUSED)
        expect(page.get_by_text("Demande refusée")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Vouliez-vous dire…")).to_be_visible()
        expect(page.get_by_text("Partir de cette règle partielle")).to_be_visible()
        shot(page, "1-ask-refusal")
        page.locator('[class*="st-key-suggest_0"] button').first.click()
        idle(page)
        box = page.get_by_label("Qui voulez-vous cibler ?")
        expect(box).not_to_have_value(REFUSED)  # the word replaced, the request translated again
        ask(page, REFUSED)
        page.get_by_role("button", name="Partir de cette règle partielle").click()
        idle(page)
        page.get_by_role("tab", name="2. Interprétation").click()
        expect(page.get_by_text("Règle partielle").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Mots non utilisés").first).to_be_visible()
        shot(page, "2-interpretation-partial")
        browser.close()
    for name in ("2-interpretation-readings", "1-ask-refusal", "2-interpretation-partial"):
        assert (SCREENS / f"{name}.png").stat().st_size > 10_000
