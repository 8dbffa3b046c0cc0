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
  lists were rewritten nine times, each time after the wording before them had been read by the
  provider's authors; the tenth (2026-12-06) by a writer who saw only the development and held-out
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
                "EXTRA 25% OFF AT CHECKOUT",
                "45% OFF BODY CARE",
                "UP TO 60% OFF FRAGRANCE",
                "TAKE 18% OFF SHAMPOOS",
                "SAVE 22% ON REFILLS",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "TAKE £8 OFF",
                "€12 OFF ANY MOISTURISER",
                "$30 OFF YOUR BASKET",
                "KNOCK $7 OFF",
                "A$15 OFF BODY OILS",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "COMPLIMENTARY US SHIPPING",
                "NO DELIVERY CHARGE",
                "FREE POSTAGE, ALWAYS",
                "DELIVERED FREE TO YOUR DOOR",
                "FREE SHIPPING, COAST TO COAST",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "3 FOR 2 ON ALL HAIRCARE",
                "PICK 2, PAY FOR 1",
                "2ND BOTTLE ON US",
                "TWO TUBES FOR THE PRICE OF ONE",
                "SECOND JAR HALF PRICE",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "BONUS SCRUNCHIE IN EVERY BOX",
                "A FREE CANDLE IN EVERY PARCEL",
                "FREE GUA SHA WITH YOUR ORDER",
                "COMPLIMENTARY POUCH WITH ANY PURCHASE",
                "GIFT WITH PURCHASE: MINI MIST",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "3-PIECE RITUAL SET",
                "THREE HEROES, ONE PRICE",
                "CLEANSE + TONE + HYDRATE TRIO",
                "FOUR FAVOURITES, ONE BOX",
                "THE NIGHT ROUTINE KIT",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "YOUR FIRST BOX FREE",
                "TRY 14 DAYS FREE",
                "TEST IT FREE FOR A MONTH",
                "FIRST 30 CAPSULES FREE",
                "FREE 60-NIGHT TRIAL",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "HASTA UN 60% DTO.",
                "REBAJA DEL 30% EN CABELLO",
                "35% OFF EN MAQUILLAJE",
                "-20 % EN SÉRUMS",
                "10% DE DTO. EN TU PRIMERA COMPRA",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "5 € MENOS",
                "-10 € EN TU PEDIDO",
                "TE DESCONTAMOS 8 €",
                "AHÓRRATE 12 €",
                "$150 MENOS EN TU COMPRA",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "ENVÍO GRATIS A DOMICILIO",
                "TU ENVÍO CORRE DE NUESTRA CUENTA",
                "ENVÍO GRATUITO A PENÍNSULA",
                "ENVÍOS GRATIS, SIN MÍNIMO",
                "ENVÍO GRATIS EN 24 H",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "LLÉVATE 3 Y PAGA 2",
                "2 CHAMPÚS AL PRECIO DE 1",
                "COMPRA UNO, EL OTRO VA DE REGALO",
                "LA SEGUNDA CREMA, GRATIS",
                "COMPRA 2 Y EL 3º ES GRATIS",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "TE REGALAMOS UNA MINITALLA",
                "BÁLSAMO LABIAL DE REGALO",
                "UN NECESER GRATIS CON TU COMPRA",
                "TU PEDIDO INCLUYE UN REGALO",
                "COLETERO DE SEDA DE REGALO",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "20 % DE REMISE IMMÉDIATE",
                "JUSQU'À 50 % SUR LES PARFUMS",
                "10 % OFFERTS SUR TOUT LE SITE",
                "RÉDUCTION DE 35 %",
                "-15 % SUR VOTRE 1ÈRE COMMANDE",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "12 € DE MOINS SUR LE SÉRUM",
                "CHF 10 DE RABAIS",
                "REMISE IMMÉDIATE DE 8 €",
                "-30 $ SUR VOTRE PANIER",
                "20 € DÉDUITS DE VOTRE PANIER",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "FRAIS D'ENVOI OFFERTS",
                "PORT OFFERT SUR TOUT",
                "LIVRAISON OFFERTE SANS MINIMUM",
                "LIVRAISON GRATUITE AU QUÉBEC",
                "VOTRE COLIS VOYAGE GRATUITEMENT",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "1 SÉRUM ACHETÉ = 1 SÉRUM OFFERT",
                "2 SHAMPOINGS POUR LE PRIX D'UN",
                "ACHETEZ-EN 2, LE 3E EST OFFERT",
                "LE SECOND FLACON OFFERT",
                "UN ACHETÉ, UN OFFERT",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "TROUSSE OFFERTE AVEC VOTRE COMMANDE",
                "UN BAUME OFFERT POUR TOUTE COMMANDE",
                "VOTRE CADEAU DANS CHAQUE COLIS",
                "UNE BOUGIE OFFERTE AVEC VOTRE ACHAT",
                "TOTE BAG OFFERT DÈS LE 1ER ACHAT",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "-15 % AUF DEINE ERSTE BESTELLUNG",
                "25 % NACHLASS",
                "SPAR DIR 30 %",
                "10 % AUF ALLE DÜFTE",
                "BIS ZU 50 % AUF SONNENPFLEGE",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "CHF 10 RABATT",
                "SPARE 5,00 €",
                "-8 € AUF DEINEN EINKAUF",
                "DU SPARST 15 €",
                "30 € GÜNSTIGER",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "GRATISVERSAND NACH DE & AT",
                "WIR LIEFERN GRATIS",
                "GRATIS LIEFERUNG NACH HAUSE",
                "PORTOFREI IN DIE SCHWEIZ",
                "OHNE VERSANDKOSTEN BESTELLEN",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "3 ZUM PREIS VON 2",
                "2 SHAMPOOS ZUM PREIS VON 1",
                "ZWEITES SERUM ZUM HALBEN PREIS",
                "EINS KAUFEN, EINS GRATIS",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "DEIN GRATIS-GOODIE IM PAKET",
                "LIPPENPFLEGE ALS GESCHENK DAZU",
                "REISEGRÖSSE GRATIS DAZU",
                "GRATIS DUFTKERZE ZUR BESTELLUNG",
                "WIR LEGEN EIN GESCHENK BEI",
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
                "SHOP ALL FRAGRANCE",
                "SHOP THE GLOW",
                "SHOP BY CONCERN",
                "SHOP CURL CARE",
                "SHOP BATH & BODY",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "BUY ONLINE",
                "BUY THIS",
                "BUY THE CREAM",
                "BUY YOURS NOW",
                "BUY WITH SHOP PAY",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "ORDER MY BOTTLE",
                "ORDER ME ONE",
                "ORDER YOUR SUPPLY",
                "ORDER A TUBE",
                "ORDER IN ONE TAP",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "SEE THE SCIENCE",
                "WHAT'S INSIDE",
                "KNOW MORE",
                "FIND OUT HOW",
                "EXPLORE INGREDIENTS",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "SIGN UP TODAY",
                "JOIN THE SOCIETY",
                "BECOME A REWARDS MEMBER",
                "CREATE A PROFILE",
                "JOIN THE CREW",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "SUBSCRIBE TODAY",
                "GET IT EVERY MONTH",
                "SET UP AUTO-DELIVERY",
                "GO MONTHLY",
                "AUTO-REPLENISH",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "UNLOCK MY DISCOUNT",
                "GET MY CODE",
                "APPLY DISCOUNT",
                "REDEEM MY CODE",
                "SEE THE OFFER",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "COMPRA AHORA",
                "COMPRA EL TUYO",
                "IR DE COMPRAS",
                "COMPRAR AQUÍ",
                "COMPRA YA MISMO",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "PEDIR AHORA",
                "PEDIR EN LÍNEA",
                "HAZ TU PEDIDO AQUÍ",
                "PÍDELO ONLINE",
                "ENCARGA YA",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "DESCUBRE LA CIENCIA",
                "ENTÉRATE AQUÍ",
                "CONOCE LOS INGREDIENTES",
                "AMPLÍA INFORMACIÓN",
                "SEGUIR LEYENDO",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "REGÍSTRATE AHORA",
                "APÚNTATE YA",
                "CREA TU PERFIL",
                "ÚNETE YA",
                "ÁBRETE UNA CUENTA",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "CONSIGUE TU CÓDIGO",
                "OBTÉN TU DESCUENTO",
                "VER LA OFERTA",
                "DESBLOQUEA LA OFERTA",
                "APROVECHA YA",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "ACHETER MAINTENANT",
                "JE CRAQUE",
                "ACHETEZ ICI",
                "MAGASINEZ",
                "SHOPPER MAINTENANT",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "JE COMMANDE MAINTENANT",
                "COMMANDEZ MAINTENANT",
                "COMMANDER LE VÔTRE",
                "COMMANDEZ VOTRE FLACON",
                "COMMANDEZ-LE ICI",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "VOIR LES INGRÉDIENTS",
                "JE M'INFORME",
                "CE QU'IL CONTIENT",
                "PLUS DE DÉTAILS",
                "EN DÉCOUVRIR DAVANTAGE",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "REJOINDRE",
                "INSCRIVEZ-VOUS MAINTENANT",
                "J'OUVRE MON COMPTE",
                "CRÉER MON ESPACE",
                "OUVREZ VOTRE COMPTE",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "ACTIVER MA RÉDUCTION",
                "PROFITER DE LA PROMO",
                "J'EN PROFITE ICI",
                "JE PRENDS L'OFFRE",
                "PROFITER DU BON PLAN",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "JETZT ZUM SHOP",
                "SHOP ÖFFNEN",
                "IN DEN SHOP",
                "ZUM PFLEGE-SHOP",
                "ALLE PRODUKTE SHOPPEN",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "JETZT DIREKT BESTELLEN",
                "JETZT HIER BESTELLEN",
                "GLEICH HIER BESTELLEN",
                "BESTELLEN & GENIESSEN",
                "DIREKT HIER BESTELLEN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "MEHR ZUR FORMEL",
                "ZUR WIRKUNG",
                "DETAILS ENTDECKEN",
                "WISSENSWERTES",
                "INFOS & INHALTSSTOFFE",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "JETZT EINTRAGEN",
                "REGISTRIERE DICH JETZT",
                "KUNDENKONTO ERSTELLEN",
                "TEIL DER COMMUNITY WERDEN",
                "MELDE DICH JETZT AN",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "JETZT SICHERN",
                "JETZT EINLÖSEN",
                "DEINEN CODE HOLEN",
                "VORTEIL NUTZEN",
                "RABATTCODE HOLEN",
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
                "THROUGH MONDAY ONLY",
                "OFFER CLOSES FRIDAY",
                "ENDS 11:59 PM TONIGHT",
                "GOOD THROUGH 5/31",
                "OVER AT MIDNIGHT",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "JUST 6 HRS LEFT",
                "ENDS IN 90 MINUTES",
                "THREE DAYS REMAINING",
                "TIME LEFT: 05:42:10",
                "1 DAY TO GO",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "24-HOUR FLASH SALE",
                "3-HOUR FLASH SALE",
                "FLASH SALE STARTS NOW",
                "MIDNIGHT FLASH SALE",
                "FLASH DEALS DROPPING",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "HASTA MEDIANOCHE",
                "SOLO HASTA EL DOMINGO",
                "HASTA EL 30 DE JUNIO",
                "DISPONIBLE HASTA EL VIERNES",
                "HOY ES EL ÚLTIMO DÍA",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "QUEDAN 3 DÍAS",
                "SOLO FALTAN 5 HORAS",
                "ACABA EN 02:15:40",
                "TE QUEDAN 4 DÍAS",
                "A 12 HORAS DEL FINAL",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "VENTA FLASH 24 H",
                "FLASH SALE DE 48 H",
                "PROMO FLASH DE 24 HORAS",
                "HORAS LOCAS",
                "VENTA RELÁMPAGO 3 HORAS",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "JUSQU'À MINUIT",
                "FIN DIMANCHE SOIR",
                "CE SOIR SEULEMENT",
                "VALABLE JUSQU'À LUNDI",
                "UNIQUEMENT CETTE SEMAINE",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "FIN DANS 12 H",
                "J-2",
                "PLUS QU'1 JOUR",
                "IL NE RESTE QUE 6 H",
                "COMPTE À REBOURS : 24 H",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "VENTE FLASH EN COURS",
                "VENTE ÉCLAIR DE 48 H",
                "PROMOS ÉCLAIRS",
                "VENTE FLASH SURPRISE",
                "VENTE FLASH EXCLUSIVE",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "NUR BIS MITTERNACHT",
                "GILT BIS FREITAG",
                "BIS 30. JUNI",
                "AKTION ENDET MONTAG",
                "GÜLTIG NUR BIS MORGEN",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "COUNTDOWN: 3 TAGE",
                "NUR NOCH 1 TAG",
                "NOCH 5 STD.",
                "ENDET IN 2 TAGEN",
                "NOCH 90 MINUTEN",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "24H-FLASH-SALE",
                "BLITZVERKAUF HEUTE",
                "FLASH-SALE LÄUFT",
                "48-STUNDEN-BLITZSALE",
                "SPONTANSALE",
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
            "Frizz, handled",
            "Lashes like yours, only longer",
            "Sleep-deep calm in a capsule",
            "A scent that lingers past noon",
            "Barrier repair for stressed-out skin",
            "Pores? Barely there",
            "Gut health you can feel",
            "Deodorant that outlasts your day",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Un aroma que te acompaña todo el día",
            "Descanso profundo, de forma natural",
            "Rizos con forma y sin frizz",
            "Uñas más fuertes en dos semanas",
            "Energía que se nota por dentro",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Des cheveux forts dès la racine",
            "Fini les tiraillements",
            "Un sillage qui dure",
            "Des ongles plus forts en 15 jours",
            "Le bien-être, de l'intérieur",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Schluss mit spannender Haut",
            "Tiefenentspannt einschlafen",
            "Ein Duft, der lange nachklingt",
            "Festere Nägel in zwei Wochen",
            "Glanz ohne Beschweren",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Quill & Quince",
        "Fennick",
        "Brume Botanics",
        "Kelp & Kin",
        "Ottoline Labs",
        "Harrow & Hyssop",
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
