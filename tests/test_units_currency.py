"""Currency words come from the catalog's unit (issue 11 §6), in French and English.

The demo catalog's amounts are in EUR; a copy with every amount in USD stands for a US
warehouse. On each, the words of its own currency make an amount (the same rule whatever
the spelling), the words of the other are refused with the currency message (never read as
the catalog's currency at par), and the read-back writes amounts with the catalog's symbol.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nl2seg.catalog import Catalog, load_catalog
from nl2seg.readback import read_back
from nl2seg.rule import EventCondition, Rule
from nl2seg.rule.canonical import canonical, fingerprint
from nl2seg.translate import translate_local
from nl2seg.translate.expected import stated_size
from nl2seg.translate.normalize import tokenize
from nl2seg.translate.numbers import CURRENCY_WORDS, MONEY, find_numbers, money_words

AS_OF = dt.date(2026, 6, 30)
EUR = load_catalog()


def in_currency(catalog: Catalog, unit: str) -> Catalog:
    """``catalog`` with every amount in ``unit``."""
    events = {
        name: ev.model_copy(update={"properties": {
            p: (prop.model_copy(update={"unit": unit}) if prop.unit else prop)
            for p, prop in ev.properties.items()}})
        for name, ev in catalog.events.items()}
    return catalog.model_copy(update={"events": events})


USD = in_currency(EUR, "USD")


def spent_over(value: int) -> Rule:
    return Rule(where=EventCondition(event="purchase", aggregate="sum", property="amount",
                                     op="gt", value=value))


def rule_of(request: str, catalog: Catalog) -> Rule:
    t = translate_local(request, catalog, AS_OF)
    assert t.rule is not None, t.refusal_reason
    return t.rule


@pytest.mark.parametrize("request_text", [
    "customers who spent over 500 dollars",
    "clients qui ont dépensé plus de 500 dollars",
    "customers who spent over $500",
    "customers who spent more than 500 USD",
    "customers who spent more than USD 500",
    "customers who spent over 500$",
    "customers who spent over US$500",
    "customers who spent over 500 bucks",
    "clients qui ont dépensé plus de 500 $",
])
def test_the_words_of_a_usd_catalog_give_one_rule(request_text: str) -> None:
    rule = rule_of(request_text, USD)
    assert canonical(rule) == canonical(spent_over(500))
    assert fingerprint(rule) == fingerprint(spent_over(500))


@pytest.mark.parametrize("request_text", [
    "customers who spent over $1k", "customers who spent over 1k$",
    "customers who spent over 1k dollars", "clients qui ont dépensé plus de 1k USD"])
def test_thousands_in_dollars(request_text: str) -> None:
    assert canonical(rule_of(request_text, USD)) == canonical(spent_over(1000))


@pytest.mark.parametrize("request_text", [
    "customers who spent over 500 euros", "clients qui ont dépensé plus de 500 €",
    "clients qui ont dépensé plus de 500 EUR", "clients qui ont dépensé plus de 500 balles"])
def test_the_words_of_a_eur_catalog_still_give_the_same_rule(request_text: str) -> None:
    assert canonical(rule_of(request_text, EUR)) == canonical(spent_over(500))


@pytest.mark.parametrize(("request_text", "catalog", "word", "unit"), [
    ("customers who spent over 500 dollars", EUR, "dollars", "EUR"),
    ("customers who spent over $500", EUR, "$", "EUR"),
    ("customers who spent more than 500 USD", EUR, "USD", "EUR"),
    ("customers who spent over 500 bucks", EUR, "bucks", "EUR"),
    ("customers who spent over 500 euros", USD, "euros", "USD"),
    ("customers who spent over 500 €", USD, "€", "USD"),
])
def test_another_currency_is_refused_never_read_at_par(request_text: str, catalog: Catalog,
                                                       word: str, unit: str) -> None:
    t = translate_local(request_text, catalog, AS_OF)
    assert t.rule is None and t.refused
    assert t.refusal_reason == (f"the catalog's amounts are in {unit} and \"{word}\" is another "
                                f"currency: write the amount in {unit}.")
    assert t.unmapped == [word]


def test_the_refusal_speaks_french() -> None:
    t = translate_local("clients qui ont dépensé plus de 500 balles", USD, AS_OF)
    assert t.refusal_reason == ("les montants du catalogue sont en USD et « balles » est dans "
                                "une autre devise : écrivez le montant en USD.")
    t = translate_local("clients qui ont dépensé plus de 500 dollars", EUR, AS_OF)
    assert t.refusal_reason == ("les montants du catalogue sont en EUR et « dollars » est dans "
                                "une autre devise : écrivez le montant en EUR.")


def test_a_colloquial_word_is_a_currency_only_after_a_number() -> None:
    # « balles de golf » names no amount: an unknown word, not another currency
    t = translate_local("clients avec des balles de golf", USD, AS_OF)
    assert t.refused and t.unmapped == ["balles", "golf"]
    assert t.refusal_reason is not None and "devise" not in t.refusal_reason


def test_money_words_follow_the_units() -> None:
    assert money_words(["USD"]) == frozenset({"$", "usd", "dollar", "dollars", "bucks"})
    assert money_words(["eur"]) == CURRENCY_WORDS["EUR"]
    assert money_words([]) == MONEY and money_words(["GBP"]) == MONEY
    toks = tokenize("plus de 500 dollars ou 80 €")
    assert [(n.value, n.money) for n in find_numbers(toks, money_words(["EUR"]))] == [
        (500, False), (80, True)]
    assert [(n.value, n.money) for n in find_numbers(toks, money_words(["USD"]))] == [
        (500, True), (80, False)]


@pytest.mark.parametrize("text", ["spent about 500 dollars", "about 500 USD", "about 500$",
                                  "environ 500 balles", "about 500 bucks"])
def test_an_amount_in_dollars_is_not_a_stated_size(text: str) -> None:
    assert stated_size(text) is None


@pytest.mark.parametrize(("catalog", "lang", "expected"), [
    (USD, "en", "Customers who spent more than $500 in total on purchases ever (up to 30 June "
                "2026)."),
    (USD, "fr", "Clients ayant dépensé au total plus de 500 $ sur les achats depuis toujours "
                "(jusqu'au 30 juin 2026)."),
    (EUR, "en", "Customers who spent more than €500 in total on purchases ever (up to 30 June "
                "2026)."),
    (EUR, "fr", "Clients ayant dépensé au total plus de 500 € sur les achats depuis toujours "
                "(jusqu'au 30 juin 2026)."),
])
def test_the_readback_writes_the_catalogs_currency(catalog: Catalog, lang: str,
                                                   expected: str) -> None:
    assert read_back(spent_over(500), catalog, AS_OF, lang) == expected  # type: ignore[arg-type]


def test_the_readback_of_an_average_and_a_range_in_dollars() -> None:
    rule = rule_of("customers who spent between 100 and 250.5 dollars this year", USD)
    assert read_back(rule, USD, AS_OF, "en") == (
        "Customers who spent between $100 and $250.50 inclusive in total on purchases between "
        "1 January 2026 and 30 June 2026 inclusive.")
    assert read_back(rule, USD, AS_OF, "fr") == (
        "Clients ayant dépensé au total entre 100 $ et 250,50 $ inclus sur les achats entre le "
        "1er janvier 2026 et le 30 juin 2026 inclus.")
    aov = rule_of("clients avec un panier moyen supérieur à 80 dollars", USD)
    assert read_back(aov, USD, AS_OF, "en") == (
        "Customers with an average amount of more than $80 per purchase ever (up to 30 June "
        "2026).")
