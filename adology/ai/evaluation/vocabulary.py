"""What the evaluation set draws, in the product's own terms: each offer phrase names its
``offer_type``, each call to action its ``cta_type`` (both from the attribute schema), each urgency
line its kind; :mod:`.truth` turns those into the labels an ad must and must not get.

Every phrase has three disjoint lists of variants, one per pool of seeds (:func:`pool_of`):

- *development* (seeds ≡ 1 mod 3, 1 by default): the wording rules may be tuned on;
- *held out* (seeds ≡ 2 mod 3, 2 by default): wording kept apart from development, so rules tuned
  on one set meet wording they have not been tuned on. It is no longer blind, though: the rules of
  the local provider were written by someone who had read these lists;
- *blind* (seeds ≡ 0 mod 3, 3 by default): wording written apart from any rule set, by someone who
  had not read those rules, and never used to check or adjust one. It is the set that says how a
  provider fares on ad copy nobody wrote rules for; keep it that way (a rule written after
  reading it makes it a second held-out list, and a new blind list is then needed). The blind
  lists were rewritten eight times, each time after the wording before them had been read by the
  provider's authors; the ninth (2026-12-06) by a writer who saw only the development and held-out
  lists and the schema and had to avoid every line used before. Retired blind lists live on among
  the copy model's examples (``adology/ai/data/copy_examples.v1.json``); the current one never does
  (:func:`adology.ai.evaluation.truth.vocabulary_problems` refuses it).

Fonts and layouts are split in two (:mod:`.fonts`, :mod:`.creatives`); the blind set draws the
held-out half of them, since only the held-out *wording* was seen by rule authors.

Headlines are benefit lines on purpose: no offer, urgency, call-to-action, launch or seasonal word,
so they can never be the reason an ad deserves (or is denied) an offer or CTA label.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Literal

Language = Literal["en", "es", "fr", "de"]
OfferType = Literal["percent_off", "amount_off", "free_shipping", "bogo", "free_gift", "bundle", "trial"]
CtaType = Literal["shop_now", "buy_now", "order_now", "learn_more", "sign_up", "subscribe", "get_offer"]
UrgencyKind = Literal["deadline", "countdown", "flash_sale"]

DEV_SEED = 1
HELD_OUT_SEED = 2
BLIND_SEED = 3


class Pool(enum.Enum):
    """Which of the three variant lists of every phrase a seed draws from."""

    DEVELOPMENT = "development"
    HELD_OUT = "held-out"
    BLIND = "blind"


def pool_of(seed: int) -> Pool:
    """Seeds ≡ 1 mod 3 are for development (1 by default), ≡ 2 mod 3 held out (2), ≡ 0 mod 3 blind (3)."""
    return (Pool.BLIND, Pool.DEVELOPMENT, Pool.HELD_OUT)[seed % 3]


# (development variants, held-out variants, blind variants)
Variants = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

LANGUAGE_WEIGHTS: dict[Language, float] = {"en": 0.55, "es": 0.15, "fr": 0.15, "de": 0.15}

OFFERS: dict[Language, dict[OfferType, Variants]] = {
    "en": {
        "percent_off": (
            ("50% OFF", "30% OFF EVERYTHING", "UP TO 40% OFF"),
            ("SAVE 25%", "20% OFF SITEWIDE", "35% OFF ALL SERUMS"),
            (
                "KNOCK 22% OFF ANY CLEANSER",
                "ENJOY 18% OFF BODY CARE",
                "USE CODE DEW12 FOR 12% OFF",
                "STUDENTS GET 10% OFF",
                "27% LESS ON SCALP CARE",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "£7 OFF ANY HAIR MASK",
                "$25 OFF ORDERS OVER $100",
                "SPEND £60, SAVE £12",
                "$8 KNOCKED OFF EVERY CANDLE",
                "C$15 OFF YOUR FIRST ORDER",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "DELIVERY'S ON US",
                "WE COVER THE SHIPPING",
                "FREE TRACKED DELIVERY",
                "COMPLIMENTARY SHIPPING, ALWAYS",
                "NO DELIVERY CHARGE ON ANY ORDER",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "PICK ANY 2, PAY FOR 1",
                "DOUBLE UP: 2ND TUBE FREE",
                "BUY 2 SHAMPOOS, 3RD ON US",
                "TWO MASKS FOR THE PRICE OF ONE",
                "PAIR IT: SECOND ONE HALF PRICE",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "COMPLIMENTARY LIP BALM WITH ANY ORDER",
                "BONUS DRY SHAMPOO IN EVERY BOX",
                "FREE SCRUNCHIE WITH HAIR ORDERS",
                "A FREE PERFUME VIAL WITH PURCHASE",
                "MINI BODY OIL ON US WITH EVERY ORDER",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "3-STEP REGIMEN, ONE PRICE",
                "THE FULL HAIR RITUAL, BOXED",
                "BODY CARE DUO KIT",
                "SHOWER-TO-BED KIT",
                "AM + PM SKIN SET",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "TRY A 7-DAY SUPPLY ON US",
                "SAMPLE IT FREE FIRST",
                "14 DAYS FREE, THEN DECIDE",
                "TEST-DRIVE IT FREE FOR 21 DAYS",
                "YOUR FIRST WEEK'S FREE",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "-15% EN SÉRUMS",
                "UN 20% MENOS EN SOLARES",
                "DTO. DEL 35% EN CABELLO",
                "25% OFF EN TODA LA TIENDA",
                "12% EXTRA CON EL CÓDIGO PIEL12",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "$200 MXN DE DESCUENTO",
                "20 € DE AHORRO AL GASTAR 80 €",
                "DESCUENTO DE 6 € EN SÉRUMS",
                "-10 € DESDE 50 € DE COMPRA",
                "AHÓRRATE 7,50 €",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "ENVÍO GRATIS A TODA ESPAÑA",
                "ENVÍO SIN CARGO A DOMICILIO",
                "TU PEDIDO VIAJA GRATIS",
                "ENVÍO A DOMICILIO SIN COSTE",
                "ENVÍO GRATIS A TODO CHILE",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "COMPRA UNO Y LLÉVATE OTRO GRATIS",
                "LA SEGUNDA A MITAD DE PRECIO",
                "2ª UNIDAD GRATIS",
                "LLÉVATE 3, PAGA 2",
                "DOS SÉRUMS AL PRECIO DE UNO",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "MINI TALLA DE REGALO",
                "OBSEQUIO POR TU COMPRA",
                "BRUMA FACIAL DE REGALO AL COMPRAR",
                "TU REGALO: UN CEPILLO DE BAMBÚ",
                "COSMETIQUERA GRATIS CON TU COMPRA",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "-25 % SUR LES SÉRUMS",
                "15 % DE REMISE SUR TOUT LE SITE",
                "JUSQU'À -45 % SUR LES PARFUMS",
                "10 % AVEC LE CODE ÉCLAT10",
                "35 % DE MOINS SUR LES SOINS CHEVEUX",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "-12 € SUR LA CRÈME DE NUIT",
                "10 CHF DE RÉDUCTION",
                "20 $ DE RABAIS",
                "7 € EN MOINS SUR LE SÉRUM",
                "ÉCONOMISEZ 9 €",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "ON S'OCCUPE DES FRAIS DE PORT",
                "EXPÉDITION OFFERTE PARTOUT AU CANADA",
                "LIVRAISON GRATUITE EN SUISSE",
                "LIVRAISON GRATUITE PARTOUT EN BELGIQUE",
                "LA LIVRAISON EST POUR NOUS",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "1 SHAMPOING ACHETÉ, 1 OFFERT",
                "LE 2ND PRODUIT GRATUIT",
                "LE 2E SÉRUM À MOITIÉ PRIX",
                "1 ACHETÉ, LE 2E GRATUIT",
                "DUO : LE SECOND OFFERT",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "UN ÉCHANTILLON OFFERT DANS CHAQUE COLIS",
                "VOTRE BAUME À LÈVRES OFFERT",
                "SURPRISE OFFERTE À CHAQUE ACHAT",
                "UNE POCHETTE EN CADEAU POUR TOUTE COMMANDE",
                "UN MINI GEL DOUCHE EN CADEAU",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "10 % MIT DEM CODE GLANZ10",
                "35 % NACHLASS AUF DÜFTE",
                "-25 % AUF GESICHTSPFLEGE",
                "SPARE SATTE 30 %",
                "15 % AUF DEINE ERSTBESTELLUNG",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "12 € WENIGER AUF DEINE BESTELLUNG",
                "CHF 10 RABATT AB CHF 50",
                "-8 € AUF BODYLOTIONS",
                "20 € NACHLASS AUF DEN WARENKORB",
                "SPAR DIR 7,50 €",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "VERSANDKOSTENFREIE LIEFERUNG",
                "GRATIS LIEFERUNG NACH ÖSTERREICH",
                "LIEFERUNG GEHT AUF UNS",
                "GRATISVERSAND IN DIE GANZE SCHWEIZ",
                "VERSAND KOSTET NICHTS",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "KAUF 1, NIMM 2",
                "2 KAUFEN, 1 BEZAHLEN",
                "ZWEITE TUBE GRATIS DAZU",
                "EINS GEKAUFT, EINS GRATIS",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "GRATIS-PROBE ZU JEDER BESTELLUNG",
                "MINI-CREME ALS GESCHENK DAZU",
                "ZU JEDEM EINKAUF EIN LIPPENBALSAM",
                "WIR SCHENKEN DIR EINEN REISEDUFT",
                "KULTURBEUTEL GRATIS ZUR BESTELLUNG",
            ),
        ),
    },
}

CTAS: dict[Language, dict[CtaType, Variants]] = {
    "en": {
        "shop_now": (
            ("SHOP NOW",),
            ("SHOP THE RANGE",),
            (
                "GO SHOPPING",
                "SHOP FACE",
                "SHOP SUPPLEMENTS",
                "SHOP WELLNESS",
                "SHOP CURLS",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "BUY THIS BOTTLE",
                "GET MINE",
                "BUY A JAR",
                "ADD TO TROLLEY",
                "GO TO CHECKOUT",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "ORDER YOURS NOW",
                "ORDER THE CREAM",
                "ORDER YOUR REFILL",
                "ORDER IT NOW",
                "ORDER FROM US",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "THE SCIENCE BEHIND IT",
                "LEARN HOW",
                "WHY IT WORKS",
                "READ UP",
                "GET TO KNOW US",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "SIGN UP HERE",
                "SIGN UP FOR ACCESS",
                "GET MEMBER ACCESS",
                "JOIN FOR UPDATES",
                "JOIN OUR PERKS CLUB",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "SET UP AUTO-SHIP",
                "START AUTO-REFILL",
                "SET & FORGET",
                "START YOUR PLAN",
                "CHOOSE A PLAN",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "CLAIM THE DEAL",
                "UNLOCK OFFER",
                "GET MY DISCOUNT",
                "APPLY OFFER",
                "CLAIM YOUR CODE",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "COMPRAR ONLINE",
                "COMPRA EL SÉRUM",
                "ENTRA A LA TIENDA",
                "A LA TIENDA",
                "COMPRAR LA RUTINA",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "PIDE YA",
                "PEDIR ONLINE",
                "HAZ TU ENCARGO",
                "PIDE EL TUYO YA",
                "PIDE LA TUYA",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "CONOCE CÓMO FUNCIONA",
                "VER MÁS",
                "LEE MÁS",
                "CONOCER MÁS",
                "MÁS INFO",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "REGÍSTRATE YA",
                "ÚNETE AHORA",
                "ALTA EN EL CLUB",
                "INSCRÍBETE YA",
                "ANÓTATE",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "CANJEAR CUPÓN",
                "VER OFERTA",
                "OBTENER CUPÓN",
                "CONSIGUE TU CUPÓN",
                "RECLAMA TU OFERTA",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "ACHETER ICI",
                "VOIR LA COLLECTION",
                "J'ACHÈTE MAINTENANT",
                "FAIRE SES ACHATS",
                "SHOPPEZ",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "COMMANDEZ DÈS À PRÉSENT",
                "PASSEZ COMMANDE",
                "COMMANDER LE SOIN",
                "JE FAIS MA COMMANDE",
                "COMMANDER LE FLACON",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "DÉCOUVRIR COMMENT",
                "LIRE PLUS",
                "JE VEUX EN SAVOIR PLUS",
                "PLUS D'INFORMATIONS",
                "EN SAVOIR PLUS ICI",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "REJOINDRE LE PROGRAMME",
                "JE M'ENREGISTRE",
                "FAIRE PARTIE DU CLUB",
                "REJOINDRE LA TRIBU",
                "S'INSCRIRE ICI",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "J'EN PROFITE MAINTENANT",
                "J'ACTIVE MON CODE",
                "PROFITEZ DE L'OFFRE",
                "JE SAISIS L'OFFRE",
                "ACCÉDER À L'OFFRE",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "SHOPPEN",
                "SERUM KAUFEN",
                "ZUM PRODUKT",
                "JETZT EINKAUFEN GEHEN",
                "ZUR PFLEGE",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "JETZT ONLINE BESTELLEN",
                "SOFORT BESTELLEN",
                "BESTELLE DEINS",
                "BESTELLUNG STARTEN",
                "HIER ORDERN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "ALLE INFOS",
                "SO WIRKT'S",
                "MEHR ZUM PRODUKT",
                "WIRKUNG VERSTEHEN",
                "MEHR HERAUSFINDEN",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "JETZT DABEI SEIN",
                "ACCOUNT ERSTELLEN",
                "JETZT KONTO ANLEGEN",
                "REGISTRIERUNG",
                "ICH BIN DABEI",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "ANGEBOT ANSEHEN",
                "RABATT SICHERN",
                "JETZT ZUGREIFEN",
                "ZUM GUTSCHEIN",
                "CODE ANZEIGEN",
            ),
        ),
    },
}

URGENCY: dict[Language, dict[UrgencyKind, Variants]] = {
    "en": {
        "deadline": (
            ("48 HOURS ONLY", "ENDS TONIGHT", "LIMITED TIME ONLY", "LAST CHANCE"),
            ("THIS WEEKEND ONLY", "TODAY ONLY", "HURRY, ENDS SUNDAY", "DON'T MISS OUT"),
            (
                "UNTIL FRIDAY, THEN IT'S GONE",
                "EXPIRES 31/05",
                "RUNS TILL MONDAY 9AM",
                "OVER AT 11:59 PM SUNDAY",
                "GOOD THROUGH 6/30",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "FINAL 6 HOURS",
                "CLOCK'S TICKING: 05:42:10 LEFT",
                "JUST 90 MINUTES REMAIN",
                "72 HOURS ON THE CLOCK",
                "3 SLEEPS LEFT",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "SPEED SALE",
                "48-HOUR FLASH EVENT",
                "SUDDEN SALE",
                "LIGHTNING DEALS",
                "12-HOUR SALE",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "VÁLIDO HASTA EL 15/06",
                "HASTA EL LUNES A LAS 10:00",
                "NO PASA DE ESTA NOCHE",
                "DISPONIBLE HASTA EL 30 DE JUNIO",
                "CIERRA ESTE DOMINGO",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "ÚLTIMAS 6 HORAS",
                "QUEDAN 05:12:33",
                "SOLO QUEDAN 48 H",
                "A 3 DÍAS DEL FINAL",
                "CUENTA ATRÁS: 2 DÍAS",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "FLASH SALE 24 H",
                "OFERTA FLASH",
                "OFERTAS DE 24 HORAS",
                "VENTA EXPRÉS",
                "SALE RELÁMPAGO",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "VALABLE JUSQU'AU 30/06",
                "JUSQU'À LUNDI 10 H",
                "PLUS QUE CE SOIR",
                "CE SOIR, C'EST FINI",
                "DISPONIBLE JUSQU'AU 15 MAI",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "PLUS QUE 12 H",
                "COMPTE À REBOURS : 03:15:40",
                "ENCORE 48 H",
                "IL RESTE 5 HEURES",
                "FIN DANS 02:45:10",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "OFFRES FLASH",
                "VENTE FLASH 48 H",
                "BONS PLANS ÉCLAIR",
                "FLASH DU JOUR",
                "LES PRIX FLASH",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "NUR BIS FREITAG 18 UHR",
                "GILT BIS 31.05.",
                "BIS MONTAG MORGEN",
                "HEUTE IST SCHLUSS",
                "ENDET AM SONNTAG",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "NOCH 04:59:12",
                "ENDET IN 3 TAGEN",
                "LETZTE 12 STUNDEN",
                "NUR NOCH 48 STD.",
                "COUNTDOWN: 2 TAGE",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "FLASH-SALE",
                "24H-SALE",
                "BLITZANGEBOTE",
                "WOCHENEND-BLITZSALE",
                "FLASH DEALS",
            ),
        ),
    },
}

HEADLINES: dict[Language, Variants] = {
    "en": (
        (
            "Brighter skin in 7 days",
            "A glow that lasts",
            "Calm skin, fast",
            "Hydration that stays",
            "Your skin, only better",
            "Made for sensitive skin",
        ),
        (
            "Soft, smooth, radiant",
            "Clearer skin, gently",
            "Wake up to dewy skin",
            "The serum your skin wants",
            "Even tone, naturally",
            "Comfort for dry skin",
        ),
        (
            "Frizz, finally tamed",
            "Softer lips by lunchtime",
            "Deep sleep, naturally supported",
            "Curls with bounce and shine",
            "Pores you can barely see",
            "Strong nails from the inside",
            "Body skin that feels like silk",
            "A fragrance that stays close",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Labios suaves todo el día",
            "Descanso profundo cada noche",
            "Ondas con forma y sin frizz",
            "Melena fuerte de raíz a puntas",
            "Manos suaves sin sensación grasa",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Des boucles rebondies",
            "Des mains douces en un geste",
            "Des nuits plus sereines",
            "Des longueurs nourries sans alourdir",
            "Un sillage qui se souvient de vous",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Weiche Lippen den ganzen Tag",
            "Kräftiges Haar ab der Wurzel",
            "Ruhige Nächte, erholt erwachen",
            "Definierte Locken ohne Frizz",
            "Ein Duft wie eine zweite Haut",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Saltgrove",
        "Halcyon Apothecary",
        "Tallow Street",
        "Brisa Nueve",
        "Fennel & Flint",
        "Cobalt Hearth",
    ),
)


_POSITION = {Pool.DEVELOPMENT: 0, Pool.HELD_OUT: 1, Pool.BLIND: 2}


def variants(entry: Variants, pool: Pool) -> tuple[str, ...]:
    return entry[_POSITION[pool]]


def entries() -> Iterator[tuple[str, Variants]]:
    """Every variant entry of the vocabulary, named ("offer bogo (fr)", "headline (de)", "brand")."""
    for book, what in ((OFFERS, "offer"), (CTAS, "cta"), (URGENCY, "urgency")):
        for language, phrases in book.items():
            for kind, entry in phrases.items():
                yield f"{what} {kind} ({language})", entry
    for language, entry in HEADLINES.items():
        yield f"headline ({language})", entry
    yield "brand", BRANDS
