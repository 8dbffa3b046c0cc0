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
  lists were rewritten four times, each time after the wording before them had been read by the
  provider's authors; the fifth (2026-12-06) by a writer who saw only the development and held-out
  lists and the schema. Retired blind lists live on among the copy model's examples
  (``adology/ai/data/copy_examples.v1.json``); the current one never does.

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
                "TAKE 15% OFF",
                "45% OFF BESTSELLERS",
                "EXTRA 10% OFF AT CHECKOUT",
                "SAVE UP TO 70%",
                "60% OFF SELECT SKINCARE",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "TAKE $25 OFF",
                "$30 OFF YOUR FIRST ORDER",
                "£12 OFF ANY MOISTURISER",
                "€7 OFF AT CHECKOUT",
                "GET $40 OFF NIGHT CREAMS",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "COMPLIMENTARY SHIPPING",
                "FREE 2-DAY SHIPPING",
                "FREE UK DELIVERY",
                "FREE EXPRESS DELIVERY",
                "SHIPPING IS ON US",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "TWO FOR THE PRICE OF ONE",
                "BUY 2, GET 1 FREE",
                "B1G1 FREE",
                "BUY ANY SERUM, GET ONE FREE",
                "BUY ONE, GET A SECOND FREE",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "FREE TOTE WITH ANY ORDER",
                "COMPLIMENTARY EYE MASK WITH PURCHASE",
                "FREE LIP BALM WITH YOUR ORDER",
                "A SURPRISE GIFT IN EVERY BOX",
                "FREE JADE ROLLER WITH PURCHASE",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "THE 3-STEP KIT",
                "GLOW TRIO SET",
                "BUILD YOUR OWN BUNDLE",
                "SERUM + CREAM DUO, ONE PRICE",
                "COMPLETE REGIMEN IN ONE BOX",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "FIRST MONTH FREE",
                "FREE 7-DAY TRIAL",
                "TRY 2 WEEKS AT NO COST",
                "TEST IT FREE FOR 60 DAYS",
                "SAMPLE IT FREE",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "DESCUENTO DEL 35%",
                "HASTA UN 60% DE DESCUENTO",
                "15% OFF EN TU PRIMERA COMPRA",
                "-25% EN SÉRUMS",
                "CREMAS CON UN 45% DE DESCUENTO",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "$200 DE DESCUENTO",
                "-5 € EN TU PEDIDO",
                "TE DESCONTAMOS 12 €",
                "US$15 MENOS EN TU COMPRA",
                "20 € MENOS EN TU PRIMER PEDIDO",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "ENVÍO SIN COSTO",
                "DESPACHO GRATIS",
                "ENVÍOS GRATIS A TODO EL PAÍS",
                "TE LO ENVIAMOS GRATIS",
                "ENTREGA GRATUITA A DOMICILIO",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "3X2",
                "2 POR 1",
                "2.ª UNIDAD GRATIS",
                "COMPRA 1 Y LLÉVATE OTRO GRATIS",
                "EL SEGUNDO, GRATIS",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "OBSEQUIO CON TU PEDIDO",
                "NECESER DE REGALO POR TU COMPRA",
                "TE REGALAMOS UN BÁLSAMO LABIAL",
                "REGALO SORPRESA EN CADA PEDIDO",
                "TALLA VIAJE DE REGALO",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "-25 % SUR TOUT LE SITE",
                "15 % DE REMISE IMMÉDIATE",
                "ÉCONOMISEZ 35 %",
                "45 % DE MOINS SUR LES SÉRUMS",
                "-70 % SUR UNE SÉLECTION",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "5 € DE RÉDUCTION",
                "12 CHF DE RABAIS",
                "30 $ DE RABAIS SUR LES CRÈMES",
                "8 € DÉDUITS DE VOTRE PANIER",
                "ÉCONOMISEZ 25 €",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "FRAIS DE PORT OFFERTS",
                "PORT GRATUIT",
                "EXPÉDITION GRATUITE",
                "LIVRAISON EXPRESS OFFERTE",
                "ON VOUS LIVRE GRATUITEMENT",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "1 ACHETÉ, LE 2E OFFERT",
                "3 POUR LE PRIX DE 2",
                "2 ACHETÉS = 1 OFFERT",
                "LE DEUXIÈME GRATUIT",
                "DEUX POUR LE PRIX D'UN",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "MINI FORMAT OFFERT AVEC VOTRE COMMANDE",
                "UN BAUME À LÈVRES EN CADEAU",
                "CADEAU SURPRISE DANS CHAQUE COLIS",
                "TROUSSE OFFERTE POUR TOUTE COMMANDE",
                "UN SOIN OFFERT AVEC VOTRE ACHAT",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "20 % AUF DAS GESAMTE SORTIMENT",
                "BIS ZU 60 % REDUZIERT",
                "35 % PREISNACHLASS",
                "-40 % AUF ALLE SEREN",
                "15 % AUF DEINE ERSTE BESTELLUNG",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "20 CHF RABATT",
                "€ 10,– PREISNACHLASS",
                "12 € GÜNSTIGER",
                "25 € WENIGER ZAHLEN",
                "DU SPARST 30 €",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "VERSANDKOSTENFREI",
                "PORTOFREI",
                "GRATISLIEFERUNG",
                "WIR LIEFERN KOSTENLOS",
                "OHNE VERSANDKOSTEN",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "KAUFE 1, ERHALTE 2",
                "3 FÜR 2",
                "ZWEITES PRODUKT GRATIS",
                "2 ZUM PREIS VON 1",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "GRATIS-MINI ZU JEDER BESTELLUNG",
                "KOSMETIKTASCHE GRATIS DAZU",
                "REISEGRÖSSE ALS ZUGABE",
                "ÜBERRASCHUNGSGESCHENK IM PAKET",
                "LIPPENBALSAM GESCHENKT BEIM KAUF",
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
                "START SHOPPING",
                "SHOP SKINCARE",
                "SHOP BESTSELLERS",
                "SHOP THE COLLECTION",
                "VISIT THE SHOP",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "BUY IT NOW",
                "ADD TO BAG",
                "ADD TO BASKET",
                "PURCHASE NOW",
                "BUY YOURS",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "PLACE YOUR ORDER",
                "ORDER ONLINE",
                "ORDER HERE",
                "START YOUR ORDER",
                "ORDER A JAR",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "EXPLORE THE SCIENCE",
                "TELL ME MORE",
                "GET THE DETAILS",
                "MEET THE FORMULA",
                "SEE THE INGREDIENTS",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "JOIN THE CLUB",
                "BECOME A MEMBER",
                "SIGN ME UP",
                "ENROLL NOW",
                "JOIN OUR COMMUNITY",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "START MY SUBSCRIPTION",
                "SUBSCRIBE HERE",
                "BUILD YOUR SUBSCRIPTION",
                "SUBSCRIBE TO REFILLS",
                "SET UP AUTO-REFILL",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "GRAB THE DEAL",
                "UNLOCK MY CODE",
                "REVEAL MY DISCOUNT",
                "CLAIM MY SAVINGS",
                "ACTIVATE COUPON",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "IR A LA TIENDA",
                "VER PRODUCTOS",
                "COMPRÁ ACÁ",
                "VISITA LA TIENDA",
                "EMPIEZA A COMPRAR",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "ORDENA YA",
                "HACER PEDIDO",
                "ENCARGA EL TUYO",
                "PEDÍ EL TUYO",
                "REALIZA TU PEDIDO",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "SABER MÁS",
                "CONOCE MÁS",
                "INFÓRMATE",
                "VER DETALLES",
                "CONOCÉ LA FÓRMULA",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "CREA TU CUENTA",
                "INSCRÍBETE",
                "ÚNETE AL CLUB",
                "REGISTRARME",
                "SUMATE",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "QUIERO MI DESCUENTO",
                "APROVECHA LA OFERTA",
                "ACTIVAR CUPÓN",
                "CANJEAR AHORA",
                "OBTÉN TU CUPÓN",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "J'ACHÈTE",
                "VOIR LA BOUTIQUE",
                "MAGASINEZ MAINTENANT",
                "FAIRE MON SHOPPING",
                "ACCÉDER À LA BOUTIQUE",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "JE COMMANDE",
                "PASSER COMMANDE",
                "COMMANDER LE MIEN",
                "VALIDER MA COMMANDE",
                "COMMANDEZ EN LIGNE",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "EN SAVOIR +",
                "LIRE LA SUITE",
                "VOIR LES DÉTAILS",
                "JE DÉCOUVRE",
                "PLUS D'INFOS",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "CRÉER UN COMPTE",
                "JE M'INSCRIS",
                "REJOINDRE LE CLUB",
                "DEVENIR MEMBRE",
                "INSCRIPTION",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "OBTENIR L'OFFRE",
                "JE RÉCUPÈRE MON CODE",
                "ACTIVER MA REMISE",
                "PROFITEZ-EN",
                "DÉBLOQUER L'OFFRE",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "ZUM SHOP",
                "JETZT EINKAUFEN",
                "HIER SHOPPEN",
                "ZUM ONLINESHOP",
                "EINKAUF STARTEN",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "HIER BESTELLEN",
                "JETZT ORDERN",
                "BESTELLUNG AUFGEBEN",
                "ZUR BESTELLUNG",
                "GLEICH BESTELLEN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "MEHR INFOS",
                "WEITERLESEN",
                "DETAILS ANSEHEN",
                "MEHR DAZU",
                "ZUR PRODUKTINFO",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "KONTO ERSTELLEN",
                "MITGLIED WERDEN",
                "DEM CLUB BEITRETEN",
                "KUNDENKONTO ANLEGEN",
                "ZUR ANMELDUNG",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "DEAL SICHERN",
                "GUTSCHEIN HOLEN",
                "RABATT AKTIVIEREN",
                "CODE EINLÖSEN",
                "HOL DIR DEN DEAL",
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
                "CLOSES AT MIDNIGHT",
                "THROUGH FRIDAY ONLY",
                "GONE AFTER SUNDAY",
                "NOW OR NEVER",
                "VALID UNTIL 30 JUNE",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "ENDS IN 05:47:12",
                "JUST 2 DAYS TO GO",
                "6 HRS 20 MIN REMAINING",
                "T-MINUS 3 DAYS",
                "1 DAY LEFT",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "FLASH EVENT",
                "LIGHTNING SALE",
                "SURPRISE SALE",
                "6-HOUR SALE",
                "FLASH DEALS ARE LIVE",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "SOLO POR TIEMPO LIMITADO",
                "HASTA EL DOMINGO",
                "ACABA ESTA NOCHE",
                "VÁLIDO HASTA EL 31/05",
                "SOLO ESTE FIN DE SEMANA",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "FALTAN 2 DÍAS",
                "QUEDAN 06:12:45",
                "ÚLTIMAS 8 HORAS",
                "TERMINA EN 12 H",
                "SOLO QUEDA 1 DÍA",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "VENTA RELÁMPAGO",
                "REBAJAS RELÁMPAGO",
                "PROMO FLASH",
                "OFERTAS FLASH",
                "PRECIOS RELÁMPAGO",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "POUR UN TEMPS LIMITÉ",
                "JUSQU'À DIMANCHE",
                "FIN CE SOIR À MINUIT",
                "CE WEEK-END UNIQUEMENT",
                "VALABLE JUSQU'AU 15/06",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "ENCORE 3 JOURS",
                "FIN DANS 05:32:10",
                "J-2 AVANT LA FIN",
                "IL RESTE 12 H",
                "DERNIÈRES 6 HEURES",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "OPÉRATION FLASH",
                "PRIX ÉCLAIR",
                "VENTE ÉCLAIR",
                "VENTES FLASH",
                "PROMO ÉCLAIR",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "NUR FÜR KURZE ZEIT",
                "BIS SONNTAG",
                "ENDET HEUTE UM MITTERNACHT",
                "NUR DIESES WOCHENENDE",
                "GÜLTIG BIS 30.06.",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "NOCH 2 TAGE",
                "ENDET IN 04:18:50",
                "NOCH 10 STUNDEN",
                "DIE LETZTEN 6 STUNDEN",
                "IN 8 STD. VORBEI",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "BLITZ-SALE",
                "BLITZAKTION",
                "BLITZDEALS",
                "FLASH-AKTION",
                "BLITZ-RABATTE",
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
            "Plumper lips overnight",
            "Bounce back from breakouts",
            "Skin that feels like silk",
            "Quiet the redness",
            "Barrier repair in every drop",
            "Firmer, lifted, lit from within",
            "Sleep deeper, wake up brighter",
            "Less shine, more balance",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Adiós a la piel tirante",
            "Luminosidad sin esfuerzo",
            "Firmeza que se nota",
            "Tu cabello, lleno de vida",
            "Menos rojeces, más confort",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Adieu les tiraillements",
            "Un éclat sans effort",
            "Des cheveux pleins de vitalité",
            "Moins de rougeurs, plus de confort",
            "La fermeté retrouvée",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Mehr Spannkraft für deine Haut",
            "Schluss mit trockenen Lippen",
            "Ruhe für gerötete Haut",
            "Volles Haar, gesunde Kopfhaut",
            "Ausgeglichen von innen heraus",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Cinder & Clay",
        "Vellum Botanics",
        "Saltmarsh Apothecary",
        "Morrow",
        "Halcyon Ritual",
        "Fernhollow",
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
