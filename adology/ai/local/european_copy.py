"""Offers, calls to action and urgency as ads word them in Spanish, French, German, Italian and
Portuguese: the everyday retail phrases of each language, grouped by the schema's ``offer_type``,
``cta_type`` and urgency kind. :mod:`.copy_patterns` turns them into rules.

Patterns are written for the compact form of text (upper case, no spaces, accents folded: "ENVÍO
GRATIS" is "ENVIOGRATIS", "Für" is "FUR"), as OCR often loses both spaces and accents. What they
match is reported as read, since there is no one English spelling for it.
"""

from __future__ import annotations

# A discount noun after a number ("30% DE RÉDUCTION", "10 € RABATT") or a saving verb before one.
_DISCOUNT_NOUN = r"(?:DE|DI|DEL)?(?:DESCUENTO|DTO|REDUCTION|REMISE|RABATT|SCONTO|DESCONTO|REDUZIERT)"
_SAVE_VERB = r"(?:AHORRA|AHORRE|ECONOMISEZ|ECONOMIZE|RISPARMIA|SPARE|SPAREN)(?:HASTA|JUSQU'?A|BISZU|FINOAL|ATE)?"
# OCR reads "€" as a letter ("E", "C", "f") as often as not, or drops it; after a number and before
# a discount noun, nothing else fits there.
_EURO = r"(?:[€£$]|[A-Z])?"

OFFERS: dict[str, tuple[str, ...]] = {
    "percent_off": (
        rf"(\d{{1,2}})%{_DISCOUNT_NOUN}",
        rf"{_SAVE_VERB}(\d{{1,2}})%",
        r"(?:REMISE|RABATT|SCONTO|DESCUENTO|REDUCTION|DESCONTO)(?:DE|DI|DEL|VON)?(\d{1,2})%",
        # "-30%", "JUSQU'À -40%": a minus before a percentage is a discount in every one of them
        r"(?:HASTA|JUSQU'?A|BISZU|FINOAL|ATE)?-(\d{1,2})%",
    ),
    "amount_off": (
        rf"(?<![\d%])(\d{{1,4}}){_EURO}(?:{_DISCOUNT_NOUN}|OFFERTS?|GESCHENKT)",
        rf"{_SAVE_VERB}(\d{{1,4}})[€£$]",
        r"(?<![\d%])(\d{1,4})[€£$]?SPAREN",
        r"-(\d{1,4})[€£$]",
    ),
    "free_shipping": (
        r"(?:ENVIOS?|ENTREGA|LIVRAISON|FRAISDEPORT|SPEDIZIONE|CONSEGNA|FRETE|PORTES)"
        r"(?:GRATIS|GRATUITOS?|GRATUITAS?|GRATUITE|GRATUITS|OFFERTE?S?|INCLUS[AO]?)",
        r"(?:KOSTENLOSER?|GRATIS-?)(?:VERSAND|LIEFERUNG)|VERSANDKOSTENFREI",
    ),
    "bogo": (
        r"(?<![\d.,])(?:2(?:X|POR|POUR|FUR|PER)1|3(?:X|POR|POUR|FUR|PER)2)(?![\d%])",
        r"(?<![\d.,])(\d)\+(\d)(?:GRATIS|OFFERTS?|OMAGGIO|GRATUITO)",
        r"(\d)ACHETES?=?(\d)OFFERTS?",
        r"(?:LLEVA|LLEVATE|PRENDI|LEVE|NIMM)(\d)(?:PAGA|PAGAS|PAGHI|PAGUE|ZAHLE?)(\d)",
    ),
    "free_gift": (
        r"REGALO(?:CONTUCOMPRA|CONLACOMPRA|PORTUCOMPRA|GRATIS|GRATUITO|INCLUIDO|INOMAGGIO)",
        r"CADEAU(?:OFFERT|GRATUIT|INCLUS|POURTOUTACHAT|AVECTOUTACHAT|AVECVOTRECOMMANDE)",
        r"(?:GRATIS|KOSTENLOSES)-?GESCHENK|GESCHENK(?:GRATIS|ZUMEINKAUF|ZUJEDERBESTELLUNG|INKLUSIVE)",
        r"OMAGGIO|BRINDE|PRESENTEGRATIS",
    ),
    "trial": (r"PRUEBAGRATIS|PRUEBAGRATUITA|ESSAIGRATUIT|GRATISTESTEN|KOSTENLOSTESTEN|PROVAGRATUITA|TESTEGRATIS",),
}

URGENCY: dict[str, tuple[str, ...]] = {
    "deadline": (
        r"SOLO(?:POR)?HOY|ULTIMA(?:OPORTUNIDAD|OCCASIONE|CHANCE)|ULTIMOSDIAS|(?:POR)?TIEMPOLIMITADO|"
        r"TERMINA(?:HOY|PRONTO|ESTANOCHE)",
        r"AUJOURD'?HUISEULEMENT|DERNIERE(?:CHANCE|SCHANCES)|DERNIERSJOURS|DUREELIMITEE|OFFRELIMITEE|"
        r"SETERMINE(?:CESOIR|AUJOURD'?HUI|BIENTOT)",
        r"NURHEUTE|LETZTECHANCE|NURFURKURZEZEIT|NURKURZEZEIT|ZEITLICHBEGRENZT|ENDET(?:HEUTE|BALD)",
        r"SOLOOGGI|TEMPOLIMITATO|SOHOJE|TEMPOLIMITADO",
    ),
    "countdown": (
        r"(?:TERMINAEN|TERMINATRA|TERMINAEM|QUEDAN|FALTAN|FALTAM|RESTAM|MANCANO|PLUSQUE|ENCORE|"
        r"SETERMINEDANS|FINDANS|NURNOCH|NOCH|ENDETIN)(\d{1,3})"
        r"(?:DIAS?|HORAS?|JOURS?|HEURES?|H|TAGEN?|STUNDEN?|STD|GIORNI|ORE)(?![A-Z])",
    ),
    "flash_sale": (
        r"VENTAFLASH|OFERTA(?:RELAMPAGO|FLASH)|VENTE(?:FLASH|ECLAIR)|OFFREECLAIR|BLITZ-?(?:ANGEBOT|VERKAUF|SALE)|"
        r"(?:VENDITA|OFFERTA)LAMPO|(?:PROMOCAO|VENDA)RELAMPAGO",
    ),
}

# Calls to action by ``cta_type``, spelled as shown on buttons.
CTAS: dict[str, tuple[str, ...]] = {
    "shop_now": (
        "COMPRAR AHORA",
        "COMPRA AHORA",
        "COMPRA YA",
        "COMPRAR",
        "ACHETER",
        "ACHETEZ",
        "ACHETER MAINTENANT",
        "ACHETEZ MAINTENANT",
        "J'ACHÈTE",
        "JETZT KAUFEN",
        "JETZT SHOPPEN",
        "ZUM SHOP",
        "KAUFEN",
        "ACQUISTA ORA",
        "ACQUISTA",
        "COMPRA ORA",
        "COMPRE AGORA",
        "COMPRAR AGORA",
    ),
    "order_now": (
        "PIDE AHORA",
        "PIDE YA",
        "PEDIR AHORA",
        "HAZ TU PEDIDO",
        "COMMANDER",
        "COMMANDEZ",
        "COMMANDEZ MAINTENANT",
        "JE COMMANDE",
        "JETZT BESTELLEN",
        "BESTELLEN",
        "ORDINA ORA",
        "ORDINA",
        "PEÇA JÁ",
        "PEDIR AGORA",
    ),
    "learn_more": (
        "MÁS INFORMACIÓN",
        "SABER MÁS",
        "DESCUBRE MÁS",
        "DESCUBRIR",
        "DESCUBRE",
        "EN SAVOIR PLUS",
        "DÉCOUVRIR",
        "DÉCOUVREZ",
        "MEHR ERFAHREN",
        "MEHR ENTDECKEN",
        "JETZT ENTDECKEN",
        "ENTDECKEN",
        "MEHR INFOS",
        "SCOPRI DI PIÙ",
        "SCOPRI",
        "SAIBA MAIS",
        "DESCUBRA",
    ),
    "sign_up": (
        "REGÍSTRATE",
        "ÚNETE",
        "INSCRÍBETE",
        "S'INSCRIRE",
        "INSCRIVEZ-VOUS",
        "JE M'INSCRIS",
        "REJOIGNEZ-NOUS",
        "JETZT ANMELDEN",
        "ANMELDEN",
        "REGISTRIEREN",
        "JETZT REGISTRIEREN",
        "ISCRIVITI",
        "REGISTRATI",
        "INSCREVA-SE",
        "CADASTRE-SE",
    ),
    "subscribe": (
        "SUSCRÍBETE",
        "S'ABONNER",
        "ABONNEZ-VOUS",
        "JETZT ABONNIEREN",
        "ABONNIEREN",
        "ABBONATI",
        "ASSINE JÁ",
    ),
    "get_offer": (
        "OBTENER OFERTA",
        "CONSIGUE LA OFERTA",
        "APROVECHA LA OFERTA",
        "VER OFERTA",
        "PROFITER DE L'OFFRE",
        "PROFITEZ DE L'OFFRE",
        "J'EN PROFITE",
        "OBTENIR L'OFFRE",
        "ANGEBOT SICHERN",
        "JETZT SICHERN",
        "ZUM ANGEBOT",
        "APPROFITTA DELL'OFFERTA",
        "OTTIENI L'OFFERTA",
        "APROVEITE A OFERTA",
    ),
}
