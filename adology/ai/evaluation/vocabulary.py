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
  lists were rewritten twice (both 2026-12-05), each time after the wording before them had been
  read by the rules' authors; the third was written after the rules' last change.

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
                "EXTRA 15% OFF MOISTURIZERS",
                "25% OFF YOUR FIRST PURCHASE",
                "FORTY PERCENT OFF",
                "ALL SUNSCREENS 30% OFF",
                "ENJOY 45% OFF",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            ("£10 OFF YOUR BASKET", "TWENTY DOLLARS OFF", "$25 OFF WHEN YOU SPEND $100", "€15 OFF EYE CREAMS"),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            ("FREE STANDARD SHIPPING", "COMPLIMENTARY DELIVERY", "NO SHIPPING FEES", "SHIPPING'S FREE OVER $35"),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            ("BUY 2, GET 1 FREE", "3 FOR THE PRICE OF 2", "SECOND JAR FREE", "PICK TWO, PAY FOR ONE"),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "FREE TOTE WITH PURCHASE",
                "A GIFT IN EVERY PARCEL",
                "SPEND $50, RECEIVE A FREE MASK",
                "COMPLIMENTARY HAND CREAM INSIDE",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            ("HYDRATION BUNDLE", "THE SKIN ESSENTIALS TRIO", "BUILD YOUR OWN BUNDLE", "TONER & MOISTURIZER DUO"),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            ("RISK-FREE 14-DAY TRIAL", "FIRST MONTH FREE", "TEST IT FREE FOR TWO WEEKS", "REQUEST A FREE SAMPLE"),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "DESCUENTO DEL 15%",
                "-45% EN PROTECCIÓN SOLAR",
                "10% DTO. EN TU PRIMERA COMPRA",
                "AHÓRRATE UN VEINTE POR CIENTO",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            ("-5 € EN TU CESTA", "TE DESCONTAMOS 20 €", "12 € MENOS EN SÉRUMS", "CUPÓN DE 7 € PARA TI"),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            ("PORTES GRATIS", "ENTREGA GRATUITA", "TE LO ENVIAMOS GRATIS", "ENVÍOS GRATIS A TODA ESPAÑA"),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            ("SEGUNDA UNIDAD GRATIS", "3X2 EN SÉRUMS", "EL SEGUNDO TE SALE GRATIS", "COMPRA UNO, LLÉVATE DOS"),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "NECESER DE REGALO",
                "MINITALLA GRATIS EN TU PEDIDO",
                "REGALO SORPRESA EN CADA CAJA",
                "MASCARILLA DE REGALO",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            ("-25% SUR TOUT LE SITE", "ÉCONOMISEZ 30 %", "-10 % DÈS LA 1RE COMMANDE", "LES CRÈMES À -45%"),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            ("-7 € SUR LES NETTOYANTS", "ÉCONOMISEZ 25 €", "VINGT EUROS DE REMISE", "-30 € DÈS 100 € D'ACHAT"),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            ("FRAIS DE PORT OFFERTS", "PORT GRATUIT", "ON VOUS LIVRE GRATUITEMENT", "ZÉRO FRAIS DE LIVRAISON"),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            ("LE DEUXIÈME OFFERT", "3 POUR LE PRIX DE 2", "2 ACHETÉS, LE 3E OFFERT", "DEUX SÉRUMS POUR LE PRIX D'UN"),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "TROUSSE DE VOYAGE OFFERTE",
                "UN MASQUE EN TISSU OFFERT",
                "PETIT CADEAU DANS CHAQUE COLIS",
                "CRÈME MAINS OFFERTE",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            ("20% AUF DEINE ERSTBESTELLUNG", "BIS ZU 60% REDUZIERT", "ZEHN PROZENT NACHLASS", "15% AUF SONNENSCHUTZ"),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            ("-5 € AUF ALLE REINIGER", "12 € WENIGER ZAHLEN", "25 € ERMÄSSIGUNG AB 100 €", "GUTSCHEIN ÜBER 7 €"),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            ("OHNE VERSANDKOSTEN", "KOSTENLOSE LIEFERUNG", "GRATISLIEFERUNG AB 30 €", "LIEFERUNG ZUM NULLTARIF"),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            ("3 FÜR 2", "KAUF 2, ZAHL 1", "ZWEITES PRODUKT GRATIS", "KAUFE EINS, ERHALTE EINS GRATIS"),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "KULTURBEUTEL GRATIS DAZU",
                "PRÄSENT IN JEDEM PAKET",
                "HANDCREME ALS ZUGABE",
                "REISEGRÖSSE GRATIS ZUM KAUF",
            ),
        ),
    },
}

CTAS: dict[Language, dict[CtaType, Variants]] = {
    "en": {
        "shop_now": (
            ("SHOP NOW",),
            ("SHOP THE RANGE",),
            ("START SHOPPING", "SHOP SKINCARE", "SHOP THE EDIT", "SHOP BESTSELLERS"),
        ),
        "buy_now": (("BUY NOW",), ("ADD TO CART",), ("ADD TO BAG", "BUY YOURS", "PURCHASE NOW", "ADD TO BASKET")),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            ("PLACE AN ORDER", "ORDER ONLINE", "ORDER YOUR JAR", "ORDER HERE"),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            ("TELL ME MORE", "SEE HOW IT WORKS", "READ MORE", "SEE THE INGREDIENTS"),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            ("SIGN ME UP", "CREATE AN ACCOUNT", "BECOME A MEMBER", "JOIN THE COMMUNITY"),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            ("SUBSCRIBE HERE", "SUBSCRIBE MONTHLY", "SUBSCRIBE TO REFILLS", "BECOME A SUBSCRIBER"),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            ("REDEEM NOW", "GRAB THE DEAL", "CLAIM THIS DEAL", "REVEAL MY OFFER"),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            ("COMPRA AQUÍ", "IR A LA TIENDA", "COMPRA LA COLECCIÓN", "COMPRAR EN LA WEB"),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            ("PIDE EL TUYO", "REALIZAR PEDIDO", "PÍDELO YA", "PIDE ONLINE"),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            ("SABER MÁS", "LEER MÁS", "INFÓRMATE AQUÍ", "VER CÓMO FUNCIONA"),
        ),
        "sign_up": (("REGÍSTRATE",), ("ÚNETE",), ("APÚNTATE", "CREA TU CUENTA", "HAZTE MIEMBRO", "INSCRÍBETE")),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            ("CANJEAR AHORA", "APROVECHA LA OFERTA", "ACTIVA TU OFERTA", "ACCEDE A LA OFERTA"),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            ("J'ACHÈTE", "ACHETER EN LIGNE", "SHOPPER LA COLLECTION", "FAIRE MES ACHATS"),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            ("JE COMMANDE", "COMMANDER EN LIGNE", "COMMANDEZ LE VÔTRE", "COMMANDER MAINTENANT"),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            ("PLUS D'INFOS", "LIRE LA SUITE", "EN APPRENDRE DAVANTAGE", "VOIR COMMENT ÇA MARCHE"),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            ("CRÉER MON COMPTE", "JE M'INSCRIS", "DEVENIR MEMBRE", "OUVRIR UN COMPTE"),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            ("JE RÉCUPÈRE MON OFFRE", "ACTIVER L'OFFRE", "SAISISSEZ L'OFFRE", "UTILISER MON OFFRE"),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            ("ZUM SHOP", "KOLLEKTION SHOPPEN", "ONLINE KAUFEN", "GLEICH SHOPPEN"),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            ("HIER BESTELLEN", "ONLINE BESTELLEN", "DIREKT BESTELLEN", "BESTELL DIR DEINS"),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            ("MEHR INFOS", "WEITERLESEN", "SO FUNKTIONIERT'S", "ZU DEN INHALTSSTOFFEN"),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            ("KONTO ERSTELLEN", "ZUR ANMELDUNG", "HIER EINTRAGEN", "KUNDENKONTO ANLEGEN"),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            ("ANGEBOT EINLÖSEN", "HOL DIR DEN DEAL", "ANGEBOT AKTIVIEREN", "DEIN ANGEBOT ABHOLEN"),
        ),
    },
}

URGENCY: dict[Language, dict[UrgencyKind, Variants]] = {
    "en": {
        "deadline": (
            ("48 HOURS ONLY", "ENDS TONIGHT", "LIMITED TIME ONLY", "LAST CHANCE"),
            ("THIS WEEKEND ONLY", "TODAY ONLY", "HURRY, ENDS SUNDAY", "DON'T MISS OUT"),
            (
                "UNTIL MIDNIGHT ON SUNDAY",
                "VALID THROUGH JUNE 15",
                "CLOSES THURSDAY AT 11:59 PM",
                "GONE AT MIDNIGHT",
                "FINAL DAY IS MONDAY",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            ("JUST 36 HOURS TO GO", "THREE DAYS LEFT", "CLOSING IN 90 MINUTES", "02:45:10 LEFT ON THE CLOCK"),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            ("LIGHTNING SALE", "24-HOUR SALE", "SURPRISE FLASH EVENT", "MIDWEEK FLASH SALE"),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            ("VÁLIDO HASTA LAS 23:59", "TERMINA EL 30 DE JUNIO", "SE ACABA EL VIERNES", "FINALIZA ESTA MEDIANOCHE"),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            ("SOLO FALTAN 2 DÍAS", "ÚLTIMAS 12 HORAS", "CUENTA ATRÁS: 05:12:40", "TE QUEDAN TRES DÍAS"),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            ("DESCUENTOS RELÁMPAGO", "PROMO FLASH", "OFERTAS FLASH DE 24 H", "VENTA RELÁMPAGO"),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            ("FIN LE 15 JUIN", "DERNIER JOUR : LUNDI", "CLÔTURE MERCREDI À MINUIT", "TERMINÉ CE SOIR À 23 H"),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            ("ENCORE 6 HEURES", "IL RESTE TROIS JOURS", "COMPTE À REBOURS : 04:20:15", "FIN DANS 90 MINUTES"),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            ("LES VENTES FLASH DU JOUR", "OPÉRATION FLASH", "VENTE ÉCLAIR DE 24 H", "BONS PLANS FLASH"),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            ("ENDET AM 30. JUNI", "UM MITTERNACHT IST SCHLUSS", "GÜLTIG BIS DONNERSTAG, 23:59", "LETZTER TAG: MONTAG"),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            ("NOCH 6 STUNDEN", "NOCH ZWEI TAGE ZEIT", "COUNTDOWN: 03:12:45", "ABLAUF IN 90 MINUTEN"),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            ("24-STUNDEN-SALE", "BLITZAKTION", "FLASH-RABATTE", "SALE IM BLITZTEMPO"),
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
            "Plumper-looking skin by morning",
            "Barrier care that calms",
            "Dewy, never oily",
            "Smoother texture, week after week",
            "Breakouts, handled gently",
            "Visibly rested eyes",
            "Deep moisture, zero heaviness",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Piel elástica y jugosa",
            "Menos brillos, más frescura",
            "Una textura más uniforme",
            "Mimos para tu barrera cutánea",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Une peau rebondie et souple",
            "Moins de brillance, plus d'équilibre",
            "Le grain de peau affiné",
            "Des imperfections apaisées",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Prall und geschmeidig",
            "Ein ebenmäßiger Hautton",
            "Wohltuend für trockene Haut",
            "Mattes Finish ohne Austrocknen",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    ("Marrowfen", "Calder & Rue", "Tidelark", "Wrenfield Apothecary"),
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
