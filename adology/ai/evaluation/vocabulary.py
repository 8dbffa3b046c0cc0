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
  reading it makes it a second held-out list, and a new blind list is then needed).

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
            ("EXTRA 15% OFF", "HALF PRICE", "45% OFF SKINCARE"),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            ("$25 OFF $100+", "£10 OFF YOUR BASKET"),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            ("SHIPPING IS ON US", "FREE 2-DAY SHIPPING"),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            ("2ND ITEM FREE", "TWO FOR THE PRICE OF ONE"),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            ("FREE TOTE WITH ANY ORDER", "COMPLIMENTARY GIFT INSIDE"),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            ("ESSENTIALS TRIO", "DUO PACK"),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            ("RISK-FREE TRIAL", "FIRST 14 DAYS FREE"),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            ("HASTA 60% DTO.", "A MITAD DE PRECIO"),
        ),
        "amount_off": (("10 € DE DESCUENTO",), ("AHORRA 15 €",), ("-5 € EN TU PEDIDO",)),
        "free_shipping": (("ENVÍO GRATIS",), ("ENVÍO GRATUITO",), ("SIN GASTOS DE ENVÍO",)),
        "bogo": (("2X1",), ("LLEVA 2, PAGA 1",), ("SEGUNDA UNIDAD GRATIS",)),
        "free_gift": (("REGALO CON TU COMPRA",), ("REGALO GRATIS",), ("NECESER DE REGALO",)),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            ("-25% SUR TOUT", "MOITIÉ PRIX"),
        ),
        "amount_off": (("10 € OFFERTS",), ("-15 € SUR VOTRE COMMANDE",), ("ÉCONOMISEZ 20 €",)),
        "free_shipping": (("LIVRAISON GRATUITE",), ("LIVRAISON OFFERTE",), ("FRAIS DE PORT OFFERTS",)),
        "bogo": (("1 ACHETÉ = 1 OFFERT",), ("2 POUR 1",), ("LE DEUXIÈME OFFERT",)),
        "free_gift": (("CADEAU OFFERT",), ("UN CADEAU POUR TOUT ACHAT",), ("TROUSSE OFFERTE",)),
    },
    "de": {
        "percent_off": (("50% RABATT",), ("SPARE 25%", "-30% AUF ALLES"), ("BIS ZU 40% REDUZIERT", "20% NACHLASS")),
        "amount_off": (("10 € RABATT",), ("15 € SPAREN",), ("20 € PREISVORTEIL",)),
        "free_shipping": (("KOSTENLOSER VERSAND",), ("GRATIS VERSAND",), ("VERSANDKOSTENFREI",)),
        "bogo": (("2 FÜR 1",), ("1+1 GRATIS",), ("NIMM 2, ZAHL 1",)),
        "free_gift": (("GRATIS GESCHENK",), ("GESCHENK ZUM EINKAUF",), ("GRATIS-ZUGABE",)),
    },
}

CTAS: dict[Language, dict[CtaType, Variants]] = {
    "en": {
        "shop_now": (("SHOP NOW",), ("SHOP THE RANGE",), ("START SHOPPING",)),
        "buy_now": (("BUY NOW",), ("ADD TO CART",), ("ADD TO BAG",)),
        "order_now": (("ORDER NOW",), ("ORDER YOURS",), ("PLACE YOUR ORDER",)),
        "learn_more": (("LEARN MORE",), ("DISCOVER MORE", "FIND OUT MORE"), ("SEE HOW IT WORKS", "READ MORE")),
        "sign_up": (("SIGN UP",), ("JOIN NOW",), ("CREATE ACCOUNT",)),
        "subscribe": (("SUBSCRIBE",), ("SUBSCRIBE NOW",), ("BECOME A SUBSCRIBER",)),
        "get_offer": (("GET OFFER",), ("CLAIM OFFER",), ("GRAB THE DEAL",)),
    },
    "es": {
        "shop_now": (("COMPRAR AHORA",), ("COMPRA YA",), ("IR A LA TIENDA",)),
        "order_now": (("PIDE AHORA",), ("HAZ TU PEDIDO",), ("PÍDELO YA",)),
        "learn_more": (("MÁS INFORMACIÓN",), ("DESCUBRE MÁS",), ("SABER MÁS",)),
        "sign_up": (("REGÍSTRATE",), ("ÚNETE",), ("CREA TU CUENTA",)),
        "get_offer": (("OBTENER OFERTA",), ("CONSIGUE LA OFERTA",), ("APROVECHA LA OFERTA",)),
    },
    "fr": {
        "shop_now": (("ACHETER",), ("ACHETEZ MAINTENANT",), ("J'ACHÈTE",)),
        "order_now": (("COMMANDER",), ("COMMANDEZ",), ("JE COMMANDE",)),
        "learn_more": (("EN SAVOIR PLUS",), ("DÉCOUVRIR",), ("PLUS D'INFOS",)),
        "sign_up": (("S'INSCRIRE",), ("INSCRIVEZ-VOUS",), ("CRÉER UN COMPTE",)),
        "get_offer": (("PROFITER DE L'OFFRE",), ("J'EN PROFITE",), ("BÉNÉFICIER DE L'OFFRE",)),
    },
    "de": {
        "shop_now": (("JETZT KAUFEN",), ("JETZT SHOPPEN",), ("ZUM SHOP",)),
        "order_now": (("JETZT BESTELLEN",), ("BESTELLEN",), ("ZUR BESTELLUNG",)),
        "learn_more": (("MEHR ERFAHREN",), ("MEHR ENTDECKEN",), ("WEITERE INFOS",)),
        "sign_up": (("JETZT ANMELDEN",), ("REGISTRIEREN",), ("KONTO ERSTELLEN",)),
        "get_offer": (("ANGEBOT SICHERN",), ("ZUM ANGEBOT",), ("GUTSCHEIN EINLÖSEN",)),
    },
}

URGENCY: dict[Language, dict[UrgencyKind, Variants]] = {
    "en": {
        "deadline": (
            ("48 HOURS ONLY", "ENDS TONIGHT", "LIMITED TIME ONLY", "LAST CHANCE"),
            ("THIS WEEKEND ONLY", "TODAY ONLY", "HURRY, ENDS SUNDAY", "DON'T MISS OUT"),
            ("ENDS AT MIDNIGHT", "ONE WEEK ONLY", "FINAL DAYS", "NOW OR NEVER"),
        ),
        "countdown": (("ENDS IN 3 DAYS",), ("ONLY 12 HOURS LEFT",), ("2 DAYS TO GO",)),
        "flash_sale": (("FLASH SALE",), ("ONE DAY SALE",), ("LIGHTNING DEAL",)),
    },
    "es": {
        "deadline": (("SOLO HOY",), ("ÚLTIMA OPORTUNIDAD",), ("POR TIEMPO LIMITADO",)),
        "countdown": (("TERMINA EN 3 DÍAS",), ("QUEDAN 24 HORAS",), ("FALTAN 2 DÍAS",)),
        "flash_sale": (("VENTA FLASH",), ("OFERTA RELÁMPAGO",), ("DESCUENTOS FLASH",)),
    },
    "fr": {
        "deadline": (("AUJOURD'HUI SEULEMENT",), ("DERNIÈRE CHANCE",), ("DURÉE LIMITÉE",)),
        "countdown": (("PLUS QUE 2 JOURS",), ("SE TERMINE DANS 48 H",), ("IL RESTE 3 JOURS",)),
        "flash_sale": (("VENTE FLASH",), ("OFFRE ÉCLAIR",), ("PROMO FLASH",)),
    },
    "de": {
        "deadline": (("NUR HEUTE",), ("LETZTE CHANCE",), ("NUR FÜR KURZE ZEIT",)),
        "countdown": (("NUR NOCH 3 TAGE",), ("ENDET IN 24 STUNDEN",), ("NOCH 12 STUNDEN",)),
        "flash_sale": (("BLITZANGEBOT",), ("BLITZVERKAUF",), ("24-STUNDEN-SALE",)),
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
            "Skin that feels like silk",
            "Plump, bouncy skin",
            "Gentle enough for every day",
            "Your barrier, restored",
            "Balanced skin, less shine",
            "Visibly smoother texture",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        ("Una piel más firme", "Suavidad que se nota", "Frescura todo el día"),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        ("Une peau repulpée", "La douceur au quotidien", "Adieu les rougeurs"),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        ("Spürbar weichere Haut", "Ruhe für gereizte Haut", "Prall und geschmeidig"),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    ("Fernhollow", "Tidewell", "Maris & Sage"),
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
