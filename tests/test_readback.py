"""The plain-language read-back: exact sentences in French and English, labels from the catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from nl2seg.catalog import Catalog, load_catalog, parse_catalog
from nl2seg.readback import describe_condition, format_date, format_number, read_back
from nl2seg.rule.nodes import (
    Age,
    All,
    AnyOf,
    Attribute,
    CalendarWindow,
    DateIn,
    DatesWindow,
    EventCondition,
    LastWindow,
    MoreThanAgoWindow,
    Not,
    PropertyFilter,
    Rule,
    Score,
    SegmentRef,
)

AS_OF = dt.date(2026, 6, 30)
C = "crm.customers."
S = "crm.scores."
STORE = PropertyFilter(property="channel", op="eq", value="store")


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return load_catalog()


# (name, rule, French, English) over the demo catalog at AS_OF.
CASES: list[tuple[str, Rule, str, str]] = [
    (
        "vip_store_last_6_months",
        Rule(where=All(conditions=[
            Attribute(field=C + "loyalty_tier", op="eq", value="vip"),
            EventCondition(event="purchase", filters=[STORE], window=LastWindow(n=6, unit="month"),
                           aggregate="count", op="gte", value=2),
        ])),
        "Clients avec niveau de fidélité : VIP et ayant au moins 2 achats en magasin entre le "
        "1er janvier 2026 et le 30 juin 2026 inclus.",
        "Customers with loyalty tier: VIP and with at least 2 purchases in store between "
        "1 January 2026 and 30 June 2026 inclusive.",
    ),
    (
        "ne",
        Rule(where=Attribute(field=C + "loyalty_tier", op="ne", value="none")),
        "Clients avec niveau de fidélité : autre que sans carte.",
        "Customers with loyalty tier: other than no loyalty card.",
    ),
    (
        "in_raw_values",
        Rule(where=Attribute(field=C + "city", op="in", values=["Paris", "Lyon", "Marseille"])),
        "Clients avec ville : Paris, Lyon ou Marseille.",
        "Customers with city: Paris, Lyon or Marseille.",
    ),
    (
        "not_in_labelled_values",
        Rule(where=Attribute(field=C + "country", op="not_in", values=["BE", "CH"])),
        "Clients avec pays : autre que Belgique ou Suisse.",
        "Customers with country: other than Belgium or Switzerland.",
    ),
    (
        "gt_thousands",
        Rule(where=Attribute(field=C + "loyalty_points", op="gt", value=1000)),
        "Clients avec points de fidélité : plus de 1 000.",
        "Customers with loyalty points: more than 1,000.",
    ),
    (
        "between_and_lte_and_lt",
        Rule(where=AnyOf(conditions=[
            Attribute(field=C + "loyalty_points", op="between", values=[100, 2500]),
            Attribute(field=C + "loyalty_points", op="lte", value=50),
            Attribute(field=C + "loyalty_points", op="lt", value=10),
        ])),
        "Clients avec points de fidélité : entre 100 et 2 500 inclus, avec points de fidélité : "
        "au plus 50 ou avec points de fidélité : moins de 10.",
        "Customers with loyalty points: between 100 and 2,500 inclusive, with loyalty points: "
        "at most 50 or with loyalty points: less than 10.",
    ),
    (
        "null_and_not_null",
        Rule(where=All(conditions=[Attribute(field=C + "phone", op="is_null"),
                                   Attribute(field=C + "email", op="is_not_null"),
                                   Attribute(field=C + "push_opt_in", op="is_null")])),
        "Clients sans téléphone mobile, avec adresse email et avec consentement push : "
        "ni oui ni non.",
        "Customers without mobile phone, with email address and with push opt-in: "
        "neither yes nor no.",
    ),
    (
        "text_operators",
        Rule(where=All(conditions=[
            Attribute(field=C + "last_name", op="starts_with", value="Dup"),
            Attribute(field=C + "first_name", op="contains", value="an"),
            Attribute(field=C + "postal_code", op="ends_with", value="000"),
        ])),
        "Clients avec nom : commence par \"Dup\", avec prénom : contient \"an\" et avec "
        "code postal : se termine par \"000\".",
        "Customers with last name: starts with \"Dup\", with first name: contains \"an\" and "
        "with postal code: ends with \"000\".",
    ),
    (
        "booleans",
        Rule(where=All(conditions=[
            Attribute(field=C + "email_opt_in", op="eq", value=True),
            Attribute(field=C + "sms_opt_in", op="ne", value=True),
        ])),
        "Clients avec consentement email : oui et avec consentement SMS : non.",
        "Customers with email opt-in: yes and with SMS opt-in: no.",
    ),
    (
        "age_over_50",
        Rule(where=Age(field=C + "birth_date", op="gt", value=50)),
        "Clients âgés de plus de 50 ans (âge au 30 juin 2026).",
        "Customers aged over 50 (age at 30 June 2026).",
    ),
    (
        "women_25_34",
        Rule(where=All(conditions=[
            Attribute(field=C + "gender", op="eq", value="F"),
            Age(field=C + "birth_date", op="between", values=[25, 34]),
        ])),
        "Clients avec genre : femmes et âgés de 25 à 34 ans inclus (âge au 30 juin 2026).",
        "Customers with gender: women and aged 25 to 34 inclusive (age at 30 June 2026).",
    ),
    (
        "age_gte_lte",
        Rule(where=AnyOf(conditions=[Age(field=C + "birth_date", op="gte", value=65),
                                     Age(field=C + "birth_date", op="lte", value=17)])),
        "Clients âgés de 65 ans ou plus (âge au 30 juin 2026) ou âgés de 17 ans ou moins "
        "(âge au 30 juin 2026).",
        "Customers aged 65 or over (age at 30 June 2026) or aged 17 or under "
        "(age at 30 June 2026).",
    ),
    (
        "signup_last_30_days",
        Rule(where=DateIn(field=C + "signup_date", window=LastWindow(n=30, unit="day"))),
        "Clients avec date d'inscription entre le 1er juin 2026 et le 30 juin 2026 inclus.",
        "Customers with signup date between 1 June 2026 and 30 June 2026 inclusive.",
    ),
    (
        "signup_more_than_3_months_ago",
        Rule(where=DateIn(field=C + "signup_date", window=MoreThanAgoWindow(n=3, unit="month"))),
        "Clients avec date d'inscription avant le 1er avril 2026.",
        "Customers with signup date before 1 April 2026.",
    ),
    (
        "signup_fixed_dates_and_attribute_date",
        Rule(where=AnyOf(conditions=[
            DateIn(field=C + "signup_date", window=DatesWindow(before=dt.date(2024, 1, 1))),
            Attribute(field=C + "signup_date", op="gte", value="2026-02-02"),
        ])),
        "Clients avec date d'inscription avant le 1er janvier 2024 ou avec date d'inscription "
        "le 2 février 2026 ou après.",
        "Customers with signup date before 1 January 2024 or with signup date on or after "
        "2 February 2026.",
    ),
    (
        "churn_high_level",
        Rule(where=Score(field=S + "churn_score", op="gt", value=0.8)),
        "Clients avec fort risque d'attrition (risque d'attrition : plus de 0,8).",
        "Customers with high churn risk (churn risk: more than 0.8).",
    ),
    (
        "score_without_level_and_values",
        Rule(where=All(conditions=[
            Score(field=S + "appetence_shoes", op="gte", value=0.7),
            Score(field=S + "rfm_segment", op="in", values=["at_risk", "hibernating"]),
        ])),
        "Clients avec appétence chaussures : au moins 0,7 et avec segment RFM : à risque ou "
        "en hibernation.",
        "Customers with propensity for shoes: at least 0.7 and with RFM segment: at risk or "
        "hibernating.",
    ),
    (
        "clv_top_10_percent",
        Rule(where=Score(field=S + "clv_eur", op="top_percent", value=10)),
        "Clients dans les 10 % les plus élevés de valeur client prédite.",
        "Customers in the top 10% for predicted lifetime value.",
    ),
    (
        "purchase_last_7_days",
        Rule(where=EventCondition(event="purchase", window=LastWindow(n=7, unit="day"))),
        "Clients ayant au moins un achat entre le 24 juin 2026 et le 30 juin 2026 inclus.",
        "Customers with at least one purchase between 24 June 2026 and 30 June 2026 inclusive.",
    ),
    (
        "never_bought",
        Rule(where=EventCondition(event="purchase", aggregate="none")),
        "Clients n'ayant aucun achat depuis toujours (jusqu'au 30 juin 2026).",
        "Customers with no purchase ever (up to 30 June 2026).",
    ),
    (
        "not_exists_last_month_feminine_event",
        Rule(where=Not(condition=EventCondition(
            event="order", window=CalendarWindow(unit="month", offset=-1)))),
        "Clients n'ayant aucune commande web entre le 1er mai 2026 et le 31 mai 2026 inclus.",
        "Customers with no web order between 1 May 2026 and 31 May 2026 inclusive.",
    ),
    (
        "spent_last_year",
        Rule(where=EventCondition(event="purchase", filters=[STORE],
                                  window=CalendarWindow(unit="year", offset=-1),
                                  aggregate="sum", property="amount", op="gt", value=500)),
        "Clients ayant dépensé au total plus de 500 € sur les achats en magasin entre le "
        "1er janvier 2025 et le 31 décembre 2025 inclus.",
        "Customers who spent more than €500 in total on purchases in store between "
        "1 January 2025 and 31 December 2025 inclusive.",
    ),
    (
        "spent_between_this_year",
        Rule(where=EventCondition(event="purchase", window=CalendarWindow(unit="year"),
                                  aggregate="sum", property="amount", op="between",
                                  values=[1000, 2500.5])),
        "Clients ayant dépensé au total entre 1 000 € et 2 500,50 € inclus sur les achats entre "
        "le 1er janvier 2026 et le 30 juin 2026 inclus.",
        "Customers who spent between €1,000 and €2,500.50 inclusive in total on purchases "
        "between 1 January 2026 and 30 June 2026 inclusive.",
    ),
    (
        "average_basket_online",
        Rule(where=EventCondition(
            event="purchase", filters=[PropertyFilter(property="channel", op="eq", value="online")],
            window=LastWindow(n=1, unit="year"), aggregate="avg", property="amount", op="gte",
            value=80)),
        "Clients avec un montant moyen d'au moins 80 € par achat en ligne entre le "
        "1er juillet 2025 et le 30 juin 2026 inclus.",
        "Customers with an average amount of at least €80 per purchase online between "
        "1 July 2025 and 30 June 2026 inclusive.",
    ),
    (
        "min_and_max",
        Rule(where=All(conditions=[
            EventCondition(event="support_ticket", aggregate="min", property="satisfaction",
                           op="lte", value=2, window=LastWindow(n=3, unit="month")),
            EventCondition(event="order", aggregate="max", property="amount", op="lt",
                           value=30.5),
        ])),
        "Clients avec une satisfaction minimum d'au plus 2 sur les tickets SAV entre le "
        "1er avril 2026 et le 30 juin 2026 inclus et avec un montant maximum de moins de "
        "30,50 € sur les commandes web depuis toujours (jusqu'au 30 juin 2026).",
        "Customers with a minimum satisfaction of at most 2 across support tickets between "
        "1 April 2026 and 30 June 2026 inclusive and with a maximum amount of less than €30.50 "
        "across web orders ever (up to 30 June 2026).",
    ),
    (
        "sum_without_unit",
        Rule(where=EventCondition(event="support_ticket", aggregate="sum",
                                  property="satisfaction", op="between", values=[1, 5])),
        "Clients avec un total de satisfaction entre 1 et 5 inclus sur les tickets SAV depuis "
        "toujours (jusqu'au 30 juin 2026).",
        "Customers with a total satisfaction of between 1 and 5 inclusive across support tickets "
        "ever (up to 30 June 2026).",
    ),
    (
        "first_purchase_this_quarter",
        Rule(where=EventCondition(event="purchase", aggregate="first",
                                  window=CalendarWindow(unit="quarter"))),
        "Clients dont le premier achat a eu lieu entre le 1er avril 2026 et le 30 juin 2026 "
        "inclus.",
        "Customers whose first purchase was between 1 April 2026 and 30 June 2026 inclusive.",
    ),
    (
        "last_purchase_more_than_3_months_ago",
        Rule(where=EventCondition(event="purchase", filters=[STORE], aggregate="last",
                                  window=MoreThanAgoWindow(n=3, unit="month"))),
        "Clients dont le dernier achat en magasin a eu lieu avant le 1er avril 2026.",
        "Customers whose last purchase in store was before 1 April 2026.",
    ),
    (
        "first_order_in_march",
        Rule(where=EventCondition(event="order", aggregate="first", window=DatesWindow(
            since=dt.date(2026, 3, 1), before=dt.date(2026, 4, 1)))),
        "Clients dont la première commande web a eu lieu entre le 1er mars 2026 et le "
        "31 mars 2026 inclus.",
        "Customers whose first web order was between 1 March 2026 and 31 March 2026 inclusive.",
    ),
    (
        "category_and_device_filters_exactly_one_in_2025",
        Rule(where=EventCondition(
            event="purchase",
            filters=[PropertyFilter(property="category", op="eq", value="shoes"),
                     PropertyFilter(property="device", op="in", values=["mobile", "app"])],
            window=DatesWindow(since=dt.date(2025, 1, 1), before=dt.date(2026, 1, 1)),
            aggregate="count", op="eq", value=1)),
        "Clients ayant exactement 1 achat (catégorie de produit : chaussures, appareil : mobile "
        "ou appli) entre le 1er janvier 2025 et le 31 décembre 2025 inclus.",
        "Customers with exactly 1 purchase (product category: shoes, device: mobile or app) "
        "between 1 January 2025 and 31 December 2025 inclusive.",
    ),
    (
        "count_ne_last_2_weeks",
        Rule(where=EventCondition(
            event="web_visit",
            filters=[PropertyFilter(property="event_type", op="eq", value="add_to_cart")],
            window=LastWindow(n=2, unit="week"), aggregate="count", op="ne", value=3)),
        "Clients ayant un nombre d'activités sur le site ou l'appli (action : ajout au panier) "
        "entre le 17 juin 2026 et le 30 juin 2026 inclus autre que 3.",
        "Customers with a number of site or app activities (action: add to cart) between "
        "17 June 2026 and 30 June 2026 inclusive other than 3.",
    ),
    (
        "count_between_yesterday",
        Rule(where=EventCondition(
            event="email_activity",
            filters=[PropertyFilter(property="event_type", op="eq", value="open")],
            window=CalendarWindow(unit="day", offset=-1), aggregate="count", op="between",
            values=[2, 5])),
        "Clients ayant de 2 à 5 activités email (action : ouvert) le 29 juin 2026.",
        "Customers with 2 to 5 email activities (action: opened) on 29 June 2026.",
    ),
    (
        "count_lt_and_gt",
        Rule(where=AnyOf(conditions=[
            EventCondition(event="purchase", window=CalendarWindow(unit="week"),
                           aggregate="count", op="lt", value=3),
            EventCondition(event="purchase", window=CalendarWindow(unit="month"),
                           aggregate="count", op="gt", value=1000),
        ])),
        "Clients ayant moins de 3 achats entre le 29 juin 2026 et le 30 juin 2026 inclus ou "
        "ayant plus de 1 000 achats entre le 1er juin 2026 et le 30 juin 2026 inclus.",
        "Customers with fewer than 3 purchases between 29 June 2026 and 30 June 2026 inclusive "
        "or with more than 1,000 purchases between 1 June 2026 and 30 June 2026 inclusive.",
    ),
    (
        "filters_without_value_list",
        Rule(where=EventCondition(event="purchase", filters=[
            PropertyFilter(property="promo_code", op="is_not_null"),
            PropertyFilter(property="brand", op="contains", value="Nike"),
            PropertyFilter(property="amount", op="gt", value=100),
        ], window=DatesWindow(since=dt.date(2026, 5, 1)))),
        "Clients ayant au moins un achat (avec code promo, marque : contient \"Nike\", "
        "montant : plus de 100 €) entre le 1er mai 2026 et le 30 juin 2026 inclus.",
        "Customers with at least one purchase (with promo code, brand: contains \"Nike\", "
        "amount: more than €100) between 1 May 2026 and 30 June 2026 inclusive.",
    ),
    (
        "segment_exclusion_sms_audience",
        Rule(where=All(conditions=[
            Attribute(field=C + "loyalty_tier", op="in", values=["gold", "vip"]),
            Not(condition=SegmentRef(segment="Clients inactifs")),
        ]), channel="sms"),
        "Clients avec niveau de fidélité : or ou VIP, sauf ceux membres du segment "
        "\"Clients inactifs\" — audience pour le canal SMS : seuls les clients ayant consenti "
        "(consentement SMS) et joignables (téléphone mobile).",
        "Customers with loyalty tier: gold or VIP, excluding those in segment "
        "\"Clients inactifs\" — audience for the SMS channel: only customers who opted in "
        "(SMS opt-in) and can be reached (mobile phone).",
    ),
    (
        "only_an_exclusion_push_audience",
        Rule(where=Not(condition=SegmentRef(segment="VIP")), channel="push"),
        "Clients, sauf ceux membres du segment \"VIP\" — audience pour le canal notification "
        "push : seuls les clients ayant consenti (consentement push).",
        "Customers, excluding those in segment \"VIP\" — audience for the push notification "
        "channel: only customers who opted in (push opt-in).",
    ),
    (
        "nested_groups_and_exclusion",
        Rule(where=All(conditions=[
            Attribute(field=C + "country", op="eq", value="FR"),
            AnyOf(conditions=[
                Attribute(field=C + "city", op="eq", value="Paris"),
                All(conditions=[Age(field=C + "birth_date", op="lt", value=25),
                                Score(field=S + "churn_score", op="lt", value=0.5)]),
            ]),
            Not(condition=All(conditions=[Attribute(field=C + "gender", op="eq", value="M"),
                                          SegmentRef(segment="X")])),
        ]), channel="email"),
        "Clients avec pays : France et (avec ville : Paris ou (âgés de moins de 25 ans (âge au "
        "30 juin 2026) et avec faible risque d'attrition (risque d'attrition : moins de 0,5))), "
        "sauf ceux (avec genre : hommes et membres du segment \"X\") — audience pour le canal "
        "email : seuls les clients ayant consenti (consentement email) et joignables "
        "(adresse email).",
        "Customers with country: France and (with city: Paris or (aged under 25 (age at "
        "30 June 2026) and with low churn risk (churn risk: less than 0.5))), excluding those "
        "(with gender: men and in segment \"X\") — audience for the email channel: only "
        "customers who opted in (email opt-in) and can be reached (email address).",
    ),
    (
        "not_inside_any",
        Rule(where=AnyOf(conditions=[
            SegmentRef(segment="A"),
            Not(condition=Attribute(field=C + "email_opt_in", op="eq", value=True)),
        ])),
        "Clients membres du segment \"A\" ou non (avec consentement email : oui).",
        "Customers in segment \"A\" or not (with email opt-in: yes).",
    ),
    (
        "double_negation_and_not_none",
        Rule(where=All(conditions=[
            Not(condition=Not(condition=Attribute(field=C + "region", op="eq",
                                                  value="Bretagne"))),
            Not(condition=EventCondition(event="purchase", aggregate="none",
                                         window=CalendarWindow(unit="day"))),
        ])),
        "Clients avec région : Bretagne et ayant au moins un achat le 30 juin 2026.",
        "Customers with region: Bretagne and with at least one purchase on 30 June 2026.",
    ),
]


@pytest.mark.parametrize(("rule", "fr", "en"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_read_back_demo(demo: Catalog, rule: Rule, fr: str, en: str) -> None:
    assert read_back(rule, demo, AS_OF, lang="fr") == fr
    assert read_back(rule, demo, AS_OF, lang="en") == en


def test_default_language_is_french(demo: Catalog) -> None:
    rule = CASES[0][1]
    assert read_back(rule, demo, AS_OF) == CASES[0][2]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_sentence_is_capitalised_and_ends_with_a_period(demo: Catalog, lang: str) -> None:
    for _, rule, *_ in CASES:
        text = read_back(rule, demo, AS_OF, lang="fr" if lang == "fr" else "en")
        assert text[0].isupper() and text.endswith(".")
        assert "  " not in text


def test_describe_condition_is_the_phrase_of_one_condition(demo: Catalog) -> None:
    node = EventCondition(event="purchase", filters=[STORE], window=LastWindow(n=6, unit="month"),
                          aggregate="count", op="gte", value=2)
    assert describe_condition(node, demo, AS_OF, "fr") == (
        "ayant au moins 2 achats en magasin entre le 1er janvier 2026 et le 30 juin 2026 inclus")
    assert describe_condition(node, demo, AS_OF, "en") == (
        "with at least 2 purchases in store between 1 January 2026 and 30 June 2026 inclusive")
    excluded = Not(condition=SegmentRef(segment="Churners"))
    assert describe_condition(excluded, demo, AS_OF, "fr") == (
        "sauf ceux membres du segment \"Churners\"")
    assert describe_condition(excluded, demo, AS_OF, "en") == (
        "excluding those in segment \"Churners\"")


def test_unknown_segment_is_flagged_when_segments_are_given(demo: Catalog) -> None:
    rule = Rule(where=SegmentRef(segment="Ghost"))
    known = {"Other": Rule(where=SegmentRef(segment="Other"))}
    assert read_back(rule, demo, AS_OF, "fr") == "Clients membres du segment \"Ghost\"."
    assert read_back(rule, demo, AS_OF, "fr", segments=known) == (
        "Clients membres du segment \"Ghost\" (segment inconnu).")
    assert read_back(rule, demo, AS_OF, "en", segments={"Ghost": rule}) == (
        "Customers in segment \"Ghost\".")


def test_empty_window_is_said(demo: Catalog) -> None:
    rule = Rule(where=EventCondition(event="purchase",
                                     window=DatesWindow(since=dt.date(2026, 8, 1))))
    assert read_back(rule, demo, AS_OF, "en") == (
        "Customers with at least one purchase between 1 August 2026 and 30 June 2026 inclusive "
        "(empty period).")


@pytest.mark.parametrize(("x", "fr", "en"), [
    (0, "0", "0"), (7, "7", "7"), (1000, "1 000", "1,000"), (1234567, "1 234 567", "1,234,567"),
    (0.8, "0,8", "0.8"), (2.0, "2", "2"), (-1500.25, "-1 500,25", "-1,500.25"),
    (0.00001, "0,00001", "0.00001"),
])
def test_format_number(x: float, fr: str, en: str) -> None:
    assert format_number(x, "fr") == fr
    assert format_number(x, "en") == en


@pytest.mark.parametrize(("day", "fr", "en"), [
    (dt.date(2026, 1, 1), "1er janvier 2026", "1 January 2026"),
    (dt.date(2026, 2, 2), "2 février 2026", "2 February 2026"),
    (dt.date(2025, 12, 31), "31 décembre 2025", "31 December 2025"),
    (dt.date(2026, 8, 15), "15 août 2026", "15 August 2026"),
])
def test_format_date(day: dt.date, fr: str, en: str) -> None:
    assert format_date(day, "fr") == fr
    assert format_date(day, "en") == en


# --- a second, unrelated catalog: every word must come from it ------------------------------

GYM_CATALOG = """
catalog: gym
version: "1"
entity: {name: member, table: club.members, key: member_no, label: {en: member, fr: adhérent}}
sources:
  club: {label: {en: club system, fr: système du club}, refresh: {cadence: daily}}
tables:
  club.members:
    source: club
    grain: customer
    customer_key: member_no
    columns:
      member_no: {type: BIGINT}
      plan:
        type: VARCHAR
        label: {en: membership plan, fr: formule}
        values:
          - {value: P1, label: {en: premium plan, fr: formule premium}}
          - {value: B0, label: {en: basic plan, fr: formule de base}}
      dob: {type: DATE, label: {en: date of birth, fr: date de naissance}}
      joined_on: {type: DATE, label: {en: join date, fr: date d'adhésion}}
      wants_texts: {type: BOOLEAN, label: {en: text consent, fr: accord textos}}
      mobile_no: {type: VARCHAR, label: {en: mobile number, fr: numéro de portable}}
  club.ratings:
    source: club
    grain: customer
    customer_key: member_no
    columns:
      member_no: {type: BIGINT}
      fitness_idx:
        type: DOUBLE
        label: {en: fitness index, fr: indice de forme}
        levels:
          fit: {op: gte, value: 0.9, label: {en: very fit, fr: très en forme}}
  club.checkins:
    source: club
    grain: event
    customer_key: member_no
    columns:
      checkin_id: {type: BIGINT}
      member_no: {type: BIGINT}
      at: {type: TIMESTAMP}
      area: {type: VARCHAR}
      fee_chf: {type: DOUBLE}
events:
  gym_visit:
    label: {en: workout session, fr: séance}
    properties:
      room:
        type: VARCHAR
        label: {en: room, fr: salle}
        values:
          - {value: aqua_zone, label: {en: at the pool, fr: à la piscine}}
          - {value: wr_2, label: {en: weights room, fr: salle de musculation}}
      fee: {type: DOUBLE, unit: CHF, label: {en: fee, fr: tarif}}
    sources:
      - name: checkins
        table: club.checkins
        time: at
        key: checkin_id
        properties:
          room: {column: area}
          fee: {column: fee_chf}
channels:
  texting:
    label: {en: text message, fr: texto}
    consent: club.members.wants_texts
    contact: club.members.mobile_no
"""


@pytest.fixture(scope="module")
def gym() -> Catalog:
    return parse_catalog(GYM_CATALOG)


GYM_RULE = Rule(where=All(conditions=[
    Attribute(field="club.members.plan", op="eq", value="P1"),
    Age(field="club.members.dob", op="gte", value=40),
    DateIn(field="club.members.joined_on", window=MoreThanAgoWindow(n=1, unit="year")),
    Score(field="club.ratings.fitness_idx", op="gte", value=0.9),
    EventCondition(event="gym_visit",
                   filters=[PropertyFilter(property="room", op="eq", value="aqua_zone")],
                   window=LastWindow(n=7, unit="day"), aggregate="count", op="gte", value=3),
    EventCondition(event="gym_visit",
                   filters=[PropertyFilter(property="room", op="eq", value="wr_2")],
                   window=LastWindow(n=1, unit="month"), aggregate="sum", property="fee",
                   op="gt", value=1200),
    Not(condition=EventCondition(event="gym_visit", aggregate="last",
                                 window=CalendarWindow(unit="day"))),
]), channel="texting")


def test_labels_come_from_the_catalog(gym: Catalog) -> None:
    assert read_back(GYM_RULE, gym, AS_OF, "fr") == (
        "Adhérents avec formule : formule premium, âgés de 40 ans ou plus (âge au "
        "30 juin 2026), avec date d'adhésion avant le 1er juillet 2025, avec très en forme "
        "(indice de forme : au moins 0,9), ayant au moins 3 séances à la piscine entre le "
        "24 juin 2026 et le 30 juin 2026 inclus et ayant dépensé au total plus de 1 200 CHF "
        "sur les séances (salle : salle de musculation) entre le 1er juin 2026 et le "
        "30 juin 2026 inclus, sauf ceux dont la dernière séance a eu lieu le 30 juin 2026 — "
        "audience pour le canal texto : seuls les adhérents ayant consenti (accord textos) et "
        "joignables (numéro de portable).")
    assert read_back(GYM_RULE, gym, AS_OF, "en") == (
        "Members with membership plan: premium plan, aged 40 or over (age at 30 June 2026), "
        "with join date before 1 July 2025, with very fit (fitness index: at least 0.9), "
        "with at least 3 workout sessions at the pool between 24 June 2026 and 30 June 2026 "
        "inclusive and who spent more than CHF 1,200 in total on workout sessions (room: "
        "weights room) between 1 June 2026 and 30 June 2026 inclusive, excluding those whose "
        "last workout session was on 30 June 2026 — audience for the text message channel: "
        "only members who opted in (text consent) and can be reached (mobile number).")


def test_no_demo_words_nor_raw_names_in_another_catalog(gym: Catalog) -> None:
    demo_words = ("client", "customer", "achat", "purchase", "magasin", "store", "fidélité",
                  "loyalty", "SMS", "email", "crm.")
    raw_names = ("club.", "fitness_idx", "P1", "aqua_zone", "wr_2", "wants_texts", "mobile_no",
                 "joined_on", "dob", "gym_visit", "texting")
    for lang in ("fr", "en"):
        text = read_back(GYM_RULE, gym, AS_OF, "fr" if lang == "fr" else "en")
        for word in (*demo_words, *raw_names):
            assert word not in text, (lang, word)
