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
  lists were rewritten three times (all 2026-12-05), each time after the wording before them had
  been read by the rules' authors; the fourth was written after the rules' last change.

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
                "TAKE 20% OFF CLEANSERS",
                "60% OFF SELECT BODY CARE",
                "10% OFF WITH CODE GLOW10",
                "FIFTEEN PERCENT OFF, STOREWIDE",
                "GET 35% OFF LIP CARE",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "TAKE $5 OFF ANY CLEANSER",
                "SPEND $80, SAVE $20",
                "$12 OFF THE NIGHT CREAM",
                "£8 OFF ALL BODY LOTIONS",
                "$7 OFF YOUR NEXT REFILL",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "FREE US SHIPPING, NO MINIMUM",
                "WE PAY THE SHIPPING",
                "FREE 2-DAY DELIVERY",
                "FREE EXPRESS SHIPPING OVER $50",
                "DELIVERY ON US",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "BUY A SERUM, GET ONE ON US",
                "DOUBLE UP: 2 CLEANSERS FOR 1",
                "4 FOR 3 ON ALL MASKS",
                "BOGO FREE ON LIP BALMS",
                "1 + 1 FREE ON TONERS",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "FREE LIP BALM WITH ANY ORDER",
                "FREE SILK SCRUNCHIE OVER $40",
                "TRAVEL POUCH ON US WITH PURCHASE",
                "FREE GUA SHA WHEN YOU SPEND $60",
                "FREE MAKEUP BAG, ORDERS $45+",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "THE 4-STEP GLOW KIT",
                "MORNING + NIGHT SET",
                "CLEANSER, SERUM & SPF IN ONE SET",
                "THE BODY CARE BOX SET",
                "3-PIECE BRIGHTENING REGIMEN",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "SAMPLE 3 SHADES FREE",
                "7 DAYS FREE, CANCEL ANYTIME",
                "YOUR FIRST SAMPLE'S ON US",
                "TRY THE SERUM FREE FOR 10 DAYS",
                "A FREE 60-DAY TEST RUN",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "HASTA -60% EN CUIDADO FACIAL",
                "20% EN TODOS LOS SÉRUMS",
                "TREINTA POR CIENTO DE REBAJA",
                "CREMAS CON UN 25% DE DESCUENTO",
                "USA EL CÓDIGO PIEL15: -15%",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "-10 € AL GASTAR 50 €",
                "RESTA 25 € A TU COMPRA",
                "DESCUENTO DE 6 € EN CONTORNOS",
                "30 € DE AHORRO EN CREMAS",
                "QUINCE EUROS DE DESCUENTO",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "SIN GASTOS DE ENVÍO",
                "ENVÍO EXPRÉS GRATIS",
                "ENVÍO GRATIS DESDE 30 €",
                "EL ENVÍO CORRE DE NUESTRA CUENTA",
                "ENTREGA A DOMICILIO SIN COSTE",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "4X3 EN TODA LA TIENDA",
                "2X1 EN MASCARILLAS",
                "DOS POR EL PRECIO DE UNO",
                "UNO PARA TI Y OTRO GRATIS",
                "EL TERCERO GRATIS AL COMPRAR 2",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "BÁLSAMO LABIAL GRATIS AL COMPRAR",
                "TE REGALAMOS UN SÉRUM",
                "BOLSA DE ALGODÓN GRATIS +40 €",
                "OBSEQUIO EN COMPRAS DESDE 35 €",
                "TU PEDIDO LLEVA UN DETALLE",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "20 % SUR LES SÉRUMS",
                "-35 % AVEC LE CODE ÉCLAT",
                "QUINZE POUR CENT DE REMISE",
                "REMISE IMMÉDIATE DE 25 %",
                "-60 % SUR LES SOINS CORPS",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "5 € DE MOINS SUR VOTRE PANIER",
                "BON DE RÉDUCTION DE 12 €",
                "20 € DÉDUITS À LA CAISSE",
                "8 € DE RÉDUCTION SUR LES SÉRUMS",
                "JUSQU'À 40 € DE REMISE",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "LIVRAISON EXPRESS OFFERTE",
                "EXPÉDITION GRATUITE",
                "LIVRÉ CHEZ VOUS SANS FRAIS",
                "PAS DE FRAIS D'ENVOI",
                "LIVRAISON EN RELAIS GRATUITE",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "ACHETEZ-EN 3, PAYEZ-EN 2",
                "2+1 OFFERT SUR LES MASQUES",
                "1+1 GRATUIT SUR LES BAUMES",
                "UN ACHETÉ, LE SUIVANT GRATUIT",
                "ACHETEZ-EN UN, RECEVEZ-EN DEUX",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "BAUME À LÈVRES OFFERT DÈS 40 €",
                "UN SÉRUM MINIATURE EN CADEAU",
                "TOTE BAG OFFERT AVEC VOTRE ACHAT",
                "SURPRISE OFFERTE À LA COMMANDE",
                "VOTRE CADEAU DÈS 50 € D'ACHAT",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "25 % AUF ALLE SEREN",
                "GESICHTSPFLEGE 40 % GÜNSTIGER",
                "35 % MIT DEM CODE HAUT35",
                "MINUS 20 % AUF REINIGER",
                "ZWANZIG PROZENT AUF CREMES",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "20 € NACHLASS AUF SEREN",
                "FÜNFZEHN EURO RABATT",
                "6 € PREISVORTEIL BEI AUGENCREMES",
                "SOFORT 10 € GÜNSTIGER",
                "40 € ABZUG AUF DEN WARENKORB",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "VERSAND GEHT AUF UNS",
                "EXPRESSVERSAND GRATIS",
                "PORTOFREIE ZUSTELLUNG",
                "KOSTENFREIER VERSAND AB 25 €",
                "DEIN PAKET REIST GRATIS",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "4 FÜR 3 BEI ALLEN MASKEN",
                "ZWEI ZUM PREIS VON EINEM",
                "DAS ZWEITE SERUM GEHT AUFS HAUS",
                "JEDE DRITTE CREME GRATIS",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "LIPPENBALSAM GESCHENKT AB 40 €",
                "AUGENPADS GRATIS AB 30 €",
                "SCHLAFMASKE ALS GRATIS-BEIGABE",
                "DEIN GESCHENK AB 50 € EINKAUF",
                "GRATIS-HAARBAND BEIM KAUF",
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
                "BROWSE THE SHOP",
                "SHOP ALL",
                "VISIT THE STORE",
                "SHOP MY ROUTINE",
                "SHOP BY SKIN TYPE",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "BUY IT NOW",
                "BUY THE SERUM",
                "I'LL TAKE IT",
                "BUY WITH ONE CLICK",
                "BUY IT HERE",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "TAP TO ORDER",
                "START MY ORDER",
                "ORDER IN SECONDS",
                "ORDER DIRECT",
                "ORDER MINE",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "EXPLORE THE SCIENCE",
                "MORE INFO",
                "READ THE STUDY",
                "LEARN WHY",
                "VIEW DETAILS",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "REGISTER HERE",
                "JOIN REWARDS",
                "CREATE MY PROFILE",
                "SIGN UP WITH EMAIL",
                "JOIN US",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "START MY SUBSCRIPTION",
                "SET UP AUTO-REPLENISH",
                "SUBSCRIBE TO OUR NEWSLETTER",
                "SUBSCRIBE FOR UPDATES",
                "SUBSCRIBE IN ONE TAP",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "UNLOCK THE OFFER",
                "ACTIVATE OFFER",
                "GET THE PROMO",
                "APPLY OFFER AT CHECKOUT",
                "SNAG THIS OFFER",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "COMPRAR",
                "COMPRA TU RUTINA",
                "COMPRA LOS FAVORITOS",
                "COMPRA POR TIPO DE PIEL",
                "ENTRA Y COMPRA",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "PIDE AQUÍ",
                "PEDIR",
                "QUIERO PEDIRLO",
                "TRAMITAR PEDIDO",
                "ENCÁRGALO",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "MÁS DETALLES",
                "CONOCE LA FÓRMULA",
                "DESCUBRE POR QUÉ",
                "CONÓCENOS",
                "TODO SOBRE EL SÉRUM",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "ÚNETE AL CLUB",
                "DATE DE ALTA",
                "QUIERO REGISTRARME",
                "FORMA PARTE",
                "REGISTRO RÁPIDO",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "QUIERO MI OFERTA",
                "RECLAMAR OFERTA",
                "DESBLOQUEA LA PROMO",
                "APLICAR PROMOCIÓN",
                "PILLA LA OFERTA",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "VOIR LA BOUTIQUE",
                "SHOPPEZ LA ROUTINE",
                "JE SHOPPE",
                "ACHETEZ VOS FAVORIS",
                "ACHETER LE SÉRUM",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "PASSER COMMANDE",
                "COMMANDEZ ICI",
                "COMMANDEZ EN 2 CLICS",
                "VALIDER MA COMMANDE",
                "COMMANDER LA CRÈME",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "TOUT SAVOIR",
                "VOIR LES DÉTAILS",
                "COMPRENDRE LA FORMULE",
                "DÉCOUVREZ LA SCIENCE",
                "LIRE L'ÉTUDE",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "REJOIGNEZ LE CLUB",
                "INSCRIPTION EXPRESS",
                "ENREGISTREZ-VOUS",
                "J'ADHÈRE",
                "JE CRÉE MON ESPACE",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "OBTENIR L'OFFRE",
                "DÉBLOQUER MA PROMO",
                "JE VEUX CETTE OFFRE",
                "ACCÉDER À LA PROMO",
                "DÉCROCHER L'OFFRE",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "HIER SHOPPEN",
                "LIEBLINGE SHOPPEN",
                "KAUFEN",
                "NACH HAUTTYP SHOPPEN",
                "EINKAUFEN",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "ZUR BESTELLUNG",
                "BESTELLUNG AUFGEBEN",
                "ICH BESTELLE",
                "IN 2 KLICKS BESTELLEN",
                "SERUM BESTELLEN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "DETAILS ANSEHEN",
                "ALLES ZUR FORMEL",
                "WARUM ES WIRKT",
                "ZUR STUDIE",
                "INFORMIER DICH",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "MITGLIED WERDEN",
                "DEM CLUB BEITRETEN",
                "ICH MELDE MICH AN",
                "MACH MIT",
                "ANMELDUNG PER E-MAIL",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "AKTION NUTZEN",
                "ICH WILL DAS ANGEBOT",
                "PROMO FREISCHALTEN",
                "ANGEBOT MITNEHMEN",
                "VORTEIL SICHERN",
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
                "ENDS FRIDAY, 9 PM EST",
                "STOPS AT NOON TOMORROW",
                "THROUGH 9/30 ONLY",
                "WRAPS UP WEDNESDAY AT 6 PM",
                "ONLY UNTIL THE 21ST",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "5 DAYS REMAINING",
                "TIME LEFT: 11H 20M",
                "EXPIRES IN 45 MINUTES",
                "T-MINUS 2 DAYS",
                "ENDING IN 06:30:00",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "FLASH DEALS ARE LIVE",
                "SNAP SALE",
                "PRICES DROP FOR ONE NIGHT",
                "QUICK-FIRE SALE",
                "BLINK-AND-MISS-IT SALE",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "HASTA EL DOMINGO A LAS 20:00",
                "SOLO HASTA EL 12 DE MAYO",
                "CIERRA MAÑANA AL MEDIODÍA",
                "DISPONIBLE HASTA EL MARTES",
                "ACABA ESTA NOCHE A LAS 22 H",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "FINALIZA EN 03:10:00",
                "SOLO 90 MINUTOS MÁS",
                "A 4 DÍAS DEL FINAL",
                "TIEMPO RESTANTE: 10 H",
                "CIERRA EN 45 MINUTOS",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "REBAJAS EXPRÉS",
                "PRECIOS FLASH SOLO UNAS HORAS",
                "VENTA EXPRÉS DE 6 HORAS",
                "LIQUIDACIÓN RELÁMPAGO",
                "CHOLLOS FLASH",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "JUSQU'AU 3 MAI INCLUS",
                "VALABLE JUSQU'À DIMANCHE 20 H",
                "SE TERMINE DEMAIN À MIDI",
                "EXPIRE VENDREDI SOIR",
                "PLUS QUE JUSQU'À JEUDI",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "J-3 AVANT LA FIN",
                "TEMPS RESTANT : 10 H",
                "EXPIRE DANS 01:45:00",
                "QUATRE JOURS, PAS UN DE PLUS",
                "ÇA S'ARRÊTE DANS 30 MINUTES",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "PROMOS ÉCLAIR",
                "PRIX CASSÉS EN FLASH",
                "VENTE EXPRESS DE 6 H",
                "LE FLASH DU MERCREDI",
                "VENTE ÉPHÉMÈRE",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "NUR BIS SONNTAG, 20 UHR",
                "LÄUFT BIS 15. MAI",
                "MORGEN MITTAG IST ES VORBEI",
                "BIS EINSCHLIESSLICH FREITAG",
                "HEUTE AB 22 UHR VORBEI",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "RESTZEIT: 10 STD.",
                "IN 45 MINUTEN VORBEI",
                "VIER TAGE VERBLEIBEN",
                "ENDE IN 01:30:00",
                "NUR 12 STUNDEN ÜBRIG",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "FLASH-DEALS",
                "PREISSTURZ FÜR WENIGE STUNDEN",
                "HAPPY-HOUR-SALE",
                "MITTWOCHS-BLITZDEALS",
                "BLITZ-PREISE",
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
            "Skin that feels like silk",
            "Goodbye tight, flaky cheeks",
            "Your calmest complexion yet",
            "Pores that look refined",
            "Lit-from-within radiance",
            "Gentle enough for every day",
            "Redness, quietly toned down",
            "Lips that stay soft for hours",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Una piel que se siente de seda",
            "Adiós a la tirantez",
            "Poros menos visibles",
            "Luminosidad desde dentro",
            "Rojeces bajo control",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Une peau douce comme la soie",
            "Adieu, tiraillements",
            "L'éclat vient de l'intérieur",
            "Les rougeurs atténuées",
            "Une peau nourrie en profondeur",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Haut so zart wie Seide",
            "Kein Spannen, kein Schuppen",
            "Verfeinerte Poren",
            "Ein Leuchten von innen",
            "Rötungen sichtbar gemildert",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Quillory",
        "Orrin & Vale",
        "Saltmeadow Skin",
        "Fennick Botanics",
        "Mosswick",
        "Ambrel Atelier",
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
