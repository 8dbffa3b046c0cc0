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
                "TWENTY PERCENT OFF LIP CARE",
                "KNOCK 18% OFF YOUR BASKET",
                "EXTRA 10% OFF MARKED-DOWN SHADES",
                "ALL HAIR OILS NOW 35% LESS",
                "60% OFF EVERY EAU DE PARFUM",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "TAKE £8 OFF ANY SCRUB",
                "$12 OFF WHEN YOU SPEND $60",
                "€7.50 OFF ANY NIGHT CREAM",
                "AU$15 OFF ALL SUNSCREENS",
                "FIVE DOLLARS OFF EVERY TUBE",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "SHIPPING IS ON THE HOUSE",
                "FREE NEXT-DAY DELIVERY",
                "FREE TRACKED UK DELIVERY",
                "NO DELIVERY FEES, EVER",
                "WE PAY THE POSTAGE",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "BUY A SERUM, GET ANOTHER FREE",
                "SECOND BOTTLE HALF PRICE",
                "3 FOR 2 ON ALL BODY WASH",
                "TWO BOTTLES, ONE PRICE",
                "BUY 2, THE 3RD IS ON US",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "COMPLIMENTARY TRAVEL SIZE WITH ANY ORDER",
                "A FREE LIP BALM IN EVERY BOX",
                "FREE SILK SCRUNCHIE WITH ANY SHAMPOO",
                "FREE DISCOVERY VIAL WITH EACH PERFUME",
                "FREE JADE ROLLER WITH YOUR PURCHASE",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "THE AM/PM DUO",
                "BUILD YOUR OWN TRIO",
                "HAIR HEROES BUNDLE",
                "CLEANSE + TONE + MOISTURISE SET",
                "THE WEEKENDER KIT: 4 FULL SIZES",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "TRY IT 14 DAYS ON US",
                "YOUR FIRST 30 DAYS: FREE",
                "FREE 7-DAY SUPPLY TO TRY",
                "TEST-DRIVE IT FREE FOR 2 WEEKS",
                "FREE SAMPLE, NO STRINGS",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "UN 20% MENOS EN SÉRUMS",
                "HASTA UN 45% DE REBAJA",
                "-15% EN CUIDADO CAPILAR",
                "TODO CON UN 30% DE DTO.",
                "DESCUENTO DEL 25% EN FRAGANCIAS",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "5 € MENOS EN TU PEDIDO",
                "RESTA 12 € A TU CESTA",
                "-8 € EN CREMAS CORPORALES",
                "$150 MXN MENOS EN TU COMPRA",
                "DESCUENTO DE 7,50 € EN CHAMPÚS",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "ENVÍOS SIN COSTE",
                "NOSOTROS PAGAMOS EL ENVÍO",
                "ENVÍO A DOMICILIO SIN CARGO",
                "ENVÍO GRATIS A TODO MÉXICO",
                "NO PAGAS LOS GASTOS DE ENVÍO",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "3X2 EN TODA LA GAMA",
                "LA 2ª UNIDAD A MITAD DE PRECIO",
                "LLEVA DOS, PAGA SOLO UNO",
                "COMPRA 1 Y EL 2º ES GRATIS",
                "PAGAS UNO, TE LLEVAS DOS",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "UN NECESER DE REGALO EN TU PEDIDO",
                "TE REGALAMOS UNA MINI TALLA",
                "BÁLSAMO LABIAL DE REGALO POR TU COMPRA",
                "OBSEQUIO EXCLUSIVO CON TU COMPRA",
                "CON TU PEDIDO, UN REGALO SORPRESA",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "20 % DE MOINS SUR LES SOINS CORPS",
                "-25 % SUR L'ENSEMBLE DU SITE",
                "REMISE IMMÉDIATE DE 15 %",
                "JUSQU'À 60 % SUR LES PARFUMS",
                "10 % EN PLUS SUR LES PRIX BARRÉS",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "5 € DE REMISE",
                "20 € DE MOINS DÈS 80 € D'ACHAT",
                "-10 CHF SUR LES SÉRUMS",
                "UN BON DE 15 € À DÉDUIRE",
                "12 € DÉDUITS DE VOTRE PANIER",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "PORT GRATUIT PARTOUT EN FRANCE",
                "LIVRAISON GRATUITE EN POINT RELAIS",
                "LIVRAISON À DOMICILE GRATUITE",
                "EXPÉDITION SANS FRAIS",
                "ZÉRO FRAIS DE PORT",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "2 ACHETÉS = LE 3E OFFERT",
                "LE DEUXIÈME À MOITIÉ PRIX",
                "1 SÉRUM ACHETÉ, LE 2ND OFFERT",
                "2 SOINS POUR LE PRIX D'UN",
                "UN ACHETÉ, UN AUTRE OFFERT",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "UNE TROUSSE OFFERTE AVEC VOTRE COMMANDE",
                "MINI FORMAT OFFERT",
                "VOTRE CADEAU SURPRISE DANS LE COLIS",
                "UN ROLL-ON OFFERT POUR TOUT PARFUM",
                "BAUME À LÈVRES OFFERT EN CADEAU",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "20 % AUF ALLE SEREN",
                "BIS ZU 45 % REDUZIERT",
                "15 % WENIGER AUF HAARPFLEGE",
                "10 % EXTRA-RABATT",
                "ALLE DÜFTE 30 % GÜNSTIGER",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "5 € GESPART",
                "20 € WENIGER AB 100 € EINKAUFSWERT",
                "CHF 10 RABATT AUF ALLES",
                "12,00 € NACHLASS",
                "7 EURO GÜNSTIGER",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "WIR ZAHLEN DAS PORTO",
                "PORTOFREIE LIEFERUNG",
                "WIR ÜBERNEHMEN DEN VERSAND",
                "KEINE VERSANDKOSTEN",
                "KOSTENLOSE LIEFERUNG NACH HAUSE",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "3 FÜR 2 AUF ALLE SHAMPOOS",
                "ZWEITES PRODUKT ZUM HALBEN PREIS",
                "ZWEI KAUFEN, EINS BEZAHLEN",
                "ZWEI DUSCHGELS KAUFEN, DRITTES GRATIS",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "MINI-DUFT GRATIS DAZU",
                "KULTURBEUTEL GESCHENKT ZU JEDER BESTELLUNG",
                "ZU JEDER BESTELLUNG EIN GESCHENK",
                "HAARBAND ALS GRATISZUGABE",
                "GRATIS LIPPENBALSAM BEI JEDEM KAUF",
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
                "SHOP BODY CARE",
                "SHOP YOUR SHADE",
                "SHOP SUNCARE",
                "TAKE ME SHOPPING",
                "SHOP FRAGRANCE",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "BUY A BOTTLE",
                "ADD TO MY BAG",
                "BUY ONLINE NOW",
                "BUY THE OIL",
                "PUT IT IN MY CART",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "ORDER YOUR SHADE",
                "ORDER BY PHONE",
                "ORDER YOUR BOTTLE",
                "ORDER A REFILL",
                "SEND ME ONE",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "WHAT'S IN IT?",
                "READ THE RESEARCH",
                "VIEW THE CLINICALS",
                "GET THE FACTS",
                "DIVE DEEPER",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "JOIN THE FAMILY",
                "GET ON THE LIST",
                "JOIN OUR INNER CIRCLE",
                "BE AN INSIDER",
                "CREATE A LOGIN",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "SUBSCRIBE & RESTOCK",
                "START AUTO-SHIP",
                "SUBSCRIBE & SKIP ANYTIME",
                "SUBSCRIBE TO THE RITUAL",
                "SUBSCRIBE FOR REFILLS",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "CLAIM MY CODE",
                "GRAB THIS DEAL",
                "UNLOCK MY SAVINGS",
                "APPLY MY CODE",
                "USE THE OFFER",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "IR A COMPRAR",
                "COMPRA TU FAVORITO",
                "COMPRA ONLINE",
                "AÑADIR A LA CESTA",
                "COMPRAR EL SÉRUM",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "PEDIR YA",
                "PEDIR EL MÍO",
                "HAZ EL PEDIDO YA",
                "HACER MI PEDIDO",
                "PEDIR POR WHATSAPP",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "VER INGREDIENTES",
                "LEER EL ESTUDIO",
                "DESCUBRE CÓMO",
                "CUÉNTAME MÁS",
                "VER CÓMO SE USA",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "CREAR CUENTA",
                "FORMA PARTE DEL CLUB",
                "HAZTE SOCIA",
                "DARME DE ALTA",
                "CREAR MI PERFIL",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "CANJEAR CÓDIGO",
                "APLICAR CUPÓN",
                "OBTÉN TU CÓDIGO",
                "ACTIVA TU DESCUENTO",
                "CONSEGUIR PROMO",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "ACHETEZ EN LIGNE",
                "DIRECTION LA BOUTIQUE",
                "AJOUTER AU PANIER",
                "SHOPPER",
                "ACHETER LE MIEN",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "COMMANDER MA TEINTE",
                "COMMANDER MON FLACON",
                "COMMANDER MA CURE",
                "COMMANDER SUR LE SITE",
                "COMMANDER EN 1 CLIC",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "COMMENT ÇA MARCHE",
                "DÉCOUVREZ",
                "EN APPRENDRE PLUS",
                "TOUT COMPRENDRE",
                "DÉCOUVRIR LA FORMULE",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "M'INSCRIRE",
                "S'ENREGISTRER",
                "INTÉGRER LE CLUB",
                "DEVENEZ MEMBRE",
                "OUVRIR MON ESPACE",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "J'UTILISE MON CODE",
                "OBTENIR MON CODE",
                "RÉCUPÉRER MON BON",
                "RÉCUPÉRER L'OFFRE",
                "J'ACTIVE MA RÉDUCTION",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "DIREKT KAUFEN",
                "HAARPFLEGE SHOPPEN",
                "IN DEN WARENKORB",
                "HIER KAUFEN",
                "ONLINE SHOPPEN",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "FLASCHE BESTELLEN",
                "NACHSCHUB BESTELLEN",
                "PER KLICK BESTELLEN",
                "JETZT NACHBESTELLEN",
                "TIEGEL BESTELLEN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "MEHR LESEN",
                "WIE ES WIRKT",
                "HINTERGRÜNDE LESEN",
                "JETZT INFORMIEREN",
                "DIE WIRKUNG VERSTEHEN",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "JETZT BEITRETEN",
                "ACCOUNT ANLEGEN",
                "ZUM CLUB ANMELDEN",
                "REGISTRIER DICH",
                "MELDE DICH AN",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "DEAL HOLEN",
                "CODE HOLEN",
                "RABATTCODE ABHOLEN",
                "GUTSCHEIN ANWENDEN",
                "GUTSCHEIN ABHOLEN",
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
                "WRAPS UP AT MIDNIGHT PST",
                "UNTIL FRIDAY, NOT A DAY LONGER",
                "VALID THROUGH 30 JUNE",
                "RUNS TILL THURSDAY ONLY",
                "THE WINDOW SHUTS MONDAY",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "T-MINUS 6 HOURS",
                "ONLY 3 DAYS ON THE CLOCK",
                "ENDS IN 05:12:44",
                "TWO SLEEPS LEFT",
                "90 MINUTES REMAIN",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "SECRET FLASH SALE",
                "24-HOUR FLASH EVENT",
                "FLASH SALE IS LIVE",
                "LUNCHTIME FLASH SALE",
                "FLASH-SALE FRENZY",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "HASTA EL DOMINGO Y NO MÁS",
                "HASTA EL 30/06 INCLUSIVE",
                "ACABA A MEDIANOCHE",
                "ÚLTIMOS DÍAS",
                "SOLO HASTA EL LUNES",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "DOS DÍAS Y SE ACABA",
                "QUEDAN 6 H",
                "SOLO 48 HORAS MÁS",
                "TERMINA EN 10:22:05",
                "A 3 DÍAS DEL CIERRE",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "REBAJAS FLASH",
                "VENTA RELÁMPAGO DE 48 H",
                "FLASH SALE DE 6 HORAS",
                "VENTA SORPRESA",
                "OFERTAS FLASH 24 H",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "JUSQU'À DIMANCHE SEULEMENT",
                "VALABLE JUSQU'AU 15 JUIN",
                "CE SOIR, MINUIT, C'EST FINI",
                "DERNIERS JOURS",
                "UNIQUEMENT CE SAMEDI",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "DÉCOMPTE : 4 JOURS",
                "ENCORE 5 HEURES",
                "2 JOURS RESTANTS",
                "FIN DANS 03:14:09",
                "PLUS QUE 36 H",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "SOLDES FLASH",
                "FLASH 24 H",
                "SOLDES ÉCLAIR",
                "PROMO FLASH DU JOUR",
                "LES 48 H FLASH",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "NUR BIS SONNTAG, 23:59 UHR",
                "GÜLTIG BIS 30. JUNI",
                "BIS MONTAG, DANN IST SCHLUSS",
                "MORGEN IST ES VORBEI",
                "LETZTE GELEGENHEIT",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "NOCH ZWEI TAGE",
                "NOCH 6 STD.",
                "ENDET IN 04:10:33",
                "48 STUNDEN VERBLEIBEN",
                "NOCH 72 H",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "FLASH-SALE: NUR KURZ",
                "BLITZRABATT-AKTION",
                "KURZZEIT-DEAL",
                "BLITZ-WOCHENENDE",
                "24-STUNDEN-BLITZANGEBOT",
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
            "Curls that hold their shape",
            "Lips that stay soft all day",
            "A scent that lingers close",
            "Strong nails, smooth cuticles",
            "Sleep deeper, wake rested",
            "Body skin you'll want to show",
            "Shine without the grease",
            "Cheeks that stay calm",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Rizos definidos sin encrespamiento",
            "Un aroma que te acompaña",
            "Labios suaves de la mañana a la noche",
            "Piel sin rojeces, piel en calma",
            "Cabello fuerte desde la raíz",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Des cheveux qui respirent la santé",
            "Un sillage délicat et tenace",
            "Adieu rougeurs, bonjour confort",
            "Des ongles forts au quotidien",
            "Le corps doux comme de la soie",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Sprungkraft für deine Locken",
            "Ein Duft, der nachklingt",
            "Ruhige Haut statt Rötungen",
            "Volles Haar ab dem Ansatz",
            "Zarte Lippen rund um die Uhr",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Quince & Quill",
        "Kestrel Apothecary",
        "Solenne",
        "Fieldnote Bath",
        "Halcyra",
        "Bramble Rx",
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
