"""What the evaluation set draws, in the product's own terms: each offer phrase names its
``offer_type``, each call to action its ``cta_type`` (both from the attribute schema), each urgency
line its kind; :mod:`.truth` turns those into the labels an ad must and must not get.

Every phrase has two disjoint lists of variants: the *development* set (odd seeds, 1 by default)
draws from the first, the *held-out* set (even seeds, 2 by default) from the second, so rules tuned
on one set meet wording they have never seen on the other. Fonts and layouts are split the same
way (:mod:`.fonts`, :mod:`.creatives`).

Headlines are benefit lines on purpose: no offer, urgency, call-to-action, launch or seasonal word,
so they can never be the reason an ad deserves (or is denied) an offer or CTA label.
"""

from __future__ import annotations

import enum
from typing import Literal

Language = Literal["en", "es", "fr", "de"]
OfferType = Literal["percent_off", "amount_off", "free_shipping", "bogo", "free_gift", "bundle", "trial"]
CtaType = Literal["shop_now", "buy_now", "order_now", "learn_more", "sign_up", "subscribe", "get_offer"]
UrgencyKind = Literal["deadline", "countdown", "flash_sale"]

DEV_SEED = 1
HELD_OUT_SEED = 2


class Pool(enum.Enum):
    """Which half of every variant list a seed draws from."""

    DEVELOPMENT = "development"
    HELD_OUT = "held-out"


def pool_of(seed: int) -> Pool:
    """Even seeds are held out (2 is the one the README reports), odd seeds are for development."""
    return Pool.HELD_OUT if seed % 2 == 0 else Pool.DEVELOPMENT


# (development variants, held-out variants)
Variants = tuple[tuple[str, ...], tuple[str, ...]]

LANGUAGE_WEIGHTS: dict[Language, float] = {"en": 0.55, "es": 0.15, "fr": 0.15, "de": 0.15}

OFFERS: dict[Language, dict[OfferType, Variants]] = {
    "en": {
        "percent_off": (
            ("50% OFF", "30% OFF EVERYTHING", "UP TO 40% OFF"),
            ("SAVE 25%", "20% OFF SITEWIDE", "35% OFF ALL SERUMS"),
        ),
        "amount_off": (("$10 OFF", "£5 OFF YOUR ORDER"), ("SAVE $15", "€20 OFF")),
        "free_shipping": (("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"), ("FREE DELIVERY", "SHIPS FREE")),
        "bogo": (("BUY 1 GET 1 FREE", "BOGO"), ("BUY ONE GET ONE FREE", "2 FOR 1")),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
        ),
        "bundle": (("BUNDLE & SAVE", "STARTER KIT"), ("VALUE SET", "THE COMPLETE ROUTINE SET")),
        "trial": (("FREE TRIAL", "TRY IT FREE"), ("TRY FOR FREE", "30-DAY FREE TRIAL")),
    },
    "es": {
        "percent_off": (("50% DE DESCUENTO", "-30% EN TODO"), ("AHORRA 25%", "40% MENOS")),
        "amount_off": (("10 € DE DESCUENTO",), ("AHORRA 15 €",)),
        "free_shipping": (("ENVÍO GRATIS",), ("ENVÍO GRATUITO",)),
        "bogo": (("2X1",), ("LLEVA 2, PAGA 1",)),
        "free_gift": (("REGALO CON TU COMPRA",), ("REGALO GRATIS",)),
    },
    "fr": {
        "percent_off": (("-50%", "30% DE RÉDUCTION"), ("JUSQU'À -40%", "REMISE DE 20%")),
        "amount_off": (("10 € OFFERTS",), ("-15 € SUR VOTRE COMMANDE",)),
        "free_shipping": (("LIVRAISON GRATUITE",), ("LIVRAISON OFFERTE",)),
        "bogo": (("1 ACHETÉ = 1 OFFERT",), ("2 POUR 1",)),
        "free_gift": (("CADEAU OFFERT",), ("UN CADEAU POUR TOUT ACHAT",)),
    },
    "de": {
        "percent_off": (("50% RABATT",), ("SPARE 25%", "-30% AUF ALLES")),
        "amount_off": (("10 € RABATT",), ("15 € SPAREN",)),
        "free_shipping": (("KOSTENLOSER VERSAND",), ("GRATIS VERSAND",)),
        "bogo": (("2 FÜR 1",), ("1+1 GRATIS",)),
        "free_gift": (("GRATIS GESCHENK",), ("GESCHENK ZUM EINKAUF",)),
    },
}

CTAS: dict[Language, dict[CtaType, Variants]] = {
    "en": {
        "shop_now": (("SHOP NOW",), ("SHOP THE RANGE",)),
        "buy_now": (("BUY NOW",), ("ADD TO CART",)),
        "order_now": (("ORDER NOW",), ("ORDER YOURS",)),
        "learn_more": (("LEARN MORE",), ("DISCOVER MORE", "FIND OUT MORE")),
        "sign_up": (("SIGN UP",), ("JOIN NOW",)),
        "subscribe": (("SUBSCRIBE",), ("SUBSCRIBE NOW",)),
        "get_offer": (("GET OFFER",), ("CLAIM OFFER",)),
    },
    "es": {
        "shop_now": (("COMPRAR AHORA",), ("COMPRA YA",)),
        "order_now": (("PIDE AHORA",), ("HAZ TU PEDIDO",)),
        "learn_more": (("MÁS INFORMACIÓN",), ("DESCUBRE MÁS",)),
        "sign_up": (("REGÍSTRATE",), ("ÚNETE",)),
        "get_offer": (("OBTENER OFERTA",), ("CONSIGUE LA OFERTA",)),
    },
    "fr": {
        "shop_now": (("ACHETER",), ("ACHETEZ MAINTENANT",)),
        "order_now": (("COMMANDER",), ("COMMANDEZ",)),
        "learn_more": (("EN SAVOIR PLUS",), ("DÉCOUVRIR",)),
        "sign_up": (("S'INSCRIRE",), ("INSCRIVEZ-VOUS",)),
        "get_offer": (("PROFITER DE L'OFFRE",), ("J'EN PROFITE",)),
    },
    "de": {
        "shop_now": (("JETZT KAUFEN",), ("JETZT SHOPPEN",)),
        "order_now": (("JETZT BESTELLEN",), ("BESTELLEN",)),
        "learn_more": (("MEHR ERFAHREN",), ("MEHR ENTDECKEN",)),
        "sign_up": (("JETZT ANMELDEN",), ("REGISTRIEREN",)),
        "get_offer": (("ANGEBOT SICHERN",), ("ZUM ANGEBOT",)),
    },
}

URGENCY: dict[Language, dict[UrgencyKind, Variants]] = {
    "en": {
        "deadline": (
            ("48 HOURS ONLY", "ENDS TONIGHT", "LIMITED TIME ONLY", "LAST CHANCE"),
            ("THIS WEEKEND ONLY", "TODAY ONLY", "HURRY, ENDS SUNDAY", "DON'T MISS OUT"),
        ),
        "countdown": (("ENDS IN 3 DAYS",), ("ONLY 12 HOURS LEFT",)),
        "flash_sale": (("FLASH SALE",), ("ONE DAY SALE",)),
    },
    "es": {
        "deadline": (("SOLO HOY",), ("ÚLTIMA OPORTUNIDAD",)),
        "countdown": (("TERMINA EN 3 DÍAS",), ("QUEDAN 24 HORAS",)),
        "flash_sale": (("VENTA FLASH",), ("OFERTA RELÁMPAGO",)),
    },
    "fr": {
        "deadline": (("AUJOURD'HUI SEULEMENT",), ("DERNIÈRE CHANCE",)),
        "countdown": (("PLUS QUE 2 JOURS",), ("SE TERMINE DANS 48 H",)),
        "flash_sale": (("VENTE FLASH",), ("OFFRE ÉCLAIR",)),
    },
    "de": {
        "deadline": (("NUR HEUTE",), ("LETZTE CHANCE",)),
        "countdown": (("NUR NOCH 3 TAGE",), ("ENDET IN 24 STUNDEN",)),
        "flash_sale": (("BLITZANGEBOT",), ("BLITZVERKAUF",)),
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
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
    ),
}

BRANDS: Variants = (("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"), ("Petal Theory", "Sable Skin", "Northglow"))


def variants(entry: Variants, pool: Pool) -> tuple[str, ...]:
    return entry[0] if pool is Pool.DEVELOPMENT else entry[1]
