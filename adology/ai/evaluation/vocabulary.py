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
                "TAKE 15% OFF YOUR FIRST ORDER",
                "EXTRA 10% OFF MOISTURISERS",
                "25% OFF, NO CODE NEEDED",
                "45% OFF THE BODY EDIT",
                "SAVE A CHEEKY 20%",
            ),
        ),
        "amount_off": (
            ("$10 OFF", "£5 OFF YOUR ORDER"),
            ("SAVE $15", "€20 OFF"),
            (
                "$12 OFF ANY CLEANSER",
                "£8 OFF WHEN YOU SPEND £40",
                "A$15 OFF YOUR BASKET",
                "KNOCK $25 OFF YOUR ORDER",
                "TAKE €7 OFF ANY REFILL",
            ),
        ),
        "free_shipping": (
            ("FREE SHIPPING", "FREE SHIPPING ON ALL ORDERS"),
            ("FREE DELIVERY", "SHIPS FREE"),
            (
                "SHIPPING'S ON US",
                "COMPLIMENTARY STANDARD SHIPPING",
                "FREE EXPRESS POSTAGE AUSTRALIA-WIDE",
                "WE COVER THE POSTAGE",
                "ZERO SHIPPING FEES, NO MINIMUM",
            ),
        ),
        "bogo": (
            ("BUY 1 GET 1 FREE", "BOGO"),
            ("BUY ONE GET ONE FREE", "2 FOR 1"),
            (
                "SECOND ONE HALF PRICE",
                "GRAB TWO, PAY FOR ONE",
                "2ND TUBE FREE",
                "THIRD ONE'S ON US",
                "BUY 2, THE 3RD IS FREE",
            ),
        ),
        "free_gift": (
            ("FREE GIFT WITH PURCHASE", "FREE MINI WITH EVERY ORDER"),
            ("FREE GIFT INCLUDED", "BONUS MINI WITH PURCHASE"),
            (
                "COMPLIMENTARY TRAVEL-SIZE WITH PURCHASE",
                "FREE SILK SCRUNCHIE WITH EVERY ORDER",
                "A FREE LIP BALM IN EVERY PARCEL",
                "BONUS CLAY MASK AT CHECKOUT",
                "GWP: FREE COSMETIC POUCH",
            ),
        ),
        "bundle": (
            ("BUNDLE & SAVE", "STARTER KIT"),
            ("VALUE SET", "THE COMPLETE ROUTINE SET"),
            (
                "THE 3-STEP RITUAL KIT",
                "BUILD-YOUR-OWN BUNDLE",
                "THE HAIR RESCUE TRIO",
                "AM + PM DUO, ONE PRICE",
                "SKIN ESSENTIALS BOX SET",
            ),
        ),
        "trial": (
            ("FREE TRIAL", "TRY IT FREE"),
            ("TRY FOR FREE", "30-DAY FREE TRIAL"),
            (
                "TRY IT FOR 14 DAYS, ON US",
                "YOUR FIRST MONTH IS FREE",
                "TEST-DRIVE IT FREE FOR 60 DAYS",
                "REQUEST YOUR FREE SAMPLE",
                "SAMPLE THE SERUM FOR FREE",
            ),
        ),
    },
    "es": {
        "percent_off": (
            ("50% DE DESCUENTO", "-30% EN TODO"),
            ("AHORRA 25%", "40% MENOS"),
            (
                "20% MENOS EN TU PRIMERA COMPRA",
                "HASTA UN 60% DE REBAJA",
                "LLÉVATE UN 15% DE DESCUENTO",
                "35% OFF EN CUIDADO CAPILAR",
                "DTO. DEL 25% EN SÉRUMS",
            ),
        ),
        "amount_off": (
            ("10 € DE DESCUENTO",),
            ("AHORRA 15 €",),
            (
                "$200 MXN MENOS EN TU PEDIDO",
                "5,00 € MENOS EN TU CESTA",
                "DESCUENTO DE 12 € EN SÉRUMS",
                "RESTA 20 € A TU PEDIDO",
                "AHORRA $3.000 EN TU COMPRA",
            ),
        ),
        "free_shipping": (
            ("ENVÍO GRATIS",),
            ("ENVÍO GRATUITO",),
            (
                "ENVÍOS SIN COSTO",
                "DESPACHO GRATIS A TODO CHILE",
                "TE LO LLEVAMOS GRATIS",
                "ENVÍO GRATIS A TODA LA PENÍNSULA",
                "EL ENVÍO LO PAGAMOS NOSOTROS",
            ),
        ),
        "bogo": (
            ("2X1",),
            ("LLEVA 2, PAGA 1",),
            (
                "3X2 EN CHAMPÚS",
                "EL SEGUNDO A MITAD DE PRECIO",
                "LLÉVATE DOS Y PAGA UNO",
                "LA 2.ª UNIDAD TE SALE GRATIS",
                "COMPRA UNO, EL OTRO VA POR NUESTRA CUENTA",
            ),
        ),
        "free_gift": (
            ("REGALO CON TU COMPRA",),
            ("REGALO GRATIS",),
            (
                "NECESER DE REGALO CON TU PEDIDO",
                "TE OBSEQUIAMOS UN MINI",
                "OBSEQUIO EXCLUSIVO POR TU COMPRA",
                "LLÉVATE UN BÁLSAMO DE REGALO",
                "CON TU COMPRA, UNA MASCARILLA DE REGALO",
            ),
        ),
    },
    "fr": {
        "percent_off": (
            ("-50%", "30% DE RÉDUCTION"),
            ("JUSQU'À -40%", "REMISE DE 20%"),
            (
                "-25 % SUR LES SOINS VISAGE",
                "15 % DE RABAIS",
                "10 % EN MOINS SUR TOUT LE SITE",
                "PROFITEZ DE 30 % DE REMISE",
                "45 % DE REMISE IMMÉDIATE",
            ),
        ),
        "amount_off": (
            ("10 € OFFERTS",),
            ("-15 € SUR VOTRE COMMANDE",),
            (
                "5 € DE MOINS DÈS 40 € D'ACHAT",
                "CHF 10 DE RABAIS SUR LE PANIER",
                "20 $ DE RABAIS SUR VOTRE COMMANDE",
                "ÉCONOMISEZ 12 € SUR LES SÉRUMS",
                "7,50 € DÉDUITS AU PANIER",
            ),
        ),
        "free_shipping": (
            ("LIVRAISON GRATUITE",),
            ("LIVRAISON OFFERTE",),
            (
                "LIVRAISON SANS FRAIS",
                "LIVRAISON GRATUITE PARTOUT AU QUÉBEC",
                "ON VOUS OFFRE LA LIVRAISON",
                "LIVRAISON À DOMICILE OFFERTE",
                "PORT OFFERT SUR TOUT LE SITE",
            ),
        ),
        "bogo": (
            ("1 ACHETÉ = 1 OFFERT",),
            ("2 POUR 1",),
            (
                "LE 2E À MOITIÉ PRIX",
                "ACHETEZ-EN UN, RECEVEZ-EN UN",
                "LE DEUXIÈME EST POUR NOUS",
                "ACHETEZ-EN 2, PAYEZ-EN 1",
                "PRENEZ-EN 3, PAYEZ-EN 2",
            ),
        ),
        "free_gift": (
            ("CADEAU OFFERT",),
            ("UN CADEAU POUR TOUT ACHAT",),
            (
                "MINI-FORMAT OFFERT AVEC VOTRE COMMANDE",
                "VOTRE BAUME À LÈVRES EN CADEAU",
                "UNE SURPRISE OFFERTE DANS CHAQUE COLIS",
                "CADEAU DE BIENVENUE AVEC VOTRE 1ER ACHAT",
                "EN CADEAU : LA TROUSSE DE VOYAGE",
            ),
        ),
    },
    "de": {
        "percent_off": (
            ("50% RABATT",),
            ("SPARE 25%", "-30% AUF ALLES"),
            (
                "MINUS 15 % AUF HAARPFLEGE",
                "SPAR DIR 10 %",
                "BIS ZU 40 % REDUZIERT",
                "35 % NACHLASS AUF SEREN",
                "25 % WENIGER AUF ALLE CREMES",
            ),
        ),
        "amount_off": (
            ("10 € RABATT",),
            ("15 € SPAREN",),
            (
                "CHF 10 RABATT AUF DEINE BESTELLUNG",
                "MINUS 7,50 € AUF DEN WARENKORB",
                "12 € NACHLASS AUF SEREN",
                "DU SPARST 8 €",
                "€ 15 GÜNSTIGER",
            ),
        ),
        "free_shipping": (
            ("KOSTENLOSER VERSAND",),
            ("GRATIS VERSAND",),
            (
                "PORTOFREI IN GANZ ÖSTERREICH",
                "WIR ZAHLEN DEN VERSAND",
                "GRATISLIEFERUNG IN DIE GANZE SCHWEIZ",
                "DER VERSAND GEHT AUF UNS",
                "LIEFERUNG FREI HAUS",
            ),
        ),
        "bogo": (
            ("2 FÜR 1",),
            ("1+1 GRATIS",),
            (
                "DAS ZWEITE GIBT'S GRATIS",
                "ZWEI KAUFEN, EINS ZAHLEN",
                "2. ARTIKEL ZUM HALBEN PREIS",
                "NIMM 3, ZAHL 2",
            ),
        ),
        "free_gift": (
            ("GRATIS GESCHENK",),
            ("GESCHENK ZUM EINKAUF",),
            (
                "GRATIS KOSMETIKTASCHE ZU JEDER BESTELLUNG",
                "MIT GRATIS-MINI IN JEDEM PAKET",
                "DAZU EIN GESCHENK VON UNS",
                "ALS DANKESCHÖN: GRATIS LIPPENBALSAM",
                "GRATIS HAARBAND BEI JEDEM KAUF",
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
                "SHOP HAIRCARE",
                "BROWSE & SHOP",
                "SHOP ALL BODY CARE",
                "SHOP THE LINEUP",
                "HEAD TO THE SHOP",
            ),
        ),
        "buy_now": (
            ("BUY NOW",),
            ("ADD TO CART",),
            (
                "GET IT HERE",
                "BUY MINE",
                "CHECKOUT",
                "PURCHASE",
                "SECURE YOURS",
            ),
        ),
        "order_now": (
            ("ORDER NOW",),
            ("ORDER YOURS",),
            (
                "ORDER A BOTTLE",
                "PUT IN AN ORDER",
                "ORDER FOR DELIVERY",
                "ORDER ONE",
                "ORDER THE SERUM",
            ),
        ),
        "learn_more": (
            ("LEARN MORE",),
            ("DISCOVER MORE", "FIND OUT MORE"),
            (
                "DIG DEEPER",
                "READ THE STORY",
                "HOW IT WORKS",
                "LEARN THE SCIENCE",
                "SEE THE RESEARCH",
            ),
        ),
        "sign_up": (
            ("SIGN UP",),
            ("JOIN NOW",),
            (
                "COUNT ME IN",
                "OPEN AN ACCOUNT",
                "ENROL NOW",
                "JOIN THE LIST",
                "BECOME AN INSIDER",
            ),
        ),
        "subscribe": (
            ("SUBSCRIBE",),
            ("SUBSCRIBE NOW",),
            (
                "CHOOSE A SUBSCRIPTION",
                "SUBSCRIBE & FORGET",
                "AUTO-SHIP IT",
                "GET IT ON REPEAT",
                "JOIN THE REFILL PLAN",
            ),
        ),
        "get_offer": (
            ("GET OFFER",),
            ("CLAIM OFFER",),
            (
                "CLAIM MY DISCOUNT",
                "REDEEM OFFER",
                "REVEAL MY CODE",
                "SNAG THE DEAL",
                "USE MY OFFER",
            ),
        ),
    },
    "es": {
        "shop_now": (
            ("COMPRAR AHORA",),
            ("COMPRA YA",),
            (
                "COMPRA EN LÍNEA",
                "VE A LA TIENDA",
                "HAZ TUS COMPRAS",
                "VER LA COLECCIÓN",
                "COMPRA LA RUTINA",
            ),
        ),
        "order_now": (
            ("PIDE AHORA",),
            ("HAZ TU PEDIDO",),
            (
                "ORDENA AHORA",
                "ENCÁRGALO YA",
                "HAZ TU ORDEN",
                "PEDILO ACÁ",
                "PIDE A DOMICILIO",
            ),
        ),
        "learn_more": (
            ("MÁS INFORMACIÓN",),
            ("DESCUBRE MÁS",),
            (
                "DESCÚBRELO",
                "CÓMO FUNCIONA",
                "ENTÉRATE",
                "CONOCÉ MÁS",
                "LEE LA HISTORIA",
            ),
        ),
        "sign_up": (
            ("REGÍSTRATE",),
            ("ÚNETE",),
            (
                "ABRE TU CUENTA",
                "REGISTRATE ACÁ",
                "QUIERO UNIRME",
                "CREÁ TU CUENTA",
                "INSCRIBIRME",
            ),
        ),
        "get_offer": (
            ("OBTENER OFERTA",),
            ("CONSIGUE LA OFERTA",),
            (
                "APROVECHA LA PROMO",
                "CANJEA TU CÓDIGO",
                "ACTIVAR PROMOCIÓN",
                "QUIERO LA PROMO",
                "ACTIVA TU BENEFICIO",
            ),
        ),
    },
    "fr": {
        "shop_now": (
            ("ACHETER",),
            ("ACHETEZ MAINTENANT",),
            (
                "MAGASINER",
                "ALLER À LA BOUTIQUE",
                "J'ACHÈTE EN LIGNE",
                "ACHETER LA GAMME",
                "JE FAIS MON SHOPPING",
            ),
        ),
        "order_now": (
            ("COMMANDER",),
            ("COMMANDEZ",),
            (
                "COMMANDEZ DÈS MAINTENANT",
                "JE PASSE COMMANDE",
                "JE COMMANDE LE MIEN",
                "COMMANDER ICI",
                "COMMANDER LE SÉRUM",
            ),
        ),
        "learn_more": (
            ("EN SAVOIR PLUS",),
            ("DÉCOUVRIR",),
            (
                "DÉCOUVREZ-EN PLUS",
                "COMMENT ÇA MARCHE ?",
                "LIRE L'HISTOIRE",
                "EN SAVOIR DAVANTAGE",
                "VOIR LA COMPOSITION",
            ),
        ),
        "sign_up": (
            ("S'INSCRIRE",),
            ("INSCRIVEZ-VOUS",),
            (
                "REJOIGNEZ-NOUS",
                "JE CRÉE MON COMPTE",
                "JE REJOINS LE CLUB",
                "ADHÉRER",
                "REJOINDRE LA COMMUNAUTÉ",
            ),
        ),
        "get_offer": (
            ("PROFITER DE L'OFFRE",),
            ("J'EN PROFITE",),
            (
                "J'OBTIENS MON CODE",
                "VOIR L'OFFRE",
                "J'EN BÉNÉFICIE",
                "RÉCUPÉRER MA REMISE",
                "JE PROFITE DE L'OFFRE",
            ),
        ),
    },
    "de": {
        "shop_now": (
            ("JETZT KAUFEN",),
            ("JETZT SHOPPEN",),
            (
                "ONLINE EINKAUFEN",
                "ZUM SORTIMENT",
                "JETZT STÖBERN",
                "AB IN DEN SHOP",
                "LOS, SHOPPEN",
            ),
        ),
        "order_now": (
            ("JETZT BESTELLEN",),
            ("BESTELLEN",),
            (
                "GLEICH ORDERN",
                "BESTELL DEINS",
                "BESTELLE JETZT",
                "JETZT MEINS BESTELLEN",
                "JETZT LIEFERN LASSEN",
            ),
        ),
        "learn_more": (
            ("MEHR ERFAHREN",),
            ("MEHR ENTDECKEN",),
            (
                "ZU DEN DETAILS",
                "MEHR WISSEN",
                "INFOS ANSEHEN",
                "MEHR ÜBER UNS",
                "ALLES ERFAHREN",
            ),
        ),
        "sign_up": (
            ("JETZT ANMELDEN",),
            ("REGISTRIEREN",),
            (
                "JETZT REGISTRIEREN",
                "HIER ANMELDEN",
                "KONTO ANLEGEN",
                "JETZT MITMACHEN",
                "CLUB BEITRETEN",
            ),
        ),
        "get_offer": (
            ("ANGEBOT SICHERN",),
            ("ZUM ANGEBOT",),
            (
                "RABATT HOLEN",
                "GUTSCHEIN SICHERN",
                "CODE ABHOLEN",
                "ANGEBOT NUTZEN",
                "PROMO AKTIVIEREN",
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
                "CLOSES MIDNIGHT FRIDAY",
                "VALID UNTIL 30/06",
                "ONLY UNTIL SUNDAY 11:59PM",
                "GONE AFTER MONDAY",
                "WRAPS UP AT MIDNIGHT",
            ),
        ),
        "countdown": (
            ("ENDS IN 3 DAYS",),
            ("ONLY 12 HOURS LEFT",),
            (
                "JUST 6 HOURS REMAINING",
                "T-MINUS 48 HRS",
                "ENDS IN 05H 22M 10S",
                "FINAL 90 MINUTES",
                "ONLY 2 SLEEPS LEFT",
            ),
        ),
        "flash_sale": (
            ("FLASH SALE",),
            ("ONE DAY SALE",),
            (
                "POP-UP SALE",
                "THE 12-HOUR FLASH",
                "FLASH EVENT: SIX HOURS ONLY",
                "PROMO BLITZ",
                "A QUICK-FIRE SALE",
            ),
        ),
    },
    "es": {
        "deadline": (
            ("SOLO HOY",),
            ("ÚLTIMA OPORTUNIDAD",),
            (
                "VÁLIDO HASTA EL DOMINGO",
                "HASTA EL 31/05",
                "SOLO ESTE FINDE",
                "TERMINA A MEDIANOCHE",
                "PROMO VIGENTE HASTA EL VIERNES",
            ),
        ),
        "countdown": (
            ("TERMINA EN 3 DÍAS",),
            ("QUEDAN 24 HORAS",),
            (
                "SOLO QUEDAN 6 HORAS",
                "ÚLTIMAS 48 H",
                "TE QUEDAN 3 DÍAS",
                "ACABA EN 05:12:33",
                "QUEDAN 2 DÍAS",
            ),
        ),
        "flash_sale": (
            ("VENTA FLASH",),
            ("OFERTA RELÁMPAGO",),
            (
                "PROMO RELÁMPAGO",
                "DESCUENTOS EXPRÉS",
                "OFERTAS FUGACES",
                "FLASH DAY",
                "REMATE RELÁMPAGO",
            ),
        ),
    },
    "fr": {
        "deadline": (
            ("AUJOURD'HUI SEULEMENT",),
            ("DERNIÈRE CHANCE",),
            (
                "JUSQU'À DIMANCHE MINUIT",
                "SE TERMINE CE SOIR",
                "NE TARDEZ PAS",
                "VALIDE JUSQU'AU 15 JUIN",
                "SEULEMENT CE WEEK-END",
            ),
        ),
        "countdown": (
            ("PLUS QUE 2 JOURS",),
            ("SE TERMINE DANS 48 H",),
            (
                "J-3",
                "IL RESTE 2 JOURS",
                "FIN DANS 05:12:33",
                "PLUS QUE 24 H !",
                "PLUS QUE 6 HEURES",
            ),
        ),
        "flash_sale": (
            ("VENTE FLASH",),
            ("OFFRE ÉCLAIR",),
            (
                "OPÉRATION ÉCLAIR",
                "FLASH DEAL 24 H",
                "VENTE EXPRESS",
                "OFFRES FLASH DU JOUR",
                "BRADERIE ÉCLAIR",
            ),
        ),
    },
    "de": {
        "deadline": (
            ("NUR HEUTE",),
            ("LETZTE CHANCE",),
            (
                "ENDET UM MITTERNACHT",
                "NICHT VERPASSEN",
                "GILT NUR BIS SONNTAG",
                "BIS EINSCHLIESSLICH 30. JUNI",
                "NUR AM WOCHENENDE",
            ),
        ),
        "countdown": (
            ("NUR NOCH 3 TAGE",),
            ("ENDET IN 24 STUNDEN",),
            (
                "NUR NOCH 6 STUNDEN",
                "ENDET IN 05:12:33",
                "LETZTE 48 STUNDEN",
                "NOCH 3 TAGE ZEIT",
                "BLOSS NOCH 2 TAGE",
            ),
        ),
        "flash_sale": (
            ("BLITZANGEBOT",),
            ("BLITZVERKAUF",),
            (
                "KURZ-SALE",
                "SPONTAN-SALE",
                "KURZ & KNACKIG SALE",
                "BLITZRABATT-TAG",
                "SCHNÄPPCHEN-BLITZ",
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
            "Frizz-free from wash day to weekend",
            "Lashes like yours, only fuller",
            "Bouncy curls without the crunch",
            "Skin that feels like skin",
            "Smoother strands in one wash",
            "Plump lips, zero sting",
            "Sleep deeper, wake up softer",
            "Gut-happy, glow-ready",
        ),
    ),
    "es": (
        ("Piel luminosa cada día", "Hidratación que dura", "Cuidado para piel sensible"),
        ("Tu piel, más suave", "Calma para tu piel", "Un brillo natural"),
        (
            "Rizos definidos sin frizz",
            "Un cabello que da gusto tocar",
            "Labios jugosos todo el día",
            "Pestañas de infarto",
            "Chao piel reseca",
        ),
    ),
    "fr": (
        ("Une peau éclatante", "L'hydratation qui dure", "Le soin des peaux sensibles"),
        ("Votre peau, plus douce", "Le soin qui apaise", "Un teint naturel"),
        (
            "Des boucles définies, sans frisottis",
            "Adieu, peau qui tiraille",
            "Des cheveux doux comme de la soie",
            "Le teint frais, même après une nuit courte",
            "Des lèvres repulpées, tout simplement",
        ),
    ),
    "de": (
        ("Strahlende Haut jeden Tag", "Feuchtigkeit, die bleibt", "Pflege für sensible Haut"),
        ("Sanfte Pflege für dich", "Glatte Haut, ganz natürlich", "Ein frischer Teint"),
        (
            "Geschmeidiges Haar ohne Frizz",
            "Nie wieder spannende Haut",
            "Locken mit Sprungkraft",
            "Weniger Rötungen, mehr Ruhe",
            "Volle Wimpern, ganz ohne Kleber",
        ),
    ),
}

BRANDS: Variants = (
    ("Lumen & Leaf", "Dewpoint", "Oakmoss Lab"),
    ("Petal Theory", "Sable Skin", "Northglow"),
    (
        "Marrow & Mint",
        "Kelpwise",
        "Velvet Quarry",
        "Saltbloom",
        "Juniper Hollow",
        "Ombre Atelier",
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
