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
  lists were rewritten once (2026-12-05), after the first blind wording was seen by the rules' authors.

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
            ("TAKE 20% OFF", "SAVE UP TO 70%", "60% OFF BESTSELLERS"),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            ("TAKE $30 OFF", "£8 OFF ANY CLEANSER"),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            ("FREE UK DELIVERY", "WE PAY THE SHIPPING"),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            ("BUY ONE, GET ONE ON US", "B1G1 FREE"),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            ("FREE LIP BALM WITH ORDER", "FREE FACE MIST WITH ANY SERUM"),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            ("3-STEP ROUTINE KIT", "CLEANSER + SERUM SET"),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            ("SAMPLE IT FREE", "TRY 1 MONTH ON US"),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            ("-20% EN SÉRUMS", "35% DE REBAJA"),
        ),
        "amount_off": (("10 € DE DESCUENTO",), ("AHORRA 15 €",), ("DESCUENTO DE 8 €",)),
        "free_shipping": (("ENVÍO GRATIS",), ("ENVÍO GRATUITO",), ("ENVÍO SIN COSTE",)),
        "bogo": (("2X1",), ("LLEVA 2, PAGA 1",), ("DOS POR EL PRECIO DE UNO",)),
        "free_gift": (("REGALO CON TU COMPRA",), ("REGALO GRATIS",), ("TE REGALAMOS UN BÁLSAMO",)),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            ("-35% SUR LES SÉRUMS", "15% DE REMISE IMMÉDIATE"),
        ),
        "amount_off": (("10 € OFFERTS",), ("-15 € SUR VOTRE COMMANDE",), ("5 € DE RÉDUCTION",)),
        "free_shipping": (("LIVRAISON GRATUITE",), ("LIVRAISON OFFERTE",), ("EXPÉDITION OFFERTE",)),
        "bogo": (("1 ACHETÉ = 1 OFFERT",), ("2 POUR 1",), ("UN ACHETÉ, UN GRATUIT",)),
        "free_gift": (("CADEAU OFFERT",), ("UN CADEAU POUR TOUT ACHAT",), ("MINI-SÉRUM EN CADEAU",)),
    },
    "de": {
        "percent_off": (("50% RABATT",), ("SPARE 25%", "-30% AUF ALLES"), ("-35% AUF ALLE SEREN", "45% GÜNSTIGER")),
        "amount_off": (("10 € RABATT",), ("15 € SPAREN",), ("SPAR DIR 8 €",)),
        "free_shipping": (("KOSTENLOSER VERSAND",), ("GRATIS VERSAND",), ("PORTOFREI",)),
        "bogo": (("2 FÜR 1",), ("1+1 GRATIS",), ("ZWEI ZUM PREIS VON EINEM",)),
        "free_gift": (("GRATIS GESCHENK",), ("GESCHENK ZUM EINKAUF",), ("LIPPENBALSAM GESCHENKT",)),
    },
}

CTAS: dict[Language, dict[CtaType, Variants]] = {
    "en": {
        "shop_now": (("SHOP NOW",), ("SHOP THE RANGE",), ("VISIT THE STORE",)),
        "buy_now": (("BUY NOW",), ("ADD TO CART",), ("CHECK OUT NOW",)),
        "order_now": (("ORDER NOW",), ("ORDER YOURS",), ("START YOUR ORDER",)),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            ("EXPLORE THE SCIENCE", "MEET THE FORMULA"),
        ),
        "sign_up": (("SIGN UP",), ("JOIN NOW",), ("REGISTER NOW",)),
        "subscribe": (("SUBSCRIBE",), ("SUBSCRIBE NOW",), ("START MY SUBSCRIPTION",)),
        "get_offer": (("GET OFFER",), ("CLAIM OFFER",), ("UNLOCK THE DEAL",)),
    },
    "es": {
        "shop_now": (("COMPRAR AHORA",), ("COMPRA YA",), ("EMPIEZA A COMPRAR",)),
        "order_now": (("PIDE AHORA",), ("HAZ TU PEDIDO",), ("ENCARGAR AHORA",)),
        "learn_more": (("MÁS INFORMACIÓN",), ("DESCUBRE MÁS",), ("VER DETALLES",)),
        "sign_up": (("REGÍSTRATE",), ("ÚNETE",), ("DATE DE ALTA",)),
        "get_offer": (("OBTENER OFERTA",), ("CONSIGUE LA OFERTA",), ("QUIERO LA OFERTA",)),
    },
    "fr": {
        "shop_now": (("ACHETER",), ("ACHETEZ MAINTENANT",), ("VOIR LA BOUTIQUE",)),
        "order_now": (("COMMANDER",), ("COMMANDEZ",), ("PASSER COMMANDE",)),
        "learn_more": (("EN SAVOIR PLUS",), ("DÉCOUVRIR",), ("TOUT SAVOIR",)),
        "sign_up": (("S'INSCRIRE",), ("INSCRIVEZ-VOUS",), ("REJOINDRE LE CLUB",)),
        "get_offer": (("PROFITER DE L'OFFRE",), ("J'EN PROFITE",), ("OBTENIR L'OFFRE",)),
    },
    "de": {
        "shop_now": (("JETZT KAUFEN",), ("JETZT SHOPPEN",), ("HIER EINKAUFEN",)),
        "order_now": (("JETZT BESTELLEN",), ("BESTELLEN",), ("BESTELLUNG AUFGEBEN",)),
        "learn_more": (("MEHR ERFAHREN",), ("MEHR ENTDECKEN",), ("DETAILS ANSEHEN",)),
        "sign_up": (("JETZT ANMELDEN",), ("REGISTRIEREN",), ("MITGLIED WERDEN",)),
        "get_offer": (("ANGEBOT SICHERN",), ("ZUM ANGEBOT",), ("VORTEIL SICHERN",)),
    },
}

URGENCY: dict[Language, dict[UrgencyKind, Variants]] = {
    "en": {
        "deadline": (
            ("48 HOURS ONLY", "ENDS TONIGHT", "LIMITED TIME ONLY", "LAST CHANCE"),
            ("THIS WEEKEND ONLY", "TODAY ONLY", "HURRY, ENDS SUNDAY", "DON'T MISS OUT"),
            ("OFFER ENDS FRIDAY", "WHILE STOCKS LAST", "LAST CALL", "ENDS MAY 31"),
        ),
        "countdown": (("ENDS IN 3 DAYS",), ("ONLY 12 HOURS LEFT",), ("4 DAYS REMAINING",)),
        "flash_sale": (("FLASH SALE",), ("ONE DAY SALE",), ("FLASH DEAL",)),
    },
    "es": {
        "deadline": (("SOLO HOY",), ("ÚLTIMA OPORTUNIDAD",), ("HASTA EL DOMINGO",)),
        "countdown": (("TERMINA EN 3 DÍAS",), ("QUEDAN 24 HORAS",), ("ACABA EN 6 HORAS",)),
        "flash_sale": (("VENTA FLASH",), ("OFERTA RELÁMPAGO",), ("OFERTA FUGAZ",)),
    },
    "fr": {
        "deadline": (("AUJOURD'HUI SEULEMENT",), ("DERNIÈRE CHANCE",), ("JUSQU'À DIMANCHE",)),
        "countdown": (("PLUS QUE 2 JOURS",), ("SE TERMINE DANS 48 H",), ("J-2 AVANT LA FIN",)),
        "flash_sale": (("VENTE FLASH",), ("OFFRE ÉCLAIR",), ("PRIX ÉCLAIR",)),
    },
    "de": {
        "deadline": (("NUR HEUTE",), ("LETZTE CHANCE",), ("NUR BIS SONNTAG",)),
        "countdown": (("NUR NOCH 3 TAGE",), ("ENDET IN 24 STUNDEN",), ("IN 5 TAGEN VORBEI",)),
        "flash_sale": (("BLITZANGEBOT",), ("BLITZVERKAUF",), ("BLITZ-DEAL",)),
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
            "Softer skin while you sleep",
            "Less redness, more comfort",
            "Refined-looking pores",
            "Firmness you can feel",
            "Glow without the grease",
            "Skin that feels at ease",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        ("Adiós a la piel tirante", "Poros menos visibles", "Un rostro descansado"),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        ("Des pores resserrés", "Un teint frais et reposé", "Confort intense pour peaux sèches"),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        ("Sichtbar feinere Poren", "Endlich weniger Rötungen", "Samtweich bis zum Abend"),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    ("Quillmere", "Ashby & Thorn", "Velvetine Botanics"),
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
