"""Deterministic generator of the demo retail dataset (``demo-retail-schema.md``).

Everything is generated inside DuckDB with set-based SQL: ``range`` for the rows,
``unnest(generate_series(...))`` to expand per-customer counts into events, and pseudo-random
numbers derived from ``hash(<row key>, <salt>, <seed>)`` (the ``u`` macro), never ``random()``:
the same seed, size and reference date give the same data whatever the parallelism.

Shape of the data (per customer, before scaling):

* a profile drawn once (``_cust``): home city, tier, consent, channel mix, favourite category,
  purchase count, active window (lapsed customers stop buying more than a year before the
  reference date), browsing and support propensities;
* purchases are spread over the active window along a seasonal calendar (``_days``: Black
  Friday, Christmas, the January and summer sales, weekdays, store closures), in store or
  online following the customer's channel mix; anonymous store tickets and web sessions are
  added on top;
* ticket lines are a pure function of (ticket key, line number) and a ticket's total is the
  sum of its lines; product prices are a pure function of the product id;
* scores are derived from the generated purchases and the profile.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_REFERENCE_DATE = datetime.date(2026, 6, 30)
MIN_CUSTOMERS = 100

ProgressCallback = Callable[[str, int, int], None]

#: Day-picking resolution: a uniform number is mapped to a day through this many buckets.
_DAY_BUCKETS = 65536
_CITY_BUCKETS = 10000
_STORE_BUCKETS = 1000
#: Mean events of an anonymous session (1 + floor(Exp(1.5)), carts need 2-3 events).
_ANON_EVENTS_PER_SESSION = 2.1


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` produced."""

    path: Path
    customers: int
    seed: int
    reference_date: datetime.date
    row_counts: dict[str, int]
    seconds: float


# --------------------------------------------------------------------------------------------
# Fixed reference data
# --------------------------------------------------------------------------------------------

# city, region, country, weight (per mille of customers), postal base, step, variants
_CITIES: tuple[tuple[str, str, str, int, int, int, int], ...] = (
    ("Paris", "Île-de-France", "FR", 160, 75001, 1, 20),
    ("Boulogne-Billancourt", "Île-de-France", "FR", 15, 92100, 1, 1),
    ("Versailles", "Île-de-France", "FR", 12, 78000, 1, 1),
    ("Saint-Denis", "Île-de-France", "FR", 13, 93200, 10, 2),
    ("Serris", "Île-de-France", "FR", 4, 77700, 1, 1),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", 50, 69001, 1, 9),
    ("Villefontaine", "Auvergne-Rhône-Alpes", "FR", 3, 38090, 1, 1),
    ("Grenoble", "Auvergne-Rhône-Alpes", "FR", 16, 38000, 100, 2),
    ("Saint-Étienne", "Auvergne-Rhône-Alpes", "FR", 14, 42000, 100, 2),
    ("Clermont-Ferrand", "Auvergne-Rhône-Alpes", "FR", 14, 63000, 100, 2),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "FR", 50, 13001, 1, 16),
    ("Nice", "Provence-Alpes-Côte d'Azur", "FR", 25, 6000, 100, 4),
    ("Aix-en-Provence", "Provence-Alpes-Côte d'Azur", "FR", 14, 13090, 10, 2),
    ("Toulon", "Provence-Alpes-Côte d'Azur", "FR", 14, 83000, 100, 2),
    ("Lille", "Hauts-de-France", "FR", 35, 59000, 800, 2),
    ("Roubaix", "Hauts-de-France", "FR", 9, 59100, 1, 1),
    ("Amiens", "Hauts-de-France", "FR", 11, 80000, 80, 2),
    ("Bordeaux", "Nouvelle-Aquitaine", "FR", 35, 33000, 100, 4),
    ("Limoges", "Nouvelle-Aquitaine", "FR", 11, 87000, 100, 2),
    ("Toulouse", "Occitanie", "FR", 36, 31000, 100, 6),
    ("Montpellier", "Occitanie", "FR", 23, 34000, 70, 2),
    ("Nîmes", "Occitanie", "FR", 12, 30000, 900, 2),
    ("Strasbourg", "Grand Est", "FR", 22, 67000, 100, 3),
    ("Metz", "Grand Est", "FR", 10, 57000, 50, 2),
    ("Reims", "Grand Est", "FR", 14, 51100, 1, 1),
    ("Troyes", "Grand Est", "FR", 5, 10000, 1, 1),
    ("Nancy", "Grand Est", "FR", 10, 54000, 100, 2),
    ("Rennes", "Bretagne", "FR", 18, 35000, 200, 2),
    ("Brest", "Bretagne", "FR", 11, 29200, 1, 1),
    ("Nantes", "Pays de la Loire", "FR", 25, 44000, 100, 3),
    ("Angers", "Pays de la Loire", "FR", 12, 49000, 100, 2),
    ("Le Mans", "Pays de la Loire", "FR", 11, 72000, 100, 2),
    ("Rouen", "Normandie", "FR", 14, 76000, 100, 2),
    ("Caen", "Normandie", "FR", 11, 14000, 1, 1),
    ("Le Havre", "Normandie", "FR", 13, 76600, 10, 2),
    ("Bruxelles", "Bruxelles-Capitale", "BE", 30, 1000, 20, 11),
    ("Liège", "Wallonie", "BE", 10, 4000, 20, 3),
    ("Namur", "Wallonie", "BE", 6, 5000, 1, 1),
    ("Charleroi", "Wallonie", "BE", 8, 6000, 1, 1),
    ("Genève", "Genève", "CH", 20, 1201, 1, 9),
    ("Lausanne", "Vaud", "CH", 14, 1003, 1, 8),
    ("Luxembourg", "Luxembourg", "LU", 16, 1009, 37, 30),
)

# store name, city, format (ids are 1.. in this order)
_STORES: tuple[tuple[str, str, str], ...] = (
    ("Paris Opéra", "Paris", "flagship"),
    ("Paris Marais", "Paris", "flagship"),
    ("Paris Forum des Halles", "Paris", "mall"),
    ("Paris Beaugrenelle", "Paris", "mall"),
    ("Paris Italie Deux", "Paris", "mall"),
    ("Paris Bercy Village", "Paris", "mall"),
    ("Paris Haussmann Grand Magasin", "Paris", "corner"),
    ("Paris Rive Gauche", "Paris", "corner"),
    ("Boulogne Les Passages", "Boulogne-Billancourt", "mall"),
    ("Versailles Parly Deux", "Versailles", "mall"),
    ("Saint-Denis Basilique", "Saint-Denis", "mall"),
    ("Serris Val d'Europe Outlet", "Serris", "outlet"),
    ("Lyon République", "Lyon", "flagship"),
    ("Lyon Part-Dieu", "Lyon", "mall"),
    ("Lyon Confluence", "Lyon", "mall"),
    ("Lyon Bellecour Grand Magasin", "Lyon", "corner"),
    ("Villefontaine Outlet", "Villefontaine", "outlet"),
    ("Grenoble Grand Place", "Grenoble", "mall"),
    ("Saint-Étienne Centre Deux", "Saint-Étienne", "mall"),
    ("Clermont-Ferrand Jaude", "Clermont-Ferrand", "mall"),
    ("Marseille Vieux-Port", "Marseille", "flagship"),
    ("Marseille Terrasses du Port", "Marseille", "mall"),
    ("Marseille Grand Littoral", "Marseille", "mall"),
    ("Marseille Prado", "Marseille", "corner"),
    ("Nice Jean Médecin", "Nice", "flagship"),
    ("Nice Cap Trois Mille", "Nice", "mall"),
    ("Aix-en-Provence Allées", "Aix-en-Provence", "mall"),
    ("Toulon Mayol", "Toulon", "mall"),
    ("Lille Grand Place", "Lille", "flagship"),
    ("Lille Euralille", "Lille", "mall"),
    ("Lille Grand Magasin", "Lille", "corner"),
    ("Roubaix Outlet", "Roubaix", "outlet"),
    ("Amiens Centre", "Amiens", "mall"),
    ("Bordeaux Sainte-Catherine", "Bordeaux", "flagship"),
    ("Bordeaux Mériadeck", "Bordeaux", "mall"),
    ("Bordeaux Grand Magasin", "Bordeaux", "corner"),
    ("Limoges Saint-Martial", "Limoges", "mall"),
    ("Toulouse Capitole", "Toulouse", "flagship"),
    ("Toulouse Blagnac", "Toulouse", "mall"),
    ("Toulouse Grand Magasin", "Toulouse", "corner"),
    ("Montpellier Polygone", "Montpellier", "mall"),
    ("Nîmes Coupole", "Nîmes", "mall"),
    ("Strasbourg Kléber", "Strasbourg", "flagship"),
    ("Strasbourg Rivétoile", "Strasbourg", "mall"),
    ("Metz Muse", "Metz", "mall"),
    ("Reims Centre", "Reims", "corner"),
    ("Troyes Outlet", "Troyes", "outlet"),
    ("Rennes Colombier", "Rennes", "mall"),
    ("Rennes Grand Magasin", "Rennes", "corner"),
    ("Brest Jaurès", "Brest", "mall"),
    ("Nantes Passage Pommeraye", "Nantes", "flagship"),
    ("Nantes Atlantis", "Nantes", "mall"),
    ("Angers Centre", "Angers", "corner"),
    ("Rouen Saint-Sever", "Rouen", "mall"),
    ("Caen Rives de l'Orne", "Caen", "mall"),
    ("Le Havre Docks", "Le Havre", "mall"),
    ("Bruxelles Louise", "Bruxelles", "flagship"),
    ("Bruxelles Woluwe", "Bruxelles", "mall"),
    ("Bruxelles Rue Neuve", "Bruxelles", "corner"),
    ("Liège Médiacité", "Liège", "mall"),
    ("Genève Rue du Rhône", "Genève", "flagship"),
    ("Genève Balexert", "Genève", "mall"),
    ("Lausanne Flon", "Lausanne", "corner"),
    ("Luxembourg Cloche d'Or", "Luxembourg", "mall"),
)

_CATEGORIES = ("shoes", "apparel", "accessories", "beauty", "home", "sport")
# products per category: ids are contiguous blocks in this order (2000 in total)
_CATEGORY_SIZES = (300, 600, 350, 300, 250, 200)
_CATEGORY_STARTS = tuple(1 + sum(_CATEGORY_SIZES[:i]) for i in range(len(_CATEGORY_SIZES)))
_PRODUCTS = sum(_CATEGORY_SIZES)
# median unit price per category, euros
_CATEGORY_PRICES = (85, 45, 35, 28, 32, 50)

_BRANDS: tuple[tuple[str, ...], ...] = (
    ("Pas Sage", "Semelle & Co", "Talon Rouge", "Trotteur", "Cordonnerie Lumière"),
    ("Maison Lumière", "Atelier Nord", "Lin & Laine", "Côte Ouest", "Rive Gauche Studio"),
    ("Fil d'Or", "Alba Maroquinerie", "Heure Bleue", "Sac & Sel", "Bijoux Sirène"),
    ("Belle Aube", "Herbier de Provence", "Éclat Pur", "Rose & Lavande", "Dermalys"),
    ("Maison Douce", "Atelier Céramique", "Lin de Maison", "Lueur", "Nid Douillet"),
    ("Alti Sport", "Foulée", "Vague Surf", "Cime Outdoor", "Kinésis"),
)

_PRODUCT_NOUNS: tuple[tuple[str, ...], ...] = (
    ("Baskets", "Bottines", "Escarpins", "Mocassins", "Sandales", "Derbies", "Ballerines",
     "Espadrilles", "Bottes", "Mules"),
    ("Robe", "Chemise", "Pull", "Jean", "T-shirt", "Veste", "Manteau", "Pantalon", "Jupe",
     "Sweat"),
    ("Sac à main", "Ceinture", "Écharpe", "Montre", "Portefeuille", "Lunettes de soleil",
     "Chapeau", "Bracelet", "Foulard", "Sac à dos"),
    ("Crème hydratante", "Sérum", "Eau de parfum", "Rouge à lèvres", "Mascara", "Huile de soin",
     "Gel douche", "Shampooing", "Fond de teint", "Masque visage"),
    ("Coussin", "Plaid", "Bougie parfumée", "Vase", "Parure de lit", "Tapis", "Lampe", "Mug",
     "Cadre photo", "Serviette de bain"),
    ("Legging", "Brassière", "Chaussures de running", "Short", "Coupe-vent", "Tapis de yoga",
     "Gourde", "Sac de sport", "T-shirt technique", "Casquette"),
)
_PRODUCT_LINES = ("Classique", "Essentiel", "Urbain", "Élégance", "Nature", "Riviera",
                  "Montmartre", "Bohème", "Atlantique", "Solstice", "Lumière", "Horizon")
_COLOURS = ("noir", "blanc", "beige", "bleu marine", "rouge", "vert sauge", "camel", "gris",
            "rose poudré", "kaki")
_SIZES_ML = ("15 ml", "30 ml", "50 ml", "75 ml", "100 ml", "200 ml")

_FIRST_NAMES_F = (
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura",
    "Anaïs", "Clara", "Jade", "Louise", "Alice", "Lina", "Zoé", "Élodie", "Céline", "Nathalie",
    "Isabelle", "Sophie", "Sandrine", "Valérie", "Christine", "Aurélie", "Émilie", "Pauline",
    "Mathilde", "Charlotte", "Juliette", "Margaux", "Océane", "Élise", "Lucie", "Audrey",
    "Caroline", "Stéphanie", "Hélène", "Catherine", "Françoise", "Martine", "Sylvie", "Agathe",
    "Romane", "Ambre", "Lou", "Mila", "Rose", "Anna",
)
_FIRST_NAMES_M = (
    "Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Antoine", "Lucas", "Hugo", "Louis",
    "Gabriel", "Arthur", "Jules", "Raphaël", "Léo", "Adam", "Nathan", "Théo", "Paul", "Mathieu",
    "Pierre", "Jean", "Philippe", "Michel", "Laurent", "Stéphane", "Sébastien", "David",
    "Olivier", "Christophe", "Frédéric", "Vincent", "Guillaume", "Romain", "Benjamin", "Florian",
    "Kevin", "Quentin", "Clément", "Baptiste", "Victor", "Sacha", "Noah", "Mohamed", "Yanis",
    "Karim", "Enzo", "Tom", "Éric", "Patrick", "Alain",
)
_LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier",
    "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas",
    "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc",
    "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot",
    "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps",
    "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam",
    "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier",
    "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez",
    "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel",
    "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
    "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber",
    "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard",
    "Gillet", "Étienne", "Tessier", "Chauvin", "Da Silva", "Bouchet", "Lemaître", "Bénard",
    "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier",
    "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte",
)

_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")

# --------------------------------------------------------------------------------------------
# DDL: the contract (demo-retail-schema.md)
# --------------------------------------------------------------------------------------------

_DDL = """
CREATE SCHEMA meta;
CREATE SCHEMA crm;
CREATE SCHEMA pos;
CREATE SCHEMA ecom;
CREATE SCHEMA product;
CREATE SCHEMA web;
CREATE SCHEMA email;
CREATE SCHEMA support;

CREATE TABLE meta.dataset (
    reference_date DATE, seed INTEGER, customers BIGINT
);
CREATE TABLE crm.customers (
    customer_id BIGINT, email VARCHAR, phone VARCHAR, first_name VARCHAR, last_name VARCHAR,
    gender VARCHAR, birth_date DATE, city VARCHAR, postal_code VARCHAR, region VARCHAR,
    country VARCHAR, signup_date DATE, acquisition_channel VARCHAR, loyalty_tier VARCHAR,
    loyalty_points INTEGER, email_opt_in BOOLEAN, sms_opt_in BOOLEAN, push_opt_in BOOLEAN,
    preferred_store_id INTEGER
);
CREATE TABLE crm.scores (
    customer_id BIGINT, churn_score DOUBLE, clv_eur DECIMAL(12,2), rfm_segment VARCHAR,
    appetence_shoes DOUBLE, appetence_apparel DOUBLE, appetence_accessories DOUBLE,
    appetence_beauty DOUBLE, appetence_home DOUBLE, appetence_sport DOUBLE, computed_on DATE
);
CREATE TABLE pos.stores (
    store_id INTEGER, store_name VARCHAR, city VARCHAR, region VARCHAR, store_format VARCHAR,
    opened_on DATE
);
CREATE TABLE pos.transactions (
    transaction_id BIGINT, customer_id BIGINT, store_id INTEGER, transaction_at TIMESTAMP,
    amount_eur DECIMAL(10,2), item_count INTEGER
);
CREATE TABLE pos.transaction_lines (
    transaction_id BIGINT, product_id INTEGER, quantity INTEGER, amount_eur DECIMAL(10,2)
);
CREATE TABLE ecom.orders (
    order_id BIGINT, customer_id BIGINT, ordered_at TIMESTAMP, amount_eur DECIMAL(10,2),
    device VARCHAR, status VARCHAR, promo_code VARCHAR
);
CREATE TABLE ecom.order_lines (
    order_id BIGINT, product_id INTEGER, quantity INTEGER, amount_eur DECIMAL(10,2)
);
CREATE TABLE product.products (
    product_id INTEGER, product_name VARCHAR, category VARCHAR, brand VARCHAR,
    unit_price_eur DECIMAL(10,2)
);
CREATE TABLE web.events (
    event_id BIGINT, customer_id BIGINT, session_id VARCHAR, event_type VARCHAR,
    occurred_at TIMESTAMP, product_id INTEGER, device VARCHAR
);
CREATE TABLE email.campaigns (
    campaign_id INTEGER, campaign_name VARCHAR, theme VARCHAR, sent_at TIMESTAMP
);
CREATE TABLE email.events (
    customer_id BIGINT, campaign_id INTEGER, event_type VARCHAR, occurred_at TIMESTAMP
);
CREATE TABLE support.tickets (
    ticket_id BIGINT, customer_id BIGINT, opened_at TIMESTAMP, topic VARCHAR, status VARCHAR,
    satisfaction INTEGER
);
"""

#: Tables reported in the summary, in generation order.
TABLES = (
    "meta.dataset",
    "crm.customers",
    "crm.scores",
    "pos.stores",
    "pos.transactions",
    "pos.transaction_lines",
    "ecom.orders",
    "ecom.order_lines",
    "product.products",
    "web.events",
    "email.campaigns",
    "email.events",
    "support.tickets",
)


# --------------------------------------------------------------------------------------------
# SQL helpers
# --------------------------------------------------------------------------------------------


def _lit(value: str | int) -> str:
    """A SQL literal for our own fixed reference data."""
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _list(values: Sequence[str | int]) -> str:
    """A SQL list literal, e.g. ``['a', 'b']``."""
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _values(rows: Sequence[Sequence[str | int]]) -> str:
    """A SQL VALUES body for our own fixed reference data."""
    return ",\n".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)


def _pick(u_expr: str, weighted: Sequence[tuple[str, float]]) -> str:
    """CASE expression picking a label by cumulative weight from a uniform number."""
    total = sum(w for _, w in weighted)
    parts, acc = [], 0.0
    for label, weight in weighted[:-1]:
        acc += weight
        parts.append(f"WHEN {u_expr} < {acc / total:.6f} THEN {label}")
    return f"CASE {' '.join(parts)} ELSE {weighted[-1][0]} END"


def _macros() -> list[str]:
    """Pseudo-random and product macros (temporary: they are not stored in the file)."""
    starts, sizes = _list(list(_CATEGORY_STARTS)), _list(list(_CATEGORY_SIZES))
    bounds = [s + n - 1 for s, n in zip(_CATEGORY_STARTS, _CATEGORY_SIZES, strict=True)]
    cat_of = " ".join(f"WHEN pid <= {b} THEN {i}" for i, b in enumerate(bounds[:-1]))
    pick_cat = _pick("x", [("0", 18), ("1", 32), ("2", 16), ("3", 14), ("4", 10), ("5", 10)])
    return [
        # uniform [0, 1) from a row key, a second key and a salt; the outer hash mixes the
        # combined hash so that different salts give independent numbers
        """CREATE TEMP MACRO u(k1, k2, salt) AS
            (hash(hash(k1, k2, salt, getvariable('seed'))) >> 11)::DOUBLE
            / 9007199254740992.0""",
        # standard normal (Box-Muller)
        """CREATE TEMP MACRO nrm(k1, k2, salt) AS
            sqrt(-2.0 * ln(1.0 - u(k1, k2, salt || '.r')))
            * cos(2.0 * pi() * u(k1, k2, salt || '.t'))""",
        # seconds as an interval
        "CREATE TEMP MACRO secs(x) AS to_seconds(CAST(floor(x) AS BIGINT))",
        f"CREATE TEMP MACRO pick_cat(x) AS {pick_cat}",
        f"CREATE TEMP MACRO cat_of(pid) AS CASE {cat_of} ELSE {len(bounds) - 1} END",
        f"""CREATE TEMP MACRO unit_price(pid) AS CAST(
            least(690, greatest(5, round({_list(list(_CATEGORY_PRICES))}[cat_of(pid) + 1]
                * exp(0.45 * nrm(pid, 0, 'price'))))) - 0.01 AS DECIMAL(10,2))""",
        # a ticket line's category: the customer's favourite one 60% of the time
        """CREATE TEMP MACRO line_cat(k, j, fav) AS CASE
            WHEN fav >= 0 AND u(k, j, 'line.fav') < 0.6 THEN fav
            ELSE pick_cat(u(k, j, 'line.cat')) END""",
        # popular products (low index in the category block) sell more
        f"""CREATE TEMP MACRO line_pid(k, j, fav) AS CAST(
            {starts}[line_cat(k, j, fav) + 1]
            + floor(pow(u(k, j, 'line.product'), 2.2) * {sizes}[line_cat(k, j, fav) + 1])
            AS INTEGER)""",
        """CREATE TEMP MACRO line_qty(k, j) AS CASE
            WHEN u(k, j, 'line.qty') < 0.82 THEN 1
            WHEN u(k, j, 'line.qty') < 0.96 THEN 2 ELSE 3 END""",
        # promo: 0 none, 1 sales, 2 Black Friday, 3 Christmas, 4 outlet store
        """CREATE TEMP MACRO line_discount(k, j, promo) AS CASE
            WHEN promo = 4 THEN 0.4
            WHEN promo IN (1, 2) AND u(k, j, 'line.disc') < 0.6 THEN 0.3
            WHEN promo = 3 AND u(k, j, 'line.disc') < 0.2 THEN 0.15
            ELSE 0.0 END""",
        """CREATE TEMP MACRO line_amount(k, j, fav, promo) AS CAST(round(
            line_qty(k, j) * unit_price(line_pid(k, j, fav))
            * (1 - line_discount(k, j, promo)), 2) AS DECIMAL(10,2))""",
        """CREATE TEMP MACRO n_lines(k) AS CASE
            WHEN u(k, 0, 'lines') < 0.40 THEN 1
            WHEN u(k, 0, 'lines') < 0.68 THEN 2
            WHEN u(k, 0, 'lines') < 0.85 THEN 3
            WHEN u(k, 0, 'lines') < 0.95 THEN 4 ELSE 5 END""",
        # events in a web session: checkout sessions have 4; carts need room for the
        # add_to_cart (and the checkout_start, 30% of carts)
        """CREATE TEMP MACRO sess_events(skey, kind, carted) AS CASE WHEN kind = 1 THEN 4
            ELSE greatest(1 + CAST(floor(-ln(1 - u(skey, 0, 'n')) * 1.5) AS INTEGER),
                CASE WHEN carted THEN 2 + CAST(u(skey, 0, 'checkout') < 0.3 AS INTEGER)
                ELSE 1 END) END""",
        """CREATE TEMP MACRO browse_carted(skey, online_share) AS
            u(skey, 0, 'cart') < 0.1 + 0.25 * online_share""",
        # a time of day in seconds: store opening hours, or web traffic peaking in the evening
        """CREATE TEMP MACRO store_tod(k1, k2) AS
            36000 + 34200 * (u(k1, k2, 'tod.a') + u(k1, k2, 'tod.b')) / 2""",
        """CREATE TEMP MACRO web_tod(k1, k2) AS CASE
            WHEN u(k1, k2, 'tod.m') < 0.15 THEN 86399 * u(k1, k2, 'tod.a')
            ELSE 25200 + 61199 * sqrt(u(k1, k2, 'tod.a') * u(k1, k2, 'tod.b')
                + 0.4 * u(k1, k2, 'tod.b')) / sqrt(1.4) END""",
    ]


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def _step_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Macros, the seasonal calendar and the small lookup tables."""
    for sql in _macros():
        con.execute(sql)
    con.execute(_DDL)
    con.execute(f"""
        CREATE TEMP TABLE _cities AS
        SELECT * FROM (VALUES {_values([(i, *c) for i, c in enumerate(_CITIES)])})
            AS t(city_idx, city, region, country, weight, pc_base, pc_step, pc_n)
    """)
    con.execute(_pick_table_sql("_city_pick", "_cities", "city_idx", "weight", _CITY_BUCKETS))
    _create_calendar(con)


def _pick_table_sql(name: str, source: str, key: str, weight: str, buckets: int) -> str:
    """A lookup table mapping bucket b in [0, buckets) to a key, in proportion to weights."""
    return f"""
        CREATE TEMP TABLE {name} AS
        WITH w AS (
            SELECT {key} AS key, CAST({weight} AS BIGINT) AS wt,
                   sum(CAST({weight} AS BIGINT)) OVER (ORDER BY {key}) - wt AS cum_lo
            FROM {source} WHERE {weight} > 0
        ),
        b AS (
            SELECT CAST(range AS INTEGER) AS b,
                   range * (SELECT sum(wt) FROM w) // {buckets} AS target
            FROM range({buckets})
        )
        SELECT b.b, w.key FROM b ASOF JOIN w ON b.target >= w.cum_lo
    """


def _create_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """``_days``: one row per day of history with store and web weights, and ``_day_pick``."""
    con.execute("""
        CREATE TEMP TABLE _days AS
        WITH d AS (
            SELECT CAST(t.d AS DATE) AS d FROM range(
                CAST(getvariable('hist') AS TIMESTAMP),
                CAST(getvariable('ref') AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
        ),
        marks AS (
            SELECT d, year(d) AS y, month(d) AS m, isodow(d) AS dow,
                make_date(year(d), 11, 1)
                    + CAST((11 - isodow(make_date(year(d), 11, 1))) % 7 AS INTEGER) + 22
                    AS black_friday,
                make_date(year(d), 1, 1)
                    + CAST((10 - isodow(make_date(year(d), 1, 1))) % 7 AS INTEGER) + 7
                    AS winter_sales,
                make_date(year(d), 6, 30)
                    - CAST((isodow(make_date(year(d), 6, 30)) + 4) % 7 AS INTEGER)
                    AS summer_sales
            FROM d
        ),
        p AS (
            SELECT *,
                CASE
                    WHEN d BETWEEN black_friday - 3 AND black_friday + 3 THEN 2
                    WHEN m = 12 AND day(d) <= 24 THEN 3
                    WHEN d >= winter_sales AND d < winter_sales + 28 THEN 1
                    WHEN d >= summer_sales AND d < summer_sales + 28 THEN 1
                    ELSE 0
                END AS period,
                CASE
                    WHEN d BETWEEN black_friday - 3 AND black_friday + 3 THEN 3.2
                    WHEN m = 12 AND day(d) <= 24 THEN 1.3 + 1.4 * day(d) / 24
                    WHEN d >= winter_sales AND d < winter_sales + 7 THEN 1.9
                    WHEN d >= winter_sales AND d < winter_sales + 28 THEN 1.35
                    WHEN d >= summer_sales AND d < summer_sales + 7 THEN 1.9
                    WHEN d >= summer_sales AND d < summer_sales + 28 THEN 1.35
                    ELSE [1.0, 0.85, 0.95, 1.0, 1.0, 0.95, 1.0, 0.8, 1.05, 1.0, 1.05, 1.1][m]
                END * (1 + 0.08 * (d - getvariable('hist')) / 365.0) AS season
            FROM marks
        )
        SELECT d, CAST(period AS TINYINT) AS period,
            CAST(round(1000 * season * CASE
                WHEN (m = 1 AND day(d) = 1) OR (m = 5 AND day(d) = 1)
                    OR (m = 12 AND day(d) = 25) THEN 0
                ELSE [0.85, 1.0, 1.0, 1.05, 1.15, 1.6, 0.3][dow] END) AS BIGINT) AS w_store,
            CAST(round(1000 * season * CASE
                WHEN m = 12 AND day(d) = 25 THEN 0.6
                ELSE [1.1, 1.0, 1.0, 1.0, 0.95, 0.9, 1.2][dow] END) AS BIGINT) AS w_web
        FROM p
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _days AS
        SELECT *,
            (sum(w_store) OVER o - w_store) / (sum(w_store) OVER ())::DOUBLE AS s_lo,
            sum(w_store) OVER o / (sum(w_store) OVER ())::DOUBLE AS s_hi,
            (sum(w_web) OVER o - w_web) / (sum(w_web) OVER ())::DOUBLE AS w_lo,
            sum(w_web) OVER o / (sum(w_web) OVER ())::DOUBLE AS w_hi
        FROM _days
        WINDOW o AS (ORDER BY d ROWS UNBOUNDED PRECEDING)
    """)
    con.execute(_pick_table_sql("_store_day", "_days", "d", "w_store", _DAY_BUCKETS))
    con.execute(_pick_table_sql("_web_day", "_days", "d", "w_web", _DAY_BUCKETS))
    con.execute("""
        CREATE TEMP TABLE _day_pick AS
        SELECT s.b, s.key AS sd, ds.period AS sp, w.key AS wd, dw.period AS wp
        FROM _store_day s
        JOIN _web_day w USING (b)
        JOIN _days ds ON ds.d = s.key
        JOIN _days dw ON dw.d = w.key
    """)


def _step_stores_products(con: duckdb.DuckDBPyConnection) -> None:
    """pos.stores (fixed list) and product.products (prices from the ``unit_price`` macro)."""
    stores = [(i + 1, *row) for i, row in enumerate(_STORES)]
    con.execute(f"""
        INSERT INTO pos.stores
        SELECT CAST(s.store_id AS INTEGER), s.store_name, s.city, c.region, s.store_format,
            -- opened before the history starts: outlets in the last decade, others up to 25 years
            getvariable('hist') - 180 - CAST(floor(u(s.store_id, 0, 'opened')
                * CASE WHEN s.store_format = 'outlet' THEN 3000 ELSE 9000 END) AS INTEGER)
        FROM (VALUES {_values(stores)}) AS s(store_id, store_name, city, store_format)
        JOIN _cities c USING (city)
        ORDER BY s.store_id
    """)
    # traffic weight for stores picked at random (anonymous tickets, customers without a
    # preferred store)
    con.execute("""
        CREATE TEMP TABLE _store_weights AS
        SELECT store_id, CASE store_format WHEN 'flagship' THEN 30 WHEN 'mall' THEN 20
            WHEN 'outlet' THEN 14 ELSE 10 END AS w
        FROM pos.stores
    """)
    con.execute(_pick_table_sql("_store_pick", "_store_weights", "store_id", "w", _STORE_BUCKETS))
    brands = _list([b for group in _BRANDS for b in group])
    nouns = _list([n for group in _PRODUCT_NOUNS for n in group])
    con.execute(f"""
        INSERT INTO product.products
        SELECT CAST(pid AS INTEGER),
            {nouns}[cat * 10 + 1 + CAST(floor(u(pid, 0, 'noun') * 10) AS INTEGER)] || ' '
                || {_list(_PRODUCT_LINES)}[1 + CAST(floor(u(pid, 0, 'line') * 12) AS INTEGER)]
                || ' ' || CASE WHEN cat = 3
                    THEN {_list(_SIZES_ML)}[1 + CAST(floor(u(pid, 0, 'size') * 6) AS INTEGER)]
                    ELSE {_list(_COLOURS)}[1 + CAST(floor(u(pid, 0, 'colour') * 10) AS INTEGER)]
                END,
            {_list(_CATEGORIES)}[cat + 1],
            {brands}[cat * 5 + 1 + CAST(floor(u(pid, 0, 'brand') * 5) AS INTEGER)],
            unit_price(pid)
        FROM (SELECT range AS pid, cat_of(range) AS cat FROM range(1, {_PRODUCTS + 1}))
        ORDER BY pid
    """)


def _step_profiles(con: duckdb.DuckDBPyConnection) -> None:
    """``_cust``: every customer's drawn profile (wider than crm.customers)."""
    con.execute("""
        CREATE TEMP TABLE _city_stores AS
        SELECT city, list(store_id ORDER BY store_id) AS stores FROM pos.stores GROUP BY city
    """)
    con.execute("""
        CREATE TEMP TABLE _region_stores AS
        SELECT region, list(store_id ORDER BY store_id) AS stores FROM pos.stores GROUP BY region
    """)
    acquisition = _pick(
        "u(r.i, 0, 'acq')",
        [("'store'", 35), ("'web'", 30), ("'app'", 15), ("'social'", 12), ("'partner'", 8)],
    )
    con.execute(f"""
        CREATE TEMP TABLE _cust AS
        WITH c1 AS (
            SELECT CAST(r.i AS BIGINT) AS customer_id, c.city_idx, c.city, c.region,
                c.pc_base + c.pc_step * CAST(floor(u(r.i, 0, 'pc') * c.pc_n) AS INTEGER)
                    AS pc_num,
                {_pick("u(r.i, 0, 'gender')", [("'F'", 52), ("'M'", 44), ("'U'", 4)])}
                    AS gender,
                getvariable('ref') - CAST(floor(getvariable('signup_days')
                    * pow(u(r.i, 0, 'signup'), 1.15)) AS INTEGER) AS signup_date,
                {acquisition} AS acquisition_channel,
                u(r.i, 0, 'tier') AS ut
            FROM range(1, getvariable('n') + 1) r(i)
            JOIN _city_pick cp ON cp.b = CAST(floor(u(r.i, 0, 'city') * {_CITY_BUCKETS})
                AS INTEGER)
            JOIN _cities c ON c.city_idx = cp.key
        ),
        c2 AS (
            SELECT *,
                getvariable('ref') - signup_date AS tenure,
                CASE
                    WHEN getvariable('ref') - signup_date < 90
                        THEN CASE WHEN ut < 0.39 THEN 'silver' ELSE 'none' END
                    WHEN ut < 0.04 THEN 'vip' WHEN ut < 0.14 THEN 'gold'
                    WHEN ut < 0.39 THEN 'silver' ELSE 'none'
                END AS tier,
                greatest(signup_date, getvariable('hist')) AS start_c,
                acquisition_channel = 'app' OR u(customer_id, 0, 'app') < 0.25 AS has_app,
                exp(0.85 * nrm(customer_id, 0, 'activity') - 0.36) AS activity,
                -- channel mix: mostly in store, mixed, mostly online
                CASE
                    WHEN u(customer_id, 0, 'mix')
                        < CASE WHEN acquisition_channel = 'store' THEN 0.6 ELSE 0.2 END
                        THEN 0.05
                    WHEN u(customer_id, 0, 'mix')
                        < CASE WHEN acquisition_channel = 'store' THEN 0.95 ELSE 0.6 END
                        THEN 0.45
                    ELSE 0.95
                END AS online_share
            FROM c1
        ),
        c3 AS (
            SELECT *,
                u(customer_id, 0, 'buyer') < CASE tier
                    WHEN 'vip' THEN 1.0 WHEN 'gold' THEN 1.0 WHEN 'silver' THEN 0.95
                    ELSE CASE WHEN tenure < 60 THEN 0.4 ELSE 0.66 END END AS is_buyer,
                getvariable('ref') - 366 - CAST(floor(u(customer_id, 0, 'lapse.d') * 700)
                    AS INTEGER) AS lapse_end,
                u(customer_id, 0, 'lapse') < CASE tier
                    WHEN 'vip' THEN 0.0 WHEN 'gold' THEN 0.05 WHEN 'silver' THEN 0.15
                    ELSE 0.3 END AS lapse_draw
            FROM c2
        ),
        c4 AS (
            SELECT *,
                is_buyer AND lapse_draw AND lapse_end >= start_c + 30 AS lapsed
            FROM c3
        ),
        c5 AS (
            SELECT *,
                CASE WHEN lapsed THEN lapse_end ELSE getvariable('ref') END AS end_c
            FROM c4
        ),
        c6 AS (
            SELECT c5.*,
                CASE
                    WHEN u(customer_id, 0, 'pref')
                        >= CASE WHEN online_share > 0.9 THEN 0.25 ELSE 0.92 END THEN NULL
                    WHEN cs.stores IS NOT NULL THEN cs.stores[1 + CAST(floor(
                        u(customer_id, 0, 'pref.s') * len(cs.stores)) AS INTEGER)]
                    WHEN rs.stores IS NOT NULL THEN rs.stores[1 + CAST(floor(
                        u(customer_id, 0, 'pref.s') * len(rs.stores)) AS INTEGER)]
                END AS preferred_store_id
            FROM c5
            LEFT JOIN _city_stores cs ON cs.city = c5.city
            LEFT JOIN _region_stores rs ON rs.region = c5.region
        )
        -- only what later steps need: this table is the largest temporary one
        SELECT customer_id, CAST(city_idx AS SMALLINT) AS city_idx, pc_num, gender,
            signup_date, acquisition_channel, tier, start_c, end_c, lapsed, has_app,
            online_share, preferred_store_id,
            CASE WHEN is_buyer THEN CAST(least(300, greatest(1, floor(
                CASE tier WHEN 'vip' THEN 12.0 WHEN 'gold' THEN 5.0 WHEN 'silver' THEN 2.4
                    ELSE 0.9 END
                * (end_c - start_c + 1) / 365.25 * activity
                + u(customer_id, 0, 'npurch')))) AS INTEGER) ELSE 0 END AS n_purch,
            CAST(least(999, floor(
                (CASE WHEN is_buyer THEN 0.3 + 1.5 * online_share ELSE 0.6 END)
                * CASE WHEN lapsed THEN 0.4 ELSE 1.0 END
                * sqrt(activity) * (getvariable('ref') - start_c + 1) / 365.25
                + u(customer_id, 0, 'nbrowse'))) AS INTEGER) AS n_browse,
            CAST(pick_cat(u(customer_id, 0, 'fav')) AS TINYINT) AS fav_cat,
            pow(u(customer_id, 0, 'engagement'), 1.6) AS engagement,
            ds.s_lo, de.s_hi, ds.w_lo, de.w_hi
        FROM c6
        JOIN _days ds ON ds.d = c6.start_c
        JOIN _days de ON de.d = c6.end_c
    """)


def _step_store_sales(con: duckdb.DuckDBPyConnection) -> None:
    """pos.transactions and pos.transaction_lines (~30% of tickets anonymous)."""
    con.execute(f"""
        CREATE TEMP TABLE _tx_raw AS
        WITH p AS (
            SELECT customer_id, fav_cat, preferred_store_id, start_c, end_c, s_lo, s_hi,
                online_share, unnest(generate_series(1, n_purch)) AS k
            FROM _cust WHERE n_purch > 0
        ),
        k AS (
            SELECT *, customer_id * 1000 + k AS skey FROM p
            WHERE u(customer_id, k, 'channel') >= online_share
        )
        SELECT k.skey, k.customer_id, k.fav_cat,
            CASE WHEN k.preferred_store_id IS NOT NULL AND u(k.skey, 0, 'store.pref') < 0.8
                THEN k.preferred_store_id ELSE sp.key END AS store_id,
            greatest(k.start_c, least(k.end_c, dp.sd)) AS d
        FROM k
        JOIN _day_pick dp ON dp.b = {_day_bucket("k.s_lo", "k.s_hi", "k.skey")}
        JOIN _store_pick sp ON sp.b = CAST(floor(u(k.skey, 0, 'store') * {_STORE_BUCKETS})
            AS INTEGER)
    """)
    known = _scalar(con, "SELECT count(*) FROM _tx_raw")
    con.execute(f"""
        INSERT INTO _tx_raw
        SELECT -(r.i + 1) AS skey, NULL, -1, sp.key, dp.sd
        FROM range(?) r(i)
        JOIN _day_pick dp ON dp.b = {_day_bucket("0", "1", "-(r.i + 1)")}
        JOIN _store_pick sp ON sp.b = CAST(floor(u(-(r.i + 1), 0, 'store') * {_STORE_BUCKETS})
            AS INTEGER)
    """, [known * 3 // 7])
    con.execute("""
        CREATE TEMP TABLE _tx AS
        SELECT row_number() OVER (ORDER BY t.ts, t.skey) AS transaction_id, t.*
        FROM (
            SELECT r.skey, r.customer_id, r.fav_cat, r.store_id,
                CAST(r.d AS TIMESTAMP) + secs(store_tod(r.skey, 0)) AS ts,
                n_lines(r.skey) AS n_lines,
                CASE WHEN s.store_format = 'outlet' THEN 4 ELSE d.period END AS promo
            FROM _tx_raw r
            JOIN pos.stores s USING (store_id)
            JOIN _days d ON d.d = r.d
        ) t
    """)
    con.execute("DROP TABLE _tx_raw")
    con.execute("""
        INSERT INTO pos.transaction_lines
        SELECT transaction_id, line_pid(skey, j, fav_cat), CAST(line_qty(skey, j) AS INTEGER),
            line_amount(skey, j, fav_cat, promo)
        FROM (SELECT transaction_id, skey, fav_cat, promo, unnest(range(n_lines)) AS j FROM _tx)
    """)
    con.execute("""
        INSERT INTO pos.transactions
        SELECT t.transaction_id, t.customer_id, CAST(t.store_id AS INTEGER), t.ts,
            CAST(l.amount AS DECIMAL(10,2)), CAST(l.items AS INTEGER)
        FROM _tx t
        JOIN (
            SELECT transaction_id, sum(amount_eur) AS amount, sum(quantity) AS items
            FROM pos.transaction_lines GROUP BY transaction_id
        ) l USING (transaction_id)
        ORDER BY t.transaction_id
    """)
    con.execute("DROP TABLE _tx")


_DEVICE_PREF = """CASE
    WHEN has_app AND u(customer_id, 0, 'device') < 0.45 THEN 'app'
    WHEN u(customer_id, 0, 'device') < 0.6 THEN 'mobile'
    WHEN u(customer_id, 0, 'device') < 0.9 THEN 'desktop'
    ELSE 'tablet' END"""


def _random_device(key: str, *, with_app: bool) -> str:
    weights = [("'mobile'", 55.0), ("'desktop'", 35.0), ("'tablet'", 7.0)]
    if with_app:
        weights.append(("'app'", 3.0))
    return _pick(f"u({key}, 0, 'device.o')", weights)


def _day_bucket(lo: str, hi: str, key: str, salt: str = "day") -> str:
    """The ``_day_pick`` bucket of a day drawn between the calendar quantiles lo and hi."""
    return (
        f"CAST(least({_DAY_BUCKETS - 1}, floor(({lo} + u({key}, 0, '{salt}') * ({hi} - {lo}))"
        f" * {_DAY_BUCKETS})) AS INTEGER)"
    )


def _step_online_sales(con: duckdb.DuckDBPyConnection) -> None:
    """ecom.orders and ecom.order_lines; ``_orders`` is kept for the checkout sessions."""
    con.execute(f"""
        CREATE TEMP TABLE _orders AS
        WITH p AS (
            SELECT customer_id, fav_cat, tier, has_app, start_c, end_c, w_lo, w_hi,
                online_share, {_DEVICE_PREF} AS device_pref,
                unnest(generate_series(1, n_purch)) AS k
            FROM _cust WHERE n_purch > 0
        ),
        k AS (
            SELECT *, customer_id * 1000 + k AS skey FROM p
            WHERE u(customer_id, k, 'channel') < online_share
        ),
        o AS (
            SELECT k.skey, k.customer_id, k.fav_cat, k.tier, dp.wp AS period,
                CAST(greatest(k.start_c, least(k.end_c, dp.wd)) AS TIMESTAMP)
                    + secs(web_tod(k.skey, 0)) AS ts,
                CASE
                    WHEN u(k.skey, 0, 'device') < 0.75 THEN k.device_pref
                    WHEN k.has_app AND u(k.skey, 0, 'device.r') < 0.3 THEN 'app'
                    ELSE {_random_device("k.skey", with_app=False)}
                END AS device
            FROM k
            JOIN _day_pick dp ON dp.b = {_day_bucket("k.w_lo", "k.w_hi", "k.skey")}
        )
        SELECT row_number() OVER (ORDER BY ts, skey) AS order_id, *,
            n_lines(skey) AS n_lines
        FROM o
    """)
    con.execute("""
        INSERT INTO ecom.order_lines
        SELECT order_id, line_pid(skey, j, fav_cat), CAST(line_qty(skey, j) AS INTEGER),
            line_amount(skey, j, fav_cat, period)
        FROM (SELECT order_id, skey, fav_cat, period, unnest(range(n_lines)) AS j FROM _orders)
    """)
    con.execute("""
        INSERT INTO ecom.orders
        SELECT o.order_id, o.customer_id, o.ts, CAST(l.amount AS DECIMAL(10,2)), o.device,
            CASE WHEN u(skey, 0, 'status') < 0.06 THEN 'cancelled'
                WHEN u(skey, 0, 'status') < 0.13 THEN 'returned'
                ELSE 'completed' END,
            CASE
                WHEN period = 2 AND u(skey, 0, 'promo') < 0.55 THEN 'BLACKFRIDAY'
                WHEN period = 3 AND u(skey, 0, 'promo') < 0.25 THEN 'NOEL15'
                WHEN period = 1 AND u(skey, 0, 'promo') < 0.2 THEN 'SOLDES10'
                WHEN tier = 'vip' AND u(skey, 0, 'promo') < 0.25 THEN 'VIP20'
                WHEN tier IN ('silver', 'gold') AND u(skey, 0, 'promo') < 0.08
                    THEN 'FIDELITE10'
                WHEN u(skey, 0, 'promo') < 0.03 THEN 'BIENVENUE10'
                WHEN u(skey, 0, 'promo') < 0.05 THEN 'LIVRAISONOFFERTE'
            END
        FROM _orders o
        JOIN (
            SELECT order_id, sum(amount_eur) AS amount FROM ecom.order_lines GROUP BY order_id
        ) l USING (order_id)
        ORDER BY o.order_id
    """)


def _step_purchase_summary(con: duckdb.DuckDBPyConnection) -> None:
    """``_agg``: per-customer purchase aggregates (tickets with a customer, completed orders)."""
    con.execute("""
        CREATE TEMP TABLE _agg AS
        SELECT customer_id, count(*) AS n, sum(amount_eur) AS spend,
            min(ts) AS first_at, max(ts) AS last_at,
            count(*) FILTER (WHERE ts >= getvariable('year_ago')) AS n_12m,
            coalesce(sum(amount_eur) FILTER (WHERE ts >= getvariable('year_ago')), 0)
                AS spend_12m
        FROM (
            SELECT customer_id, transaction_at AS ts, amount_eur FROM pos.transactions
            WHERE customer_id IS NOT NULL
            UNION ALL
            SELECT customer_id, ordered_at, amount_eur FROM ecom.orders
            WHERE status = 'completed'
        )
        GROUP BY customer_id
    """)


def _step_customers(con: duckdb.DuckDBPyConnection) -> None:
    """crm.customers: identity, contact points and consent; points follow the last year's spend."""
    first_f, first_m = _list(_FIRST_NAMES_F), _list(_FIRST_NAMES_M)
    n_f, n_m, n_l = len(_FIRST_NAMES_F), len(_FIRST_NAMES_M), len(_LAST_NAMES)
    con.execute(f"""
        INSERT INTO crm.customers
        WITH n AS (
            SELECT c.*, x.city, x.region, x.country,
                CASE WHEN gender = 'F' OR (gender = 'U' AND u(customer_id, 0, 'fn.g') < 0.5)
                    THEN {first_f}[1 + CAST(floor(pow(u(customer_id, 0, 'fn'), 1.4) * {n_f})
                        AS INTEGER)]
                    ELSE {first_m}[1 + CAST(floor(pow(u(customer_id, 0, 'fn'), 1.4) * {n_m})
                        AS INTEGER)]
                END AS first_name,
                {_list(_LAST_NAMES)}[1 + CAST(floor(pow(u(customer_id, 0, 'ln'), 1.6) * {n_l})
                    AS INTEGER)] AS last_name,
                u(customer_id, 0, 'email') >= 0.1 AS has_email,
                u(customer_id, 0, 'phone') < CASE WHEN tier IN ('gold', 'vip') THEN 0.8
                    ELSE 0.58 END AS has_phone
            FROM _cust c JOIN _cities x USING (city_idx)
        )
        SELECT customer_id,
            CASE WHEN has_email THEN lower(strip_accents(first_name)) || '.'
                || replace(lower(strip_accents(last_name)), ' ', '') || '.'
                || customer_id || '@example.com' END,
            CASE WHEN has_phone THEN CASE country
                WHEN 'FR' THEN '+33' || CASE WHEN u(customer_id, 0, 'ph') < 0.8 THEN '6'
                    ELSE '7' END || lpad(CAST(hash(customer_id, getvariable('seed'), 'ph.n')
                    % 100000000 AS VARCHAR), 8, '0')
                WHEN 'BE' THEN '+324' || CAST(7 + floor(u(customer_id, 0, 'ph') * 3)
                    AS INTEGER) || lpad(CAST(hash(customer_id, getvariable('seed'), 'ph.n')
                    % 10000000 AS VARCHAR), 7, '0')
                WHEN 'CH' THEN '+417' || CAST(5 + floor(u(customer_id, 0, 'ph') * 5)
                    AS INTEGER) || lpad(CAST(hash(customer_id, getvariable('seed'), 'ph.n')
                    % 10000000 AS VARCHAR), 7, '0')
                ELSE '+3526' || [2, 6, 9][1 + CAST(floor(u(customer_id, 0, 'ph') * 3)
                    AS INTEGER)] || lpad(CAST(hash(customer_id, getvariable('seed'), 'ph.n')
                    % 10000000 AS VARCHAR), 7, '0')
            END END,
            first_name, last_name, gender,
            CASE WHEN u(customer_id, 0, 'birth.null') >= 0.15
                THEN getvariable('ref') - CAST(floor(365.25 * (18 + 62 * pow((
                    u(customer_id, 0, 'birth.a') + u(customer_id, 0, 'birth.b')
                    + u(customer_id, 0, 'birth.c')) / 3, 1.1))) AS INTEGER) END,
            city,
            CASE WHEN country = 'FR' THEN lpad(CAST(pc_num AS VARCHAR), 5, '0')
                ELSE CAST(pc_num AS VARCHAR) END,
            region, country, signup_date, acquisition_channel, tier,
            CAST(CASE WHEN tier = 'none' THEN 0
                ELSE floor(coalesce(a.spend_12m, 0))
                    + CASE tier WHEN 'silver' THEN 150 WHEN 'gold' THEN 600 ELSE 2500 END
                    + floor(u(customer_id, 0, 'points') * 400) END AS INTEGER),
            has_email AND email_consent, has_phone AND sms_consent, push_consent,
            CAST(preferred_store_id AS INTEGER)
        FROM (
            SELECT n.*,
                u(customer_id, 0, 'optin.email') < CASE WHEN tier IN ('gold', 'vip')
                    THEN 0.8 ELSE 0.66 END AS email_consent,
                u(customer_id, 0, 'optin.sms') < 0.52 AS sms_consent,
                has_app AND u(customer_id, 0, 'optin.push') < 0.58 AS push_consent
            FROM n
        ) n
        LEFT JOIN _agg a USING (customer_id)
    """)


def _step_scores(con: duckdb.DuckDBPyConnection) -> None:
    """crm.scores: churn from recency and frequency, CLV from spend, RFM, appetences."""
    appetences = ",\n".join(
        f"""CAST(round(least(1.0, greatest(0.0, CASE WHEN s.fav_cat = {i}
                THEN 0.35 + 0.5 * (1 - exp(-coalesce(s.n, 0) / 3.0))
                ELSE 0.04 + 0.3 * u(s.customer_id, {i}, 'app.base') END
                + 0.12 * nrm(s.customer_id, {i}, 'app.noise'))), 4) AS DOUBLE)"""
        for i in range(len(_CATEGORIES))
    )
    con.execute(f"""
        INSERT INTO crm.scores
        WITH s AS (
            SELECT c.customer_id, c.fav_cat, a.n, a.n_12m, a.spend, a.spend_12m,
                getvariable('ref') - CAST(a.last_at AS DATE) AS recency,
                getvariable('ref') - CAST(a.first_at AS DATE) AS first_recency,
                getvariable('ref') - c.signup_date AS tenure,
                CASE WHEN a.n IS NULL
                    THEN 0.45 + 0.25 * least(getvariable('ref') - c.signup_date, 730) / 730.0
                        + 0.1 * nrm(c.customer_id, 0, 'churn')
                    ELSE 1 / (1 + exp(-(-2.2 + 4.6 * (getvariable('ref')
                        - CAST(a.last_at AS DATE)) / 365.0 - 0.35 * sqrt(a.n_12m)
                        + 0.6 * nrm(c.customer_id, 0, 'churn'))))
                END AS churn
            FROM _cust c LEFT JOIN _agg a USING (customer_id)
        )
        SELECT s.customer_id,
            round(least(0.999, greatest(0.001, churn)), 4),
            CAST(round(CASE WHEN s.n IS NULL THEN 40 * u(s.customer_id, 0, 'clv')
                ELSE (2.2 * s.spend_12m + 0.35 * s.spend) * (1.15 - least(1.0, churn))
                    * exp(0.2 * nrm(s.customer_id, 0, 'clv')) END, 2) AS DECIMAL(12,2)),
            CASE
                WHEN s.n IS NULL THEN CASE WHEN s.tenure < 90 THEN 'new' ELSE 'hibernating' END
                WHEN s.first_recency <= 90 AND s.n <= 2 THEN 'new'
                WHEN s.recency <= 60 AND s.n_12m >= 6 THEN 'champions'
                WHEN s.recency <= 120 AND s.n_12m >= 3 THEN 'loyal'
                WHEN s.recency <= 120 THEN 'potential_loyalist'
                WHEN s.recency <= 365 AND s.n >= 4 THEN 'at_risk'
                WHEN s.recency <= 365 THEN 'hibernating'
                ELSE 'lost'
            END,
            {appetences},
            getvariable('ref')
        FROM s
    """)
    con.execute("DROP TABLE _agg")


def _step_web(con: duckdb.DuckDBPyConnection) -> None:
    """web.events: browsing sessions, checkout sessions before each order, anonymous visits.

    Sessions are numbered in time order; a session's events get consecutive ids from the
    running total of events, so event ids are dense and follow time.
    """
    # browsing keys live above every purchase key so that their draws are independent
    browse = """
        SELECT customer_id, fav_cat, start_c, w_lo, has_app, skey,
            browse_carted(skey, online_share) AS carted
        FROM (
            SELECT *, 1000000000000000 + customer_id * 1000 + k AS skey
            FROM (
                SELECT *, unnest(generate_series(1, n_browse)) AS k
                FROM _cust WHERE n_browse > 0
            )
        )
    """
    known_events = _scalar(con, f"""
        SELECT (SELECT sum(sess_events(skey, 0, carted)) FROM ({browse}))
            + (SELECT 4 * count(*) FROM _orders)
    """)
    anon = "-(1000000000000 + r.i)"
    # kind 0: browsing by a known customer, 1: checkout just before an order, 2: anonymous
    con.execute(f"""
        CREATE TEMP TABLE _sess AS
        WITH sessions AS (
            SELECT CAST(0 AS TINYINT) AS kind, b.skey, b.customer_id, b.fav_cat, b.carted,
                CAST(greatest(b.start_c, dp.wd) AS TIMESTAMP) + secs(web_tod(b.skey, 1))
                    AS drawn_at,
                CASE WHEN u(b.skey, 0, 'device') < 0.8 THEN {_DEVICE_PREF}
                    ELSE {_random_device("b.skey", with_app=True)} END AS device,
                CAST(NULL AS INTEGER) AS order_pid
            FROM ({browse}) b
            JOIN _day_pick dp ON dp.b = {_day_bucket("b.w_lo", "1", "b.skey")}
            UNION ALL
            SELECT 1, -order_id, customer_id, fav_cat, TRUE,
                ts - secs(20 + 1500 * u(order_id, 0, 'checkout')), device,
                line_pid(skey, CAST(0 AS BIGINT), fav_cat)
            FROM _orders
            UNION ALL
            SELECT 2, {anon}, NULL, -1, u({anon}, 0, 'cart') < 0.08,
                CAST(dp.wd AS TIMESTAMP) + secs(web_tod({anon}, 1)),
                {_random_device(anon, with_app=True)}, NULL
            FROM range(?) r(i)
            JOIN _day_pick dp ON dp.b = {_day_bucket("0", "1", anon)}
        ),
        s AS (
            SELECT *,
                sess_events(skey, kind, carted) AS n_events,
                CAST(15 + floor(135 * u(skey, 0, 'gap')) AS INTEGER) AS gap
            FROM sessions
        ),
        c AS (
            SELECT * EXCLUDE (drawn_at, device),
                CAST(list_position(['desktop', 'mobile', 'tablet', 'app'], device)
                    AS TINYINT) AS device_code,
                kind <> 1 AND carted AND u(skey, 0, 'checkout') < 0.3 AS checkout,
                CASE WHEN kind = 1 THEN drawn_at - secs(3 * gap)
                    ELSE least(drawn_at, getvariable('ref_end') - secs(n_events * gap + 1))
                END AS start_at
            FROM s
        )
        SELECT *,
            row_number() OVER w AS session_no,
            CAST(sum(n_events) OVER w - n_events AS BIGINT) AS first_event
        FROM c
        WINDOW w AS (ORDER BY start_at, skey ROWS UNBOUNDED PRECEDING)
    """, [int(known_events * 2 / 3 / _ANON_EVENTS_PER_SESSION)])
    con.execute("DROP TABLE _orders")
    con.execute("""
        INSERT INTO web.events
        SELECT first_event + j + 1, customer_id,
            -- DuckDB hashes one BIGINT with a bijective 64-bit mixer: ids stay unique
            lpad(lower(to_hex(hash(session_no))), 16, '0'),
            event_type, start_at + secs(j * gap),
            CASE WHEN event_type IN ('product_view', 'add_to_cart') THEN
                CASE WHEN kind = 1 THEN order_pid ELSE line_pid(skey, j, fav_cat) END END,
            ['desktop', 'mobile', 'tablet', 'app'][device_code]
        FROM (
            SELECT *,
                CASE
                    WHEN kind = 1
                        THEN ['page_view', 'product_view', 'add_to_cart', 'checkout_start'][j + 1]
                    WHEN checkout AND j = n_events - 1 THEN 'checkout_start'
                    WHEN carted AND j = n_events - 1 - CAST(checkout AS INTEGER)
                        THEN 'add_to_cart'
                    WHEN j = 0 THEN CASE WHEN u(skey, j, 'event') < 0.85 THEN 'page_view'
                        ELSE 'product_view' END
                    WHEN u(skey, j, 'event') < 0.45 THEN 'product_view'
                    WHEN u(skey, j, 'event') < 0.75 THEN 'page_view'
                    ELSE 'search'
                END AS event_type
            FROM (SELECT *, unnest(range(n_events)) AS j FROM _sess)
        )
    """)
    con.execute("DROP TABLE _sess")


def _step_email(con: duckdb.DuckDBPyConnection) -> None:
    """email.campaigns (weekly plus Black Friday) and email.events."""
    months = _list(_MONTHS_FR)
    con.execute(f"""
        INSERT INTO email.campaigns
        WITH weekly AS (
            SELECT w.i AS week,
                getvariable('hist')
                    + CAST((9 - isodow(getvariable('hist'))) % 7 AS INTEGER)
                    + 7 * CAST(w.i AS INTEGER)
                    + CASE WHEN w.i % 4 = 3 THEN 2 ELSE 0 END AS d
            FROM range(0, 170) w(i)
        ),
        c AS (
            SELECT w.d, d.period,
                CAST(w.d AS TIMESTAMP) + CASE WHEN w.i_thu THEN INTERVAL 18 HOUR
                    ELSE INTERVAL 10 HOUR END AS sent_at,
                CASE
                    WHEN d.period IN (1, 2) THEN 'promo'
                    WHEN d.period = 3 THEN CASE WHEN w.week % 2 = 0 THEN 'promo'
                        ELSE 'newsletter' END
                    WHEN month(w.d) IN (3, 9) AND day(w.d) <= 7 THEN 'new_collection'
                    WHEN w.week % 6 = 2 THEN 'loyalty'
                    WHEN w.week % 8 = 5 THEN 'reactivation'
                    WHEN w.week % 3 = 0 THEN 'promo'
                    ELSE 'newsletter'
                END AS theme
            FROM (SELECT *, week % 4 = 3 AS i_thu FROM weekly) w
            JOIN _days d ON d.d = w.d
            UNION ALL
            SELECT d, 2, CAST(d AS TIMESTAMP) + INTERVAL 7 HOUR, 'black_friday'
            FROM _days
            WHERE d = make_date(year(d), 11, 1)
                + CAST((11 - isodow(make_date(year(d), 11, 1))) % 7 AS INTEGER) + 22
        )
        SELECT CAST(row_number() OVER (ORDER BY sent_at) AS INTEGER),
            CASE theme
                WHEN 'black_friday' THEN 'Black Friday ' || year(d)
                WHEN 'promo' THEN CASE period
                    WHEN 1 THEN CASE WHEN month(d) <= 3 THEN 'Soldes d''hiver '
                        ELSE 'Soldes d''été ' END || year(d)
                    WHEN 2 THEN 'Black Week ' || year(d)
                    WHEN 3 THEN 'Noël ' || year(d) || ' : idées cadeaux'
                    ELSE 'Offre de la semaine' END
                WHEN 'newsletter' THEN 'Newsletter'
                WHEN 'new_collection' THEN 'Nouvelle collection '
                    || CASE WHEN month(d) = 3 THEN 'printemps-été ' ELSE 'automne-hiver ' END
                    || year(d)
                WHEN 'loyalty' THEN 'Club fidélité : vos avantages '
                    || CASE WHEN month(d) IN (4, 8, 10) THEN 'd''' ELSE 'de ' END
                    || {months}[month(d)]
                ELSE 'Vous nous manquez' END
                || ' – ' || strftime(d, '%d/%m/%Y'),
            CASE WHEN theme = 'black_friday' THEN 'promo' ELSE theme END,
            sent_at
        FROM c
        WHERE sent_at < getvariable('ref_end')
        ORDER BY sent_at
    """)
    con.execute("""
        CREATE TEMP TABLE _email_cust AS
        SELECT c.customer_id, c.signup_date, c.tier, c.lapsed, c.end_c, c.engagement,
            x.email_opt_in,
            CASE WHEN NOT x.email_opt_in AND u(c.customer_id, 0, 'unsub') < 0.5
                THEN c.signup_date + CAST(floor(u(c.customer_id, 0, 'unsub.d')
                    * (getvariable('ref') - c.signup_date + 1)) AS INTEGER) END AS unsub_date
        FROM _cust c JOIN crm.customers x USING (customer_id)
        WHERE x.email IS NOT NULL
    """)
    # a campaign goes to a themed subset of the customers who could receive it
    sends = """
        SELECT e.customer_id, m.campaign_id, e.unsub_date,
            m.sent_at + secs(1800 * u(e.customer_id, m.campaign_id, 'send.t')) AS sent_at,
            u(e.customer_id, m.campaign_id, 'open') < least(0.95, 0.55 * e.engagement
                * CASE e.tier WHEN 'vip' THEN 1.4 WHEN 'gold' THEN 1.2 ELSE 1.0 END
                * CASE WHEN e.lapsed THEN 0.6 ELSE 1.0 END) AS open_draw
        FROM _email_cust e
        JOIN email.campaigns m
            ON CAST(m.sent_at AS DATE) >= e.signup_date
            AND (e.email_opt_in OR CAST(m.sent_at AS DATE) < e.unsub_date)
        WHERE (e.email_opt_in OR e.unsub_date IS NOT NULL)
            AND u(e.customer_id, m.campaign_id, 'send') < CASE m.theme
                WHEN 'promo' THEN 0.12
                WHEN 'newsletter' THEN 0.10
                WHEN 'new_collection' THEN 0.10
                WHEN 'loyalty' THEN CASE WHEN e.tier = 'none' THEN 0.0 ELSE 0.4 END
                ELSE CASE WHEN e.lapsed AND CAST(m.sent_at AS DATE) > e.end_c + 180
                    THEN 0.5 ELSE 0.01 END
            END
    """
    # a send expands into its events (sent, bounce, open, click), kept if before the end
    con.execute(f"""
        INSERT INTO email.events
        WITH s AS (
            SELECT customer_id, campaign_id, sent_at,
                u(customer_id, campaign_id, 'bounce') < 0.012 AS bounced,
                open_draw AND NOT (u(customer_id, campaign_id, 'bounce') < 0.012) AS opened,
                sent_at + secs(least(5 * 86400,
                    -ln(1 - u(customer_id, campaign_id, 'open.t')) * 6 * 3600)) AS open_at,
                u(customer_id, campaign_id, 'click') < 0.14 AS clicked
            FROM ({sends})
        ),
        e AS (
            SELECT customer_id, campaign_id, slot,
                CASE slot
                    WHEN 0 THEN sent_at
                    WHEN 1 THEN sent_at + INTERVAL 1 MINUTE
                    WHEN 2 THEN open_at
                    ELSE open_at + secs(5 + 600 * u(customer_id, campaign_id, 'click.t'))
                END AS occurred_at
            FROM (
                SELECT *, unnest(CASE
                    WHEN bounced THEN [0, 1]
                    WHEN opened AND clicked THEN [0, 2, 3]
                    WHEN opened THEN [0, 2]
                    ELSE [0] END) AS slot
                FROM s
            )
        )
        SELECT customer_id, CAST(campaign_id AS INTEGER),
            ['sent', 'bounce', 'open', 'click'][slot + 1], occurred_at
        FROM e
        WHERE occurred_at < getvariable('ref_end')
    """)
    # customers who opted out: an unsubscribe after the last campaign they received
    con.execute(f"""
        INSERT INTO email.events
        SELECT customer_id, arg_max(campaign_id, sent_at), 'unsubscribe',
            least(max(sent_at) + secs(60 + 86400 * u(customer_id, 0, 'unsub.t')),
                getvariable('ref_end') - INTERVAL 1 SECOND)
        FROM ({sends})
        WHERE unsub_date IS NOT NULL
        GROUP BY customer_id
    """)
    con.execute("DROP TABLE _email_cust")


def _step_support(con: duckdb.DuckDBPyConnection) -> None:
    """support.tickets: more for frequent and online buyers, recent ones often still open."""
    topic = """CASE
        WHEN u(skey, 0, 'ticket.topic') < 0.1 + 0.3 * online_share THEN 'delivery'
        WHEN u(skey, 0, 'ticket.topic') < 0.32 + 0.3 * online_share THEN 'return'
        WHEN u(skey, 0, 'ticket.topic') < 0.62 + 0.2 * online_share THEN 'product'
        WHEN u(skey, 0, 'ticket.topic') < 0.8 + 0.1 * online_share THEN 'payment'
        ELSE 'account' END"""
    con.execute(f"""
        INSERT INTO support.tickets
        WITH t AS (
            SELECT customer_id, start_c, online_share,
                unnest(generate_series(1, CAST(floor(
                    0.08 + 0.035 * least(n_purch, 20) + 0.1 * online_share
                    + u(customer_id, 0, 'tickets')) AS INTEGER))) AS k
            FROM _cust
        ),
        d AS (
            SELECT *, customer_id * 1000 + k AS skey,
                getvariable('ref') - CAST(floor((getvariable('ref') - start_c + 1)
                    * pow(u(customer_id, k, 'ticket.d'), 1.4)) AS INTEGER) AS d
            FROM t
        ),
        s AS (
            SELECT *,
                CAST(d AS TIMESTAMP) + secs(8 * 3600 + 12 * 3600 * u(skey, 0, 'ticket.t'))
                    AS opened_at,
                {topic} AS topic,
                u(skey, 0, 'ticket.status') < CASE
                    WHEN getvariable('ref') - d <= 2 THEN 0.6
                    WHEN getvariable('ref') - d <= 14 THEN 0.25
                    WHEN getvariable('ref') - d <= 60 THEN 0.05
                    ELSE 0.005 END AS is_open
            FROM d
        )
        SELECT row_number() OVER (ORDER BY opened_at, skey), customer_id, opened_at, topic,
            CASE WHEN is_open THEN 'open' ELSE 'closed' END,
            CASE WHEN is_open OR u(skey, 0, 'ticket.rated') < 0.3 THEN NULL
                ELSE CAST(CASE
                    WHEN u(skey, 0, 'ticket.sat')
                        < CASE WHEN topic = 'delivery' THEN 0.2 ELSE 0.1 END THEN 1
                    WHEN u(skey, 0, 'ticket.sat')
                        < CASE WHEN topic = 'delivery' THEN 0.32 ELSE 0.2 END THEN 2
                    WHEN u(skey, 0, 'ticket.sat') < 0.37 THEN 3
                    WHEN u(skey, 0, 'ticket.sat') < 0.65 THEN 4
                    ELSE 5 END AS INTEGER) END
        FROM s
    """)


def _step_finish(con: duckdb.DuckDBPyConnection) -> None:
    """meta.dataset, drop the temporary tables, checkpoint."""
    con.execute("""
        INSERT INTO meta.dataset
        SELECT getvariable('ref'), getvariable('seed'), getvariable('n')
    """)
    for table in ("_cust", "_days", "_day_pick", "_store_day", "_web_day",
                  "_city_pick", "_cities", "_store_pick", "_store_weights", "_city_stores",
                  "_region_stores"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("CHECKPOINT")


_STEPS: tuple[tuple[str, Callable[[duckdb.DuckDBPyConnection], None]], ...] = (
    ("reference data", _step_reference),
    ("stores and products", _step_stores_products),
    ("customer profiles", _step_profiles),
    ("in-store sales", _step_store_sales),
    ("online orders", _step_online_sales),
    ("purchase summary", _step_purchase_summary),
    ("customers", _step_customers),
    ("scores", _step_scores),
    ("web events", _step_web),
    ("email campaigns and events", _step_email),
    ("support tickets", _step_support),
    ("finalising", _step_finish),
)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _set_parameters(
    con: duckdb.DuckDBPyConnection, customers: int, seed: int, reference_date: datetime.date
) -> None:
    con.execute("SET enable_progress_bar = false")
    con.execute("SET VARIABLE seed = CAST(? AS INTEGER)", [seed])
    con.execute("SET VARIABLE n = CAST(? AS BIGINT)", [customers])
    con.execute("SET VARIABLE ref = CAST(? AS DATE)", [reference_date])
    con.execute("""
        SET VARIABLE ref_end = CAST(getvariable('ref') AS TIMESTAMP) + INTERVAL 1 DAY
    """)
    # about three years of history; signups go back six years
    con.execute("""
        SET VARIABLE hist = CAST(getvariable('ref_end') - INTERVAL 3 YEAR AS DATE)
    """)
    con.execute("""
        SET VARIABLE signup_days = CAST(getvariable('ref')
            - CAST(getvariable('ref_end') - INTERVAL 6 YEAR AS DATE) AS INTEGER)
    """)
    con.execute("SET VARIABLE year_ago = getvariable('ref_end') - INTERVAL 12 MONTH")


def _validate(customers: int, seed: int, reference_date: datetime.date) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise TypeError(f"customers must be an int, got {type(customers).__name__}")
    if customers < MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {MIN_CUSTOMERS}, got {customers}")
    if customers > 10**9:
        raise ValueError(f"customers must be at most 1,000,000,000, got {customers}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not -(2**31) <= seed < 2**31:
        # meta.dataset.seed is an INTEGER in the contract
        raise ValueError(f"seed must fit in a 32-bit signed integer, got {seed}")
    if isinstance(reference_date, datetime.datetime) or not isinstance(
        reference_date, datetime.date
    ):
        raise TypeError("reference_date must be a datetime.date")
    if reference_date.year < 1980:
        raise ValueError(f"reference_date is too early: {reference_date}")


def _remove_database_files(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal")):
        candidate.unlink(missing_ok=True)


def generate_demo(
    path: str | Path,
    *,
    customers: int = 200_000,
    seed: int = 42,
    reference_date: datetime.date = DEFAULT_REFERENCE_DATE,
    progress: ProgressCallback | None = None,
    overwrite: bool = False,
) -> DemoSummary:
    """Generate the demo retail dataset into the DuckDB file ``path``.

    The file is written next to ``path`` under a temporary name and renamed at the end, so an
    interrupted run never leaves a partial database at ``path``. ``progress(step, index, total)``
    is called before each generation step.

    Raises:
        FileExistsError: ``path`` exists and ``overwrite`` is false.
        ValueError: fewer than 100 customers, or a seed outside the 32-bit integer range.
    """
    _validate(customers, seed, reference_date)
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(
            f"{target} already exists; pass overwrite=True (--force on the command line) "
            "to replace it"
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(f"directory {target.parent} does not exist")
    tmp = target.with_name(target.name + ".tmp")
    _remove_database_files(tmp)

    started = time.perf_counter()
    try:
        con = duckdb.connect(str(tmp))
        try:
            _set_parameters(con, customers, seed, reference_date)
            for index, (name, step) in enumerate(_STEPS):
                if progress is not None:
                    progress(name, index, len(_STEPS))
                step(con)
            counts = {t: _scalar(con, f"SELECT count(*) FROM {t}") for t in TABLES}
        finally:
            con.close()
        if Path(f"{tmp}.wal").exists():
            raise RuntimeError(f"DuckDB left a write-ahead log next to {tmp}")
        os.replace(tmp, target)
    except BaseException:
        _remove_database_files(tmp)
        raise
    return DemoSummary(
        path=target,
        customers=customers,
        seed=seed,
        reference_date=reference_date,
        row_counts=counts,
        seconds=round(time.perf_counter() - started, 3),
    )
