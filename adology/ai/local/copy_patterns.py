"""The words ads use, as patterns on the *compact* form of text (upper case, whitespace removed,
accents folded: OCR drops the spaces between words and often the accents, so "FREE SHIPPING" reads
"FREESHIPPING" and "ENVÍO GRATIS" "ENVIOGRATIS"): offers, calls to action, urgency and scarcity,
prices, claims, features, benefits, social proof, sustainability, seasons, launches,
subscriptions, discount codes, ingredients. Offers, calls to action and urgency are English here
and in five more languages in :mod:`.european_copy`. :mod:`adology.ai.local.text` applies them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from adology.ai.local import european_copy
from adology.ai.schema import attribute_schema, taxonomies

Source = Literal["creative", "copy", "platform"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit of text: one paragraph read on a creative or one clause of copy, with its compact form
    (for text read on a creative, with OCR's letter-for-digit confusions in numbers undone)."""

    source: Source
    text: str
    compact: str = field(init=False)
    _positions: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # ocr_numbers keeps every character's place, so positions in its result are positions in text
        folded, positions = compact_with_positions(ocr_numbers(self.text) if self.source == "creative" else self.text)
        object.__setattr__(self, "compact", folded)
        object.__setattr__(self, "_positions", positions)

    def as_read(self, match: re.Match[str]) -> str:
        """The words of ``text`` a match on ``compact`` covers, spaces and accents as they were read."""
        return self.text[self._positions[match.start()] : self._positions[match.end() - 1] + 1]

    def spell(self, rule: Rule, match: re.Match[str]) -> str:
        return rule.spell(match) if rule.spell is not None else self.as_read(match)


def compact(text: str) -> str:
    return compact_with_positions(text)[0]


def compact_with_positions(text: str) -> tuple[str, list[int]]:
    """The compact form of ``text`` and, for each of its characters, the index in ``text`` it came from."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        for part in unicodedata.normalize("NFKD", _APOSTROPHES.get(char, char)).upper():
            if not unicodedata.combining(part):
                folded.append(part)
                positions.append(index)
    return "".join(folded), positions


_APOSTROPHES = {"’": "'", "‘": "'", "`": "'", "´": "'", '"': "'"}  # OCR reads an apostrophe as any of these


def letters_and_digits(text: str) -> str:
    """The compact form without punctuation: how a button's label is compared with a call to action,
    since OCR adds and drops marks around it ("SIGN:UP", "SHOP NOW >", "S'INSCRIRE")."""
    return "".join(char for char in compact(text) if char.isalnum())


# OCR reads a digit as the letter it resembles ("$1O OFF", "$IO", "5O%") and "OFF" after a number
# as "0FF". A word that is a currency amount or a percentage is a number, so its look-alike letters
# are the digits drawn; "0FF" is no word at all.
_LOOKALIKE_DIGITS = str.maketrans("OoIlS|", "001151")
_AMOUNT_WORD = re.compile(r"(?<!\S)([$£€])([0-9OoIlS|]{1,4})(?=[.,][0-9Oo]{2}(?!\S)|(?!\S))")
_PERCENT_WORD = re.compile(r"(?<!\S)([0-9OoIl|]{1,2})%")
_ZERO_FF = re.compile(r"(?<![A-Za-z])0FF(?![A-Za-z])", re.IGNORECASE)


def ocr_numbers(text: str) -> str:
    """``text`` with look-alike letters in amounts and percentages read as digits, and "0FF" as "OFF"."""
    text = _AMOUNT_WORD.sub(lambda m: m[1] + m[2].translate(_LOOKALIKE_DIGITS), text)
    text = _PERCENT_WORD.sub(lambda m: m[1].translate(_LOOKALIKE_DIGITS) + "%", text)
    return _ZERO_FF.sub("OFF", text)


# Characters OCR takes for one another: a call to action read with one of them swapped is the
# same call to action misread, not another word.
OCR_LOOKALIKES = frozenset(
    frozenset(pair) for pair in ("0O", "1I", "1L", "IL", "5S", "8B", "2Z", "VW", "UV", "CG", "0D", "0Q")
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern on the compact form and how to spell what it matched (None: as it was read)."""

    pattern: re.Pattern[str]
    kind: str
    spell: Callable[[re.Match[str]], str] | None


def rule(pattern: str, kind: str, spell: str | Callable[[re.Match[str]], str] | None) -> Rule:
    if spell is None or callable(spell):
        return Rule(re.compile(pattern), kind, spell)

    def expand(match: re.Match[str]) -> str:
        return match.expand(spell)

    return Rule(re.compile(pattern), kind, expand)


def _as_read(patterns: dict[str, tuple[str, ...]]) -> tuple[Rule, ...]:
    return tuple(rule(pattern, kind, None) for kind, kind_patterns in patterns.items() for pattern in kind_patterns)


# What "the second one" may cost in a multi-buy, and the things given free with a purchase.
_FREE_OR_HALF = r"FREE|HALF-?PRICE|HALFOFF|\d{1,2}%OFF|FOR(?:FREE|HALFPRICE|[$£€]1(?![\d.,]))"
_GIFT_NOUNS = (
    r"GIFTS?(?!CARD|SET|-?READY|ING|ED|GUIDE|IDEA|FOR(?:HER|HIM|MOM|DAD|THEM))|MINIS?|TOTE(?:BAG)?|POUCH|"
    r"(?:MAKEUP|COSMETIC|BEAUTY|TRAVEL)BAG|TRAVEL-?SIZE|CANDLE|LIP(?:STICK|GLOSS|BALM)|MASCARA|SERUM|"
    r"(?:FACE|SHEET|HAIR)?MASK|SCRUNCHIE|HEADBAND|BRUSH|MIRROR|CLEANSER|TONER|BOTTLE|SHAKER|SOCKS|"
    r"KEYCHAIN|ROLLER|GUASHA|SCARF|GIFTBOX|CADDY|CASE|WITHPURCHASE"
)

# Most specific first: where two offers overlap in the text ("BUY 1 GET 1 50% OFF", "1 ACHETÉ =
# 1 OFFERT"), the first rule's reading is kept.
_ENGLISH_OFFER_RULES = (
    rule(
        r"BUY(\d|ONE|TWO|THREE)[,+&:]?GET(\d|ONE|TWO|THREE)(FREE|\d{1,2}%OFF|HALF-?PRICE|HALFOFF)?|BOGO",
        "bogo",
        lambda m: (
            "BOGO"
            if m[0] == "BOGO"
            else " ".join(
                ["BUY", m[1], "GET", m[2]]
                + ([m[3].replace("%OFF", "% OFF").replace("HALF-", "HALF").replace("HALF", "HALF ")] if m[3] else [])
            )
        ),
    ),
    # the bogo_offer definition's "two for one, 2 for 1"
    rule(r"(?<![\d.,])(2FOR1|TWOFORONE|3FOR2)(?![\d%])", "bogo", lambda m: m[0].replace("FOR", " FOR ")),
    # multi-buys as ads word them: "2nd item free", "two for the price of one", "get one free"
    *_as_read(
        {
            "bogo": (
                r"(?<![\d.,])(?:THREEFORTWO|4FOR3)(?![\d%])",
                r"(?:\d|TWO|THREE|FOUR)FORTHEPRICEOF(?:\d|ONE|TWO|THREE)",
                rf"(?:2ND|SECOND|3RD|THIRD)(?:ITEM|ONE|PAIR|PRODUCT|UNIT|BOTTLE|JAR|TUBE)?(?:IS)?(?:{_FREE_OR_HALF})",
                r"(?<!FOR)GET(?:ONE|1|ANOTHER|ASECOND|A2ND|THE2ND|THESECOND)(?:ITEM|ONE)?(?:FREE|HALF-?PRICE|HALFOFF)",
                r"BUY(?:\d|ONE|TWO|THREE)[,+&]?(?:PAY|PAYFOR)(?:\d|ONE|TWO)",
            )
        }
    ),
    rule(
        r"FREEGIFT(WITHPURCHASE)?|GIFTWITHPURCHASE|FREEMINI",
        "free_gift",
        lambda m: {"GIFTWITHPURCHASE": "GIFT WITH PURCHASE", "FREEMINI": "FREE MINI"}.get(
            m[0], "FREE GIFT WITH PURCHASE" if m[1] else "FREE GIFT"
        ),
    ),
    # the free_gift_offer definition's "free travel size, bonus item included"
    rule(r"(?:FREE|BONUS)(?:GIFT|MINI|ITEM|TRAVELSIZE)|(?:GIFT|MINI|ITEM)INCLUDED", "free_gift", None),
    *_as_read(
        {
            "free_gift": (
                rf"(?:FREE|BONUS|COMPLIMENTARY)(?:FULL-?SIZE|DELUXE|TRAVEL-?SIZE|MYSTERY|SURPRISE|LIMITED-?EDITION)?"
                rf"(?:{_GIFT_NOUNS})",
                # "free rose candle with every order": a free thing on condition of buying
                r"(?:FREE|COMPLIMENTARY)(?:(?!SHIP|DELIVER|RETURN|POSTAGE|TRIAL|SAMPL|WITH|FROM|FOR)[A-Z-]){2,25}?"
                r"WITH(?:ANY|EVERY|YOUR|ALL|EACH|A|THIS)(?:ORDER|PURCHASE)",
                r"(?:GIFT|MINI|TOTE|POUCH)(?:IS)?(?:INCLUDED|ONUS)|MYSTERYGIFT|(?<![A-Z])GWP(?![A-Z])",
            )
        }
    ),
    rule(
        r"FREETRIAL|TRYITFREE|TRYFORFREE|FREESAMPLE",
        "trial",
        lambda m: {"FREETRIAL": "FREE TRIAL", "TRYITFREE": "TRY IT FREE", "TRYFORFREE": "TRY FOR FREE"}.get(
            m[0], "FREE SAMPLE"
        ),
    ),
    *_as_read(
        {
            "trial": (
                r"RISK-?FREE(?:TRIAL|FOR\d)|TRY(?:IT|US|THEM|ITOUT)?RISK-?FREE|\d{1,3}-?DAYRISK-?FREE",
                r"(?:\d{1,3}|SEVEN|FOURTEEN|THIRTY|SIXTY|NINETY)-?DAY(?:FREE|RISK-?FREE)TRIAL",
                r"(?:FIRST|1ST)(?:\d{1,3}|ONE|TWO|THREE|SEVEN|THIRTY)?(?:DAYS?|WEEKS?|MONTHS?|BOX|DELIVERY|CLASS|SESSION|LESSON)"
                r"(?:IS|ARE|FOR|ON)?(?:FREE|ONUS)(?![A-Z-])",
                r"(?:\d{1,3}|ONE|TWO|SEVEN|FOURTEEN|THIRTY)(?:DAYS?|WEEKS?|MONTHS?)(?:FOR)?FREE(?!-|FROM|OF|SHIPPING|DELIVERY)",
                r"TRY(?:IT|US|THEM|ITOUT|ONE)?FREE(?:FOR\d{1,3}DAYS?)?(?!DOM|FROM|-|OF)|TRYITFORFREE|SAMPLE(?:IT)?FORFREE",
                r"FREESAMPLES|FREE(?:\d{1,3}|7|14|30)-?DAYTRIAL|TRIALFOR[$£€]?[01](?![\d])",
            )
        }
    ),
    rule(
        r"BUNDLE(ANDSAVE|&SAVE)?|VALUESET|STARTERKIT",
        "bundle",
        lambda m: {"VALUESET": "VALUE SET", "STARTERKIT": "STARTER KIT"}.get(
            m[0], "BUNDLE & SAVE" if m[1] else "BUNDLE"
        ),
    ),
    # the bundle_offer definition: "a bundle, set, kit or routine ... gift set"
    # (not "ROUTINE SETS YOU UP" or "GIFT SETTING": compact text has no word ends, so what follows
    # must not continue the word)
    rule(r"(?:GIFT|ROUTINE)(?:SET|KIT)(?!T|S[A-Z]|UP)", "bundle", None),
    *_as_read(
        {
            "bundle": (
                r"(?:DISCOVERY|TRIAL|STARTER|TRAVEL|MINI|HOLIDAY|SKINCARE|BEAUTY|RITUAL|COMPLETE|FULL|ESSENTIALS?|"
                r"DUO|TRIO|VALUE|SAMPLER|BODYCARE|HAIRCARE|SHAVE|GROOMING|FAMILY|REGIMEN|ROUTINE|MAKEUP|BATH|SPA)"
                r"(?:SET|KIT|PACK|BOX|BUNDLE|COLLECTION)(?!T|S[A-Z]|UP|AG|ED|ING|CHEN|TEN|ER)",
                r"(?<!TOOL)(?<![SK])KIT(?![A-Z])",
                r"(?<!RESI)(?<!INDIVI)(?<!AR)DUO(?![A-Z])|(?<![PA])TRIO(?![A-Z])|(?:DUO|TRIO)(?:SET|KIT|PACK|BUNDLE)",
                r"(?<![\d.,])(?:\d|TWO|THREE|SIX)-?PACK(?!AG|ED|ING)|MULTI-?PACK|VALUEPACK|PACKOF\d|TWINPACK|"
                r"FAMILYPACK|COMBO(?![A-RT-Z])",
                r"(?:FULL|COMPLETE|WHOLE|ENTIRE)SET(?![A-Z])|SETOF(?:\d|TWO|THREE|FOUR)(?![\d%])|(?:SHOP|GET|BUY)THE(?:SET|BUNDLE|KIT)(?![A-Z])",
            )
        }
    ),
    rule(
        r"FREE(?:US|UK|EU|STANDARD|EXPRESS|NEXT-?DAY|SAME-?DAY|\d-?DAY|TWO-?DAY|WORLDWIDE|INTERNATIONAL|GROUND|"
        r"PRIORITY|TRACKED|HOME|FAST|RETURNSAND|RETURNS&)?(SHIPPING|DELIVERY|POSTAGE|SHIP(?!S|PED))|"
        r"(SHIPS|DELIVERED|DELIVERS)(?:FOR)?FREE(?!FROM|-)|COMPLIMENTARY(?:STANDARD|EXPRESS|\d-?DAY|TWO-?DAY)?"
        r"(SHIPPING|DELIVERY)",
        "free_shipping",
        lambda m: "FREE DELIVERY" if "DELIVER" in m[0] else "FREE SHIPPING",
    ),
    *_as_read(
        {
            "free_shipping": (
                r"(?:SHIPPING|DELIVERY|POSTAGE)(?:IS|'S)?(?:ALWAYS|ALSO)?(?:FREE|ONUS)(?!DOM|FROM|-)",
                r"NO(?:SHIPPING|DELIVERY)(?:FEES?|COSTS?|CHARGES?)|(?:ZERO|[$£€]0|0[$£€])(?:SHIPPING|DELIVERY)(?!TIME)",
                r"WESHIP(?:FOR)?FREE|SHIPPINGFREEOFCHARGE",
            )
        }
    ),
    rule(r"(UPTO)?(\d{1,2})%OFF", "percent_off", lambda m: ("UP TO " if m[1] else "") + f"{m[2]}% OFF"),
    rule(r"SAVE(\d{1,2})%", "percent_off", r"SAVE \1%"),
    rule(r"HALF-?PRICE|HALFOFF", "percent_off", "HALF PRICE"),
    *_as_read(
        {
            "percent_off": (
                r"(?:SAVE|SAVINGSOF|SALE|DISCOUNTSOF|TAKE|ENJOY)(?:UPTO|ANEXTRA|EXTRA|AN)+(\d{1,2})%",
                r"(\d{1,2})(?:PERCENT|PCT)OFF",
                r"(\d{1,2})%(?:MARKDOWN|SAVINGS)",
            )
        }
    ),
    rule(r"(\d{1,2})%DISCOUNT", "percent_off", r"\1% DISCOUNT"),
    rule(r"([$£€])(\d{1,4})OFF", "amount_off", r"\1\2 OFF"),
    rule(r"SAVE([$£€])(\d{1,4})", "amount_off", r"SAVE \1\2"),
    *_as_read(
        {
            "amount_off": (
                r"([$£€])(\d{1,4})(?:[.,]00)?(?:OFF|DISCOUNT|SAVINGS)",
                r"(?<![\d.,])(\d{1,4})(?:[$£€]|EUR|EUROS|USD|GBP|DOLLARS|POUNDS|BUCKS)(?:OFF|DISCOUNT)",
                r"SAVEUPTO[$£€](\d{1,4})|SAVE(?:UPTO)?(\d{1,4})(?:[$£€]|EUR|DOLLARS|POUNDS)",
            )
        }
    ),
    # OCR often drops a currency symbol ("£5 OFF" read "5 OFF"); a bare number off is still money off
    rule(r"(?<![\d%$£€.,])(\d{1,4})OFF(?!ER|IC)", "amount_off", r"\1 OFF"),
)
_OFFER_ORDER = ("bogo", "free_gift", "trial", "bundle", "free_shipping", "percent_off", "amount_off")
OFFER_RULES = tuple(
    sorted(_ENGLISH_OFFER_RULES + _as_read(european_copy.OFFERS), key=lambda found: _OFFER_ORDER.index(found.kind))
)

# An offer no rule above words is still recognised by what any wording of it must say: a short line
# (at most OFFER_CUE_MAX_LETTERS letters in compact form) naming both halves of one kind of offer in
# any of the six languages — the thing given (delivery, a gift, a trial, a second item, a
# percentage, an amount) and what makes it an offer (that it costs nothing, comes with a purchase,
# is taken off). Each half is a word stem, so the wording around the stems is free. Tried only on a
# line no rule matched, kind by kind in this order, so a rule's reading always wins.
OFFER_CUE_MAX_LETTERS = 60
_COSTS_NOTHING = (
    r"FREE(?!DOM|YOUR|FROM|OF|TO)|GRATIS|GRATUI|OFFERT|KOSTENLOS|UMSONST|GRATUIT|ONUS|ONTHEHOUSE|NOCOST|NOCHARGE|NOEXTRACOST|"
    r"[$£€]0(?![\d.,])|(?<![\d.,])0[$£€]|SANSFRAIS|SINCOST|SINCARGO|SENZASPESE|SENZACOST|SEMCUSTO|OHNEKOSTEN|"
    r"INKLUSIVE|INCLUS|INCLUID|INCLUSO|INCLUDED|COMPLIMENTARY|WEPAY|WECOVER|PAGAMOS|ZAHLENWIR|UBERNEHMENWIR|"
    r"PAGHIAMO|NOUSPAYONS|NOUSOFFRONS|OFFRONS|FREEOFCHARGE|WITHOUTCHARGE|GRATUITEMENT|SANSSUPPLEMENT|KOSTENFREI|"
    r"GEBU?E?HRENFREI|OHNEAUFPREIS|(?<!DUFTSTOFF)(?<!PARABEN)(?<!ALKOHOL)FREI(?!TAG|HEIT|ZEIT|E?N)|GESCHENKT|"
    r"SINGASTOS|CORTESIA|NUESTRACUENTA|NOSOTROSPAGAMOS|WIRZAHLEN|UBERNEHMEN|POURNOUS"
)
_TAKEN_OFF = (
    r"OFF(?!ER|IC)|SAVE|SAVING|DISCOUNT|RABATT|REDUZIER|REMISE|REDUC|DESCUENTO|DTO|SCONTO|SCONTAT|DESCONTO|"
    r"SPAR|ECONOMI|AHORR|RISPARM|POUP|SALE(?!S)|SOLDE|REBAJ|SALDI|PROMO|^-|REBATE|CASHBACK|BACK(?!PACK)|(?<!T-)(?<!T)MINUS|"
    r"DEDUCT|RABAIS|NACHLASS|ERMA?E?SSIG|VORTEIL|REDUZ|DESCONT"
)
_WITH_PURCHASE = (
    r"PURCHASE|ORDER|ACHAT|COMMANDE|COMPRA|PEDIDO|KAUF|BESTELL|ACQUIST|ORDIN|ENCOMEND|SPEND|DES\d|"
    r"DE[$£€]?\d|AB[$£€]?\d|DA[$£€]?\d|APARTIR|YOURS|TUYO|CHECKOUT|BASKET|PANIER|CESTA|WARENKORB|CARRITO|ACHATS|"
    r"PARCEL|PACKAGE|COLIS|PAQUETE|PAKET|PACCO"  # a gift in the parcel comes with the order
)
_GIFT = r"GIFT(?!CARD)|CADEAU|REGALO|OBSEQUIO|GESCHENK|OMAGGIO|BRINDE|FREEBIE|ZUGABE|BONUS|PRAE?SENT(?!IER)"
# The participles and phrases that say "given to you" by themselves ("LIPPENBALSAM GESCHENKT")
# Things given that say "gift" only beside a word saying they cost nothing ("A SURPRISE TREAT, ON US")
_GIFT_NEAR_FREE = rf"{_GIFT}|SURPRISE|TREAT|EXTRA(?!CT|ORD)|PRESENT|MINI|GOODIE|GOODY|OBSEQUIO|BEIGABE|PRAE?SENT|MIMO"
_GIFTED = r"GESCHENKT|REGALAMOS|REGALADO|INREGALO|INOMAGGIO|DEREGALO|DEPRESENTE|DEBRINDE|ENCADEAU|GRATISDAZU"
# Numbers as figures or words, for multi-buys written out ("DOS POR EL PRECIO DE UNO")
_COUNT = r"\d|ONE|TWO|THREE|UNE?|DEUX|TROIS|UNO?|UNA|DOS|TRES|EIN(?:EM|S|E)?|ZWEI|DREI|UMA?|DOIS|DUAS"
_BOUGHT = r"BOUGHT|PURCHASED|ACHETES?|COMPRADOS?|COMPRADAS?|GEKAUFT|ACQUISTATO"
_PRICE_OF = r"FORTHEPRICEOF|POURLEPRIXD'?E?|PORELPRECIODE|ZUMPREISVON|ALPREZZODI|PELOPRECODE"
# The condition of a gift with purchase
_ON_PURCHASE = (
    r"(?:WHEN|IF)YOU(?:SPEND|BUY|ORDER|SHOP|PURCHASE)|WITH(?:EVERY|ANY|EACH|YOUR)(?:ORDER|PURCHASE)|ONORDERS|"
    r"ORDERSOVER|SPEND\w{0,6}[$£€\d]|DES[$£€]?\d|AB[$£€]?\d|APARTIRDE|POURTOUTE?(?:COMMANDE|ACHAT)|"
    r"(?:PARA|POR|CON)(?:TODA|CADA|TU)(?:COMPRA|PEDIDO)|(?:BEI|ZU|MIT)JEDER(?:BESTELLUNG|KAUF)|"
    r"AVEC(?:CHAQUE|VOTRE)(?:COMMANDE|ACHAT)"
)
_FOR_YOU = (
    r"AWAITS|WAITING|ATTEND|ESPERA|WARTET|INCLUDED|INCLUS|INCLUID|INKLUSIVE|INSIDE|INTHEBOX|ISYOURS|ISREADY|"
    r"FORYOU|POURVOUS|POURTOI|PARATI|PARAUSTED|FURDICH|FURSIE|INEVERY|INEACH|DANSCHAQUE|INJEDE[MNR]?|ENCADA|"
    r"BEIJEDE[MNR]?|INOGNI|EMCADA"
)
# Amounts and percentages written as words ("TEN EUROS OFF", "TWENTY PERCENT")
_NUMBER_WORDS = (
    r"FIVE|TEN|FIFTEEN|TWENTY|THIRTY|FORTY|FIFTY|CINQ|DIX|QUINZE|VINGT|TRENTE|QUARANTE|CINQUANTE|CINCO|DIEZ|"
    r"QUINCE|VEINTE|TREINTA|CUARENTA|CINCUENTA|FUNF|ZEHN|FUNFZEHN|ZWANZIG|DREISSIG|VIERZIG|FUNFZIG"
)
_PERIOD = r"\d{1,3}(?:-?DAY|JOUR|DIA|TAG|GIORN|MONTH|MOIS|MES|MONAT|WEEK|SEMAIN|SEMANA|WOCHE|SETTIMAN)"


def _short(pattern: str) -> str:
    return rf"^(?=.{{0,{OFFER_CUE_MAX_LETTERS}}}$).*(?:{pattern}).*"


# How far apart, in compact letters and within one clause, the two halves of an offer may be: "FREE
# DELIVERY ON EVERY ORDER" names one, "FREE YOUR SKIN, ORDER YOUR GIFT, DELIVERED" none.
_NEAR = r"[^,;!?]{0,24}"


def _near(first: str, second: str) -> str:
    """Both halves, in either order, close together in one clause."""
    return _short(rf"(?:{first}){_NEAR}(?:{second})|(?:{second}){_NEAR}(?:{first})")


def _then(first: str, second: str) -> str:
    """``first``, then ``second`` close after it in the same clause ("GIFT WITH PURCHASE")."""
    return _short(rf"(?:{first}){_NEAR}(?:{second})")


_OFFER_CUES = (
    rule(
        _short(
            r"\d-?(?:\+|X|×|FOR|POUR|POR|FUR|PER|PARA)-?\d|BUY\w{0,16}GET|ACHET\w{0,16}(?:OFFERT|RECEV)|"
            r"COMPR[^!?]{0,16}(?:LLEV|GRATIS|REGAL|PRENDI|OMAGGIO|GANHE)|KAUF[^!?]{0,16}(?:GRATIS|GESCHENK|BEKOMM|ERHALT)|"
            r"LEVE\d\w{0,8}PAGUE|PAGUE\d\w{0,8}LEVE|PAY\d\W?\w{0,8}(?:TAKE|GET)|(?:GET|TAKE)\d\W?\w{0,8}PAY|PAGA\d\w{0,8}PRENDI|"
            r"NIMM\d\w{0,8}ZAHL|ZAHL\d\w{0,8}NIMM|PRENE?Z?\d\w{0,8}PAYE|LLEVA\d\w{0,8}PAGA|B\dG\d|"
            rf"(?:{_COUNT})(?:{_PRICE_OF}|FOR|POUR|POR|FUR|PER|PARA)(?:{_COUNT})(?![A-Z\d])|"
            rf"(?:{_COUNT})\w{{0,12}}(?:{_PRICE_OF})(?:{_COUNT})|"
            rf"(?:PICK|TAKE|GET|CHOOSE|BUY|NIMM|PRENE?Z?|LLEVA|LEVE|COMPR|CHOISIS|ELIGE|WAHL)\w{{0,4}}(?:{_COUNT})"
            rf"[^!?]{{0,12}}(?:PAY|PAGA|ZAHL|PAGUE)\w{{0,4}}(?:FOR|POUR|POR|FUR)?(?:{_COUNT})|"
            rf"(?:BUY|ACHET|COMPR|KAUF|ACQUIST|PURCHASE|NIMM|PRENE?Z?|LLEVA|LEVE|TAKE)\w{{0,4}}(?:{_COUNT}|ANY)"
            rf"[^!?]{{0,30}}(?:{_COSTS_NOTHING}|{_GIFTED})|(?:{_COUNT})(?:{_BOUGHT})\W?(?:{_COUNT})(?:{_COSTS_NOTHING}|{_GIFTED})"
        ),
        "bogo",
        None,
    ),
    rule(
        _near(
            r"SECOND|2ND|DEUXIEM|2E(?:ME)?(?![A-Z])|SEGUND|ZWEIT|2[°º.]|ANOTHER|(?<![NV]OS)OTR[OA]|UNAUTRE|NOCHEIN|THIRD|3RD|TROISIEME|TERCER|DRITT|TERZ",
            rf"{_COSTS_NOTHING}|HALF|MOITIE|MITAD|"
            r"HALB|META|METADE|\d{1,2}%|1[$£€]|[$£€]1(?!\d)",
        ),
        "bogo",
        None,
    ),
    rule(_near(_GIFT_NEAR_FREE, _COSTS_NOTHING), "free_gift", None),
    # "FREE FACE MIST WITH ANY SERUM": something free with each purchase of something else
    rule(
        _short(
            r"(?:FREE|GRATIS|GRATUIT|OFFERT)\w{2,24}(?:WITH|AVEC|CON|MIT|COM)"
            r"(?:ANY|EVERY|YOUR|TOUT|CHAQUE|CADA|JEDE|OGNI|QUALQUER|TU|VOTRE|DEINER|IHRER)"
        ),
        "free_gift",
        None,
    ),
    rule(_then(_GIFT, _WITH_PURCHASE), "free_gift", None),
    # a gift said to be the reader's ("YOUR GIFT IS WAITING", "UN CADEAU POUR VOUS")
    rule(_then(_GIFT, _FOR_YOU), "free_gift", None),
    rule(
        _near(
            r"TRIAL|TRY|ESSAI|ESSAY|PRUEB|PROBA|TEST|PROVA|PROVE|PROVI|EXPERIMENT|PROBIER|AMOSTRA|SAMPLE|"
            r"MUESTRA|ECHANTILLON|CAMPION|MUSTER",
            rf"{_COSTS_NOTHING}|{_PERIOD}|RISK|NOCOMMIT|SANSENGAGEMENT|SINCOMPROMISO|SENZAIMPEGNO|"
            r"SEMCOMPROMISSO|UNVERBINDLICH|FIRSTMONTH|FIRSTWEEK|PREMIERMOIS|PRIMERMES|ERSTENMONAT|PRIMOMESE|"
            r"PRIMEIROMES",
        ),
        "trial",
        None,
    ),
    rule(
        _near(
            r"SHIP|DELIVER|POSTAGE|LIVRAISON|LIVRE|ENVIO|ENVIA|ENVOI|VERSAND|VERSEND|LIEFER|ZUSTELL|SPEDIZ|SPEDIT|"
            r"CONSEGN|ENTREGA|DESPACHO|EXPEDI|FRETE|PORTO|PORTES|P&P",
            _COSTS_NOTHING,
        ),
        "free_shipping",
        None,
    ),
    rule(_short(_GIFTED), "free_gift", None),
    # a thing named, then said to be given, closing the line ("CRÈME MAINS OFFERTE")
    rule(
        _short(r"[A-Z]{3,}\W?(?:OFFERTE?S?|GESCHENKT|REGALADAS?|REGALADOS?|INOMAGGIO|DEPRESENTE)$"), "free_gift", None
    ),
    # something free on a condition of buying ("A FREE TOTE WHEN YOU SPEND $50"); free delivery on
    # such a condition is caught above
    rule(
        _then(r"FREE(?!FROM|OF|TO|DOM|WHEN|IF|WITH)|GRATIS|GRATUIT|OFFERT|GESCHENKT|REGALAMOS|OMAGGIO", _ON_PURCHASE),
        "free_gift",
        None,
    ),
    rule(
        _near(
            r"BUNDLE|SET(?!TLE|UP)|KIT|DUO|TRIO|PACK|COFFRET|LOT(?!ION)|PAQUETE|PACCHETTO|CONFEZIONE|PACOTE|KOMBI",
            rf"{_TAKEN_OFF}|VALUE|WORTH|VALEUR|VALOR|WERT|[$£€]\d|\d[$£€]|\d%",
        ),
        "bundle",
        None,
    ),
    rule(_near(r"(?<![\d.,])\d{1,2}%", _TAKEN_OFF), "percent_off", None),
    rule(_near(rf"(?:{_NUMBER_WORDS})(?:PERCENT|POURCENT|PORCIENTO|PROZENT)", _TAKEN_OFF), "percent_off", None),
    rule(_near(rf"(?:{_NUMBER_WORDS})(?:DOLLARS?|EUROS?|POUNDS?|BUCKS)", _TAKEN_OFF), "amount_off", None),
    rule(
        # an amount of money less is a discount ("10 € WENIGER"); a percentage less is a claim ("30% LESS SHINE")
        _near(
            r"[$£€]\d|\d(?:[$£€]|EUR)",
            rf"{_TAKEN_OFF}|CREDIT|GUTSCHRIFT|VOUCHER|GUTSCHEIN|CUPON|BUONO|VALE|CUPOM|BON|LESS|MOINS|MENOS|WENIGER|MENO",
        ),
        "amount_off",
        None,
    ),
)


def offer_cue(compact_text: str) -> tuple[str, re.Match[str]] | None:
    """The kind of offer a short line no rule matched still names (see _OFFER_CUES), with the match
    (the whole line), or None."""
    for cue in _OFFER_CUES:
        match = cue.pattern.search(compact_text)
        if match is not None:
            return cue.kind, match
    return None


def states_offer(compact_text: str) -> bool:
    """Whether a line states an offer, by a rule or by its cues."""
    return any(rule.pattern.search(compact_text) for rule in OFFER_RULES) or offer_cue(compact_text) is not None


# Calls to action the schema and taxonomies do not spell out, with their ``cta_type``.
CTA_SYNONYMS = (
    ("ADD TO CART", "buy_now"),
    ("DISCOVER MORE", "learn_more"),
    ("REGISTER NOW", "sign_up"),
    ("SUBSCRIBE NOW", "subscribe"),
    ("INSTALL NOW", "download"),
    ("WATCH NOW", "watch_more"),
    *(
        (text, kind)
        for kind, texts in {
            "shop_now": (
                "SHOP ALL",
                "SHOP TODAY",
                "SHOP HERE",
                "SHOP ONLINE",
                "SHOP SALE",
                "SHOP DEALS",
                "SHOP THE DEALS",
                "SHOP THE COLLECTION",
                "SHOP COLLECTION",
                "SHOP THE NEW COLLECTION",
                "SHOP NEW",
                "SHOP NEW ARRIVALS",
                "SHOP BESTSELLERS",
                "SHOP BEST SELLERS",
                "SHOP THE BESTSELLERS",
                "SHOP OUR BESTSELLERS",
                "SHOP THE EDIT",
                "SHOP THE LOOK",
                "SHOP THE DROP",
                "SHOP GIFTS",
                "SHOP WOMEN",
                "SHOP MEN",
                "SHOP NOW AND SAVE",
                "SHOP & SAVE",
                "START SHOPPING",
                "GO SHOPPING",
                "SHOP IT NOW",
                "SHOP THE SET",
                "VISIT THE STORE",
                "VISIT OUR STORE",
                "VISIT STORE",
                "VISIT THE SHOP",
                "BROWSE",
                "BROWSE NOW",
                "BROWSE ALL",
                "BROWSE THE COLLECTION",
                "EXPLORE THE COLLECTION",
                "DISCOVER THE COLLECTION",
                "VIEW THE COLLECTION",
                "VIEW COLLECTION",
                "SEE THE COLLECTION",
                "EXPLORE THE RANGE",
            ),
            "buy_now": (
                "ADD TO BAG",
                "ADD TO BASKET",
                "GET YOURS",
                "GET YOURS NOW",
                "GET YOURS TODAY",
                "GET IT NOW",
                "GET IT TODAY",
                "BUY TODAY",
                "BUY IT NOW",
                "BUY YOURS",
                "BUY ONLINE",
                "BUY HERE",
                "GRAB YOURS",
                "GRAB YOURS NOW",
                "GRAB ONE NOW",
                "CHECK OUT NOW",
                "CHECKOUT NOW",
                "PURCHASE NOW",
                "BUY ONE NOW",
            ),
            "order_now": (
                "ORDER TODAY",
                "ORDER YOURS",
                "ORDER YOURS TODAY",
                "ORDER YOURS NOW",
                "ORDER HERE",
                "ORDER ONLINE",
                "PLACE YOUR ORDER",
                "PLACE AN ORDER",
                "PLACE ORDER",
                "PRE-ORDER",
                "PRE-ORDER NOW",
                "PREORDER NOW",
                "ORDER NOW ONLINE",
                "REORDER NOW",
            ),
            "learn_more": (
                "FIND OUT HOW",
                "LEARN HOW",
                "SEE HOW",
                "DISCOVER HOW",
                "LEARN MORE HERE",
                "MORE INFO",
                "MORE INFORMATION",
                "GET THE DETAILS",
                "SEE DETAILS",
                "VIEW DETAILS",
                "READ THE STORY",
                "TELL ME MORE",
                "KNOW MORE",
                "FIND OUT WHY",
                "SEE WHY",
                "DISCOVER WHY",
                "SEE THE SCIENCE",
                "EXPLORE MORE",
                "LEARN MORE NOW",
                "READ NOW",
                "SEE HOW IT'S MADE",
            ),
            "sign_up": (
                "SIGN UP NOW",
                "SIGN UP TODAY",
                "SIGN ME UP",
                "SIGN UP FREE",
                "SIGN UP FOR FREE",
                "CREATE ACCOUNT",
                "CREATE YOUR ACCOUNT",
                "CREATE MY ACCOUNT",
                "JOIN",
                "JOIN TODAY",
                "JOIN FREE",
                "JOIN FOR FREE",
                "JOIN THE CLUB",
                "JOIN THE COMMUNITY",
                "JOIN THE WAITLIST",
                "JOIN THE WAIT LIST",
                "JOIN THE MOVEMENT",
                "REGISTER TODAY",
                "REGISTER HERE",
                "REGISTER FOR FREE",
                "ENROLL NOW",
                "ENROL NOW",
                "GET ON THE LIST",
                "BECOME A MEMBER",
                "JOIN THE PROGRAM",
                "JOIN THE REWARDS",
            ),
            "subscribe": (
                "SUBSCRIBE & SAVE",
                "SUBSCRIBE AND SAVE",
                "SUBSCRIBE TODAY",
                "SUBSCRIBE HERE",
                "BECOME A SUBSCRIBER",
                "START YOUR SUBSCRIPTION",
                "START SUBSCRIPTION",
                "START MY SUBSCRIPTION",
                "SUBSCRIBE FOR FREE",
            ),
            "get_offer": (
                "GET THE OFFER",
                "GET DEAL",
                "GET DEALS",
                "GET THIS DEAL",
                "CLAIM YOUR OFFER",
                "CLAIM THE OFFER",
                "CLAIM NOW",
                "CLAIM DEAL",
                "CLAIM THE DEAL",
                "CLAIM YOUR DISCOUNT",
                "CLAIM DISCOUNT",
                "CLAIM YOUR GIFT",
                "CLAIM YOUR FREE GIFT",
                "CLAIM YOUR CODE",
                "GRAB THE DEAL",
                "GRAB THIS DEAL",
                "GRAB THE OFFER",
                "GRAB DEAL",
                "GRAB YOUR DISCOUNT",
                "UNLOCK OFFER",
                "UNLOCK THE OFFER",
                "UNLOCK YOUR DISCOUNT",
                "UNLOCK THE DEAL",
                "UNLOCK DEAL",
                "UNLOCK SAVINGS",
                "REDEEM",
                "REDEEM OFFER",
                "REDEEM YOUR OFFER",
                "REDEEM CODE",
                "REDEEM NOW",
                "GET DISCOUNT",
                "GET MY DISCOUNT",
                "GET YOUR DISCOUNT",
                "GET CODE",
                "GET THE CODE",
                "GET MY CODE",
                "SEE OFFER",
                "VIEW OFFER",
                "SEE THE OFFER",
                "VIEW DEAL",
                "SEE DEAL",
                "GET THE DISCOUNT",
                "CLAIM OFFER NOW",
                "GET OFFER NOW",
            ),
        }.items()
        for text in texts
    ),
)
_NOT_A_CTA_TYPE = frozenset({"other", "none"})
# First words of calls to action that are not verbs: a short line in a button starting with one of
# them ("PLUS QUE 2 JOURS", "MEHR ALS 100 SORTEN") is not a call to action for that.
_NOT_VERBS = frozenset(
    "PLUS MORE MÁS PIÙ MAIS MEHR WEITERE MAGGIORI ULTERIORI IN LO EU EN HOW KNOW HIER KONTO KOLLEKTION "
    "GUTSCHEIN RABATT DEAL CODE NEWSLETTER ABO GESCHENK ANGEBOT ZU ZUR ZUM".split()
)
_EXAMPLES = re.compile(r":\s*([^:]+?)\.?$")


@dataclass(frozen=True, slots=True)
class CtaPhrase:
    """One call to action of the vocabulary: its canonical spelling, compact form and ``cta_type``."""

    text: str
    kind: str
    compact: str = field(init=False)
    letters: str = field(init=False)  # what a phrase read is compared with (see letters_and_digits)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compact", compact(self.text))
        object.__setattr__(self, "letters", letters_and_digits(self.text))

    @property
    def verb(self) -> str:
        """The phrase's first word when it is a verb ("SHOP" of "SHOP NOW"), else "" ("PLUS D'INFOS")."""
        first = self.text.split()[0]
        # "JETZT" of "JETZT ABONNIEREN" finishes a call to action; it is no verb of one
        folded = letters_and_digits(first)
        return "" if first in _NOT_VERBS or folded in CTA_COMPLEMENTS or folded in _SPEAKERS else first


# The imperatives calls to action open with, as stems of their compact form, by ``cta_type``, in
# the six languages: how a call to action worded as no phrase of the vocabulary is still known for
# one (a stem of three letters or fewer must be the whole word: "VER" is not "VERSAND").
def _stem_table(stems_by_kind: dict[str, str]) -> dict[str, str]:
    """Each stem's kind, from each kind's stems written as one string."""
    return {stem: kind for kind, stems in stems_by_kind.items() for stem in stems.split()}


CTA_VERB_STEMS: dict[str, str] = _stem_table(
    {
        "shop_now": "SHOP BROWSE STOBER EINKAUF MAGASIN ACQUISTA",
        "buy_now": "BUY PURCHASE ACHET KAUF COMPRA COMPRE COMPRAR",
        "order_now": "ORDER COMMANDE PIDE PIDA BESTELL ORDINA ENCOMEND PECA",
        "learn_more": "LEARN DISCOVER EXPLORE FIND SEE READ MEET INFORM APPREN DECOUVR EXPLOR SAVOIR DESCUBR "
        "CONOC ENTDECK ERFAHR ERKUND LIES SCOPRI CONOSC ESPLORA SAIBA CONHEC LEIA",
        "sign_up": "SIGN REGISTER JOIN ENROL INSCRI REGISTR UNETE DATE ANMELD ISCRIV CADASTR JUNTE REJOIN MITGLIED",
        "subscribe": "SUBSCRIB ABONN SUSCRIB ABBONA ASSIN",
        "get_offer": "GET CLAIM GRAB UNLOCK REVEAL ACTIVA REDEEM SNAG OBTEN CONSIG APROVECH PROFIT RECUPER SICHER "
        "HOL ERHALT APPROFITT OTTIENI RISCATT APROVEIT GARANT RESGAT PEGUE RECLAM BENEFICI",
        "download": "DOWNLOAD INSTALL TELECHARG DESCARG HERUNTERLAD SCARICA BAIXE",
        "book_now": "BOOK RESERV BUCH PRENOT AGEND",
        "get_started": "START BEGIN COMMENC EMPIEZ COMIENZ STARTE BEGINN INIZIA COMEC",
        "contact_us": "CONTACT CALL APPEL LLAMA KONTAKT CHIAMA LIGUE FALE CHAT",
        "watch_more": "WATCH VIEW REGARD VOIR MIRA VER SCHAU ANSEH GUARDA ASSIST",
        "apply_now": "APPLY POSTUL BEWERB CANDID",
        "other": "OPEN OUVR ABRE ABRIR TRY ESSAY PRUEB PROBIER TESTE PROVA EXPERIMENT VISIT BESUCH TAKE TREAT "
        "CHOOSE PICK CHOISI ELIGE WAHLE SCEGLI ESCOLH COMPARE CREATE BUILD CUSTOMI PERSONALI UPGRADE SAVE SPAR "
        "ECONOMI AHORR RISPARM POUP",
    }
)
# What a call to action acts on, where that says its kind better than a general verb does ("START
# YOUR ORDER": order_now, "VER DETALLES": learn_more): stems, by ``cta_type``.
CTA_OBJECT_STEMS: dict[str, str] = _stem_table(
    {
        "order_now": "ORDER PEDIDO COMMANDE BESTELLUNG ORDINE ENCOMENDA",
        "learn_more": "DETAIL DETALLE DETTAGL DETALHE INFO",
        "shop_now": "STORE BOUTIQUE TIENDA NEGOZIO LOJA SHOP COLLECTION KOLLEKTION COLECCION COLLEZIONE",
        "sign_up": "CLUB ALTA NEWSLETTER KONTO ACCOUNT COMPTE CUENTA MEMBER MEMBRE MIEMBRO MITGLIED SOCIO ANMELDUNG",
        "get_offer": "OFFER OFFRE OFERTA ANGEBOT DEAL",
        "subscribe": "SUBSCRIPTION ABONNEMENT SUSCRIPCION ABO ASSINATURA",
    }
)
# A call to action in the reader's voice opens with one of these ("JE COMMANDE", "ICH WILL ES")
_SPEAKERS = frozenset("I JE ICH YO IO EU".split())
# Kinds of verbs general enough that the object decides ("START", "VIEW", "TRY").
_GENERAL_VERB_KINDS = frozenset({"get_started", "watch_more", "other"})
# Words that may follow a call to action's verb on a line of its own ("EXPLORE THE SCIENCE").
CTA_DETERMINERS = frozenset(
    "THE YOUR MY OUR A AN LA LE LES L DES DU VOTRE TON TA MON MA NOS EL LOS LAS TU TUS MI AL "
    "DIE DER DAS DEN DEIN DEINE IHRE IHR UNSERE TO AU AUX ZU HOW COMO COMMENT WIE".split()
)
# Words that finish a call to action ("SHOP NOW", "JETZT KAUFEN" with the word first), as
# letters_and_digits spells them: a line of such a word and a call-to-action imperative is one even
# with no button around it.
CTA_COMPLEMENTS = frozenset(
    "NOW TODAY HERE MORE ONLINE IT US FREE JETZT HEUTE HIER MEHR AHORA HOY AQUI YA MAS MAINTENANT "
    "AUJOURDHUI ICI PLUS TOUT ORA OGGI QUI SUBITO AGORA HOJE JA MAIS GLEICH SOFORT ZUM ZUR DAVANTAGE MONTHLY".split()
)


@functools.cache
def _verb_kinds() -> tuple[tuple[str, str], ...]:
    """(stem, kind) pairs, longest stem first ("REGISTR" before "REG..."); a stem of
    :data:`CTA_VERB_STEMS` has its kind there, any other first word of the vocabulary its
    phrase's (the longest phrase's, when several share it)."""
    kinds = {phrase.verb: phrase.kind for phrase in reversed(cta_vocabulary()) if phrase.verb and " " in phrase.text}
    return _longest_first(kinds | CTA_VERB_STEMS)


def _longest_first(kinds: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(kinds.items(), key=lambda pair: (-len(pair[0]), pair)))


def _stem_kind(word: str, stems: Iterable[tuple[str, str]]) -> str | None:
    folded = letters_and_digits(word)
    for stem, kind in stems:
        if folded == stem or (len(stem) > 3 and folded.startswith(stem)):
            return kind
    return None


def cta_kind_of_object(word: str) -> str | None:
    """The ``cta_type`` of a call to action acting on ``word`` (:data:`CTA_OBJECT_STEMS`), or None."""
    return _stem_kind(word, _longest_first(CTA_OBJECT_STEMS))


def cta_kind(words: Sequence[str]) -> tuple[str, str] | None:
    """The imperative a short line opens or (verb last: "JETZT KAUFEN", "DETAILS ANSEHEN") ends
    with and the ``cta_type`` of the call to action it makes, the object's when the verb is a
    general one and the line names one ("START YOUR ORDER": order_now); None without such a verb."""
    if len(words) > 1 and letters_and_digits(words[0]) in _SPEAKERS:  # "JE COMMANDE": the reader speaking
        words = words[1:]
    first = letters_and_digits(words[0])
    verb_last = len(words) > 1 and (first in CTA_COMPLEMENTS or cta_kind_of_object(first) is not None)
    for verb in (words[0], words[-1]) if verb_last else (words[0],):
        kind = cta_kind_of_verb(verb)
        if kind is not None:
            if kind in _GENERAL_VERB_KINDS:
                kind = next((found for word in words if (found := cta_kind_of_object(word))), kind)
            return verb, kind
    return None


def cta_kind_of_words(words: Sequence[str]) -> str | None:
    """The ``cta_type`` the first word of ``words`` that is a call-to-action verb or object says, if any."""
    return next((kind for word in words if (kind := cta_kind_of_verb(word) or cta_kind_of_object(word))), None)


def cta_kind_of_verb(word: str) -> str | None:
    """The ``cta_type`` a call to action opening with ``word`` is of, when ``word`` is such an
    imperative (:data:`CTA_VERB_STEMS` and the vocabulary's first words); else None."""
    return _stem_kind(word, _verb_kinds())


@functools.cache
def cta_vocabulary() -> tuple[CtaPhrase, ...]:
    """Every call to action this provider knows, longest first ("SHOP THE SALE" before "SHOP").

    Read from the data files, so a new schema or taxonomy version widens it: each ``cta_type`` value
    spelled as words ("shop_now" is "SHOP NOW"), :data:`CTA_SYNONYMS` and the other languages'
    (:mod:`.european_copy`), then the examples each ``*_cta`` label's definition lists after its
    colon ("Shop now, Buy now, Order now, ..."), each with the ``cta_type`` of its own spelling, or
    else of its label ("shop_now_cta": shop_now).
    """
    kinds = next(spec.values or [] for spec in attribute_schema().attributes if spec.name == "cta_type")
    found = {compact(kind.replace("_", " ")): CtaPhrase(kind.replace("_", " ").upper(), kind) for kind in kinds}
    found = {key: value for key, value in found.items() if value.kind not in _NOT_A_CTA_TYPE}
    for text, kind in CTA_SYNONYMS:
        found.setdefault(compact(text), CtaPhrase(text, kind))
    for kind, texts in european_copy.CTAS.items():
        for text in texts:
            found.setdefault(compact(text), CtaPhrase(text, kind))
    for taxonomy in taxonomies().values():
        for label in taxonomy.labels:
            examples = _EXAMPLES.search(label.definition)
            if not label.label.endswith("_cta") or examples is None:
                continue
            kind = label.label.removesuffix("_cta")
            for example in examples[1].split(","):
                text = " ".join(example.split()).upper()
                if text:
                    found.setdefault(compact(text), CtaPhrase(text, kind))
    return tuple(sorted(found.values(), key=lambda phrase: (-len(phrase.compact), phrase.compact)))


@functools.cache
def _ctas_by_letters() -> dict[str, CtaPhrase]:
    return {phrase.letters: phrase for phrase in reversed(cta_vocabulary())}


@functools.cache
def _ctas_by_length() -> dict[int, tuple[CtaPhrase, ...]]:
    lengths: dict[int, list[CtaPhrase]] = {}
    for phrase in cta_vocabulary():
        lengths.setdefault(len(phrase.letters), []).append(phrase)
    return {length: tuple(phrases) for length, phrases in lengths.items()}


def cta_spelled(letters: str) -> CtaPhrase | None:
    """The call to action whose letters and digits are exactly ``letters``, if any."""
    return _ctas_by_letters().get(letters)


def ctas_of_length(length: int) -> tuple[CtaPhrase, ...]:
    """The calls to action with ``length`` letters and digits (what one edit can reach)."""
    return _ctas_by_length().get(length, ())


_WEEKDAYS = r"MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY|MIDNIGHT"
_ENDS = (
    r"ENDS?|ENDING|EXPIRES?|FINIT|FIN|TERMINE|TERMINA|ACABA|FINALIZA|ENDET|SCADE|BIS|JUSQU'?AU|HASTAEL|FINOAL|ATE|"
    r"GONE|CLOSING|CLOSES|SCHLUSS|VORBEI|VALID\w{0,7}|VALABLE\w{0,7}|GULTIG\w{0,4}"
)
# When an end is: a time of day or night, or a day of the week, in the six languages
_END_WHEN = (
    r"TONIGHT|MIDNIGHT|TODAY|TOMORROW|MONDAY|TUESDAY|WEDNESDAY|THURSDAY|FRIDAY|SATURDAY|SUNDAY|\d{1,2}(?:H|:\d\d|[AP]M)|"
    rf"{european_copy.ES_DAYS}|{european_copy.FR_DAYS}|{european_copy.DE_DAYS}|{european_copy.IT_DAYS}|"
    rf"{european_copy.PT_DAYS}|HEUTENACHT|HEUTE"
)
_MONTHS = (
    r"JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|JAN|FEB|MAR|APR|JUN|"
    r"JUL|AUG|SEPT?|OCT|NOV|DEC|JANVIER|FEVRIER|MARS|AVRIL|MAI|JUIN|JUILLET|AOUT|SEPTEMBRE|OCTOBRE|NOVEMBRE|"
    r"DECEMBRE|ENERO|FEBRERO|MARZO|ABRIL|MAYO|JUNIO|JULIO|AGOSTO|SEPTIEMBRE|OCTUBRE|NOVIEMBRE|DICIEMBRE|JANUAR|"
    r"FEBRUAR|MARZ|MAERZ|JUNI|JULI|OKTOBER|DEZEMBER|GENNAIO|FEBBRAIO|MAGGIO|GIUGNO|LUGLIO|SETTEMBRE|OTTOBRE|"
    r"DICEMBRE|JANEIRO|FEVEREIRO|MARCO|MAIO|JUNHO|JULHO|SETEMBRO|OUTUBRO|NOVEMBRO|DEZEMBRO"
)
_NEAR_END = r"[^,;!?]{0,12}"
_UNITS = r"TAG(?:EN?)?|JOURS?|DIAS?|GIORN[IO]|STUNDEN?|HEURES?|HORAS?|ORE|ORA|DAYS?|HOURS?"
_NUMBER = r"\d{1,3}|ZWEI|DREI|DEUX|TROIS|DOS|TRES|DUE|TRE|DOIS|TWO|THREE"
URGENCY_RULES = (
    rule(r"(\d{1,3})(?:HOURS?|HRS?)ONLY", "deadline", r"\1 HOURS ONLY"),
    rule(r"(ONE|\d)DAYONLY", "deadline", lambda m: f"{'ONE' if m[1] == 'ONE' else m[1]} DAY ONLY"),
    rule(
        rf"ENDS(TONIGHT|TODAY|SOON|MIDNIGHT|ATMIDNIGHT|TOMORROW|THISWEEKEND|{_WEEKDAYS})",
        "deadline",
        lambda m: "ENDS " + m[1].replace("AT", "AT ").replace("THIS", "THIS "),
    ),
    rule(r"(TODAY|TONIGHT|THISWEEKEND|THISWEEK)ONLY", "deadline", lambda m: m[1].replace("THIS", "THIS ") + " ONLY"),
    rule(
        r"(FORA)?LIMITED(?:-)?TIME(OFFER|ONLY)?",
        "deadline",
        lambda m: ("FOR A " if m[1] else "") + "LIMITED TIME" + (f" {m[2]}" if m[2] else ""),
    ),
    rule(
        r"LASTCHANCE|LASTDAY|FINALHOURS|HURRY|DON'?TMISSOUT|NOWORNEVER",
        "deadline",
        lambda m: {
            "LASTCHANCE": "LAST CHANCE",
            "LASTDAY": "LAST DAY",
            "FINALHOURS": "FINAL HOURS",
            "HURRY": "HURRY",
            "NOWORNEVER": "NOW OR NEVER",
        }.get(m[0], "DON'T MISS OUT"),
    ),
    *_as_read(
        {
            "deadline": (
                r"(?:ONE|TWO|THREE|FOUR|FIVE|SEVEN|\d{1,2})(?:DAYS|WEEKS?|NIGHTS?|WEEKENDS?)ONLY",
                r"FINAL(?:DAYS?|CALL|COUNTDOWN|WEEKEND|CHANCE)|LAST(?:CALL|HOURS|WEEKEND|FEWDAYS|FEWHOURS|MINUTE)|"
                r"ENDINGSOON|ENDSON(?:MIDNIGHT|\d)|(?:OFFER|SALE|DEAL)S?(?:ENDS|EXPIRES?|CLOSES)(?!IN)",
                rf"(?:EXPIRES|CLOSES|OVER)(?:AT)?(?:SOON|TONIGHT|TODAY|MIDNIGHT|TOMORROW|{_WEEKDAYS})",
                rf"(?:UNTIL|'?TIL|TILL|THROUGH|THRU)(?:MIDNIGHT|TONIGHT|TOMORROW|{_WEEKDAYS})|ONLYUNTIL",
                r"TIME'?S?(?:IS)?RUNNINGOUT|RUNNINGOUTOFTIME|(?<![FNP])ACT(?:NOW|FAST)|"
                r"ONLYTODAY|ONLYTHISWEEK(?:END)?|TODAYANDTOMORROWONLY|WHILEITLASTS|BEFOREIT'?SGONE|ONETIMEONLY",
            ),
            "countdown": (
                r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|\d{1,3})(?:MORE)?(?:DAYS?|HOURS?|HRS?|WEEKS?|MINUTES?)"
                r"(?:TOGO|REMAINING)",
                r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|\d{1,3}MORE)(?:DAYS?|HOURS?|HRS?|NIGHTS?|SLEEPS?)LEFT",
                r"ONLY(?:\d{1,3}|ONE|TWO|THREE)(?:DAYS?|HOURS?)(?!LEFT)(?:TOGO|REMAINING)?",
                r"(?:ENDING|EXPIRES|CLOSES|ENDS)IN(?:ONE|TWO|THREE|JUST\d{1,3}|ONLY\d{1,3})(?:DAYS?|HOURS?|HRS?|MINUTES?)",
                r"(?:ENDING|EXPIRES|CLOSES)IN\d{1,3}(?:DAYS?|HOURS?|HRS?|MINUTES?|MINS?|H)",
                r"\d{1,2}D:?\d{1,2}H:?\d{1,2}M|\d{1,2}H:?\d{1,2}M:?\d{1,2}S|TIMELEFT|TIMEREMAINING",
            ),
            "flash_sale": (
                r"FLASH(?:DEALS?|PROMO|OFFERS?|DISCOUNTS?|EVENT|DROP|SAVINGS)|LIGHTNING(?:DEALS|SALE|OFFER)|"
                r"(?<!\d)(?:12|6|36|72)-?(?:HOUR|HR)(?:FLASH)?(?:SALE|DEAL|EVENT)|"
                r"(?:24|48)-?(?:HOUR|HR)(?:FLASH)?(?:DEAL|EVENT)|(?:24|48)-?HRSALE|"
                r"(?:TWO|THREE|1|2|3)-?DAY(?:FLASH)?(?:SALE|EVENT|DEAL)|ONEDAY(?:EVENT|DEAL)|"
                r"DEALOFTHEDAY|DAILYDEAL|DOORBUSTER|SURPRISESALE|FLASH!",
            ),
        }
    ),
    rule(r"ENDSIN(\d{1,3})(DAYS?|HOURS?|HRS?|MINUTES?|MINS?)", "countdown", r"ENDS IN \1 \2"),
    rule(r"(\d{1,3})(DAYS?|HOURS?|HRS?|NIGHTS?|SLEEPS?)LEFT", "countdown", r"\1 \2 LEFT"),
    rule(r"\d{1,2}:\d{2}:\d{2}|COUNTDOWN", "countdown", lambda m: m[0]),
    rule(
        r"FLASHSALE|(24|48)-?HOURSALE|ONEDAYSALE|LIGHTNINGDEAL",
        "flash_sale",
        lambda m: {"FLASHSALE": "FLASH SALE", "ONEDAYSALE": "ONE DAY SALE", "LIGHTNINGDEAL": "LIGHTNING DEAL"}.get(
            m[0], f"{m[1]} HOUR SALE"
        ),
    ),
    *_as_read(european_copy.URGENCY),
    # an end stated by its date ("ENDS MAY 31", "FIN LE 12/06"), time left written out in any of
    # the languages ("IN 5 TAGEN VORBEI", "J-2"), a flash sale by its word, and stock as the limit
    *_as_read(
        {
            "deadline": (
                rf"(?:{_ENDS})(?:ON|LE|EL|AM|IL|O)?(?:{_MONTHS})\d{{1,2}}(?!\d)",
                rf"(?:{_ENDS})(?:ON|LE|EL|AM|IL|O)?\d{{1,2}}(?:ST|ND|RD|TH|ER|\.)?(?:OF|DE)?(?:{_MONTHS})",
                rf"(?:{_ENDS})(?:ON|LE|EL|AM|IL|O)?\d{{1,2}}[./]\d{{1,2}}(?!\d)",
                rf"(?=.{{0,40}}$).*(?:(?:{_ENDS}){_NEAR_END}(?:{_END_WHEN})|(?:{_END_WHEN}){_NEAR_END}(?:{_ENDS})).*",
                r"WHILE(?:STOCKS?|SUPPLIES)LASTS?|JUSQU'?A(?:EPUISEMENT|LAFINDUSTOCK)|HASTAAGOTAR|"
                r"SOLANGE(?:DER)?VORRAT|FINOAESAURIMENTO|ATEACABAR|ENQUANTODURAR",
            ),
            "countdown": (
                r"J-\d{1,2}(?!\d)",
                rf"\d{{1,3}}(?:{_UNITS})(?:VORBEI|ZUENDE|RESTANTS?|RESTAN|QUEDAN|MANCANO|FALTAM|LEFT|TOGO)",
                rf"(?:NOCH|PLUSQUE|QUEDAN?|RESTAN?|MANCANO|MANCA|FALTAM?|ONLY)(?:{_NUMBER})(?:{_UNITS})",
                # the last hours or days ("DERNIÈRES 6 HEURES", "ÚLTIMAS 12 HORAS", "LETZTE 3 TAGE")
                rf"(?:LAST|FINAL|DERNIERE?S?|ULTIM[OA]S?|LETZTEN?)(?:{_NUMBER})(?:{_UNITS}|MINUTE[SN]?|MINUTOS|MINUTI)",
                rf"(?:{_ENDS})(?:IN|EN|DANS)(?:{_NUMBER})(?:{_UNITS}|MINUTES?|MINS?|MINUTOS|MINUTEN)",
            ),
            "flash_sale": (
                r"(?:PRIX|VENTES?|OFFRES?|SOLDES?|PROMOS?)ECLAIR|(?:OFERTAS?|VENTAS?|PRECIOS?|REBAJAS?|PROMOS?|"
                r"PRECOS?)(?:RELAMPAGO|FUGA[CZ](?:ES)?)|BLITZ-?(?:ANGEBOT|DEAL|VERKAUF|SALE|PREIS|RABATT|AKTION)|-BLITZ(?![A-Z])|(?:OFFERTE?|VENDITA|PREZZI|"
                r"PROMO|SCONTI)LAMPO|FLASHPRICES?|(?:OPERATION|VENTE|SOLDES|AKTION|OFERTA|PROMO)FLASH|"
                r"FLASH(?:AKTION|ANGEBOT|OFFER)",
            ),
        }
    ),
)
SCARCITY_WORDS = {
    "LOWSTOCK": "LOW STOCK",
    "LIMITEDSTOCK": "LIMITED STOCK",
    "SELLINGFAST": "SELLING FAST",
    "GOINGFAST": "GOING FAST",
    "ALMOSTGONE": "ALMOST GONE",
    "WHILESUPPLIESLAST": "WHILE SUPPLIES LAST",
    "LIMITEDEDITION": "LIMITED EDITION",
    "SELLINGOUT": "SELLING OUT",
}
SCARCITY_RULES = (
    rule(r"ONLY(\d{1,3})LEFT", "scarcity", r"ONLY \1 LEFT"),
    rule("|".join(SCARCITY_WORDS), "scarcity", lambda m: SCARCITY_WORDS[m[0]]),
)

# A price, unless it is a threshold ("over $40"), a saving ("save $10") or an amount off ("$10 OFF").
PRICE = re.compile(r"(?<!OVER)(?<!ABOVE)(?<!SPEND)(?<!SAVE)(?<!UNDER)([$£€])(\d{1,4}(?:[.,]\d{2})?)(?!\d|OFF|\+)")

# Clause cues, matched on the compact form of one clause (the clause itself is what is quoted).
CLAIM_CUES = re.compile(
    r"CLINICAL|DERMATOLOGIST|PROVEN|TESTED|STUD(?:Y|IES)|(?<!ENDS)IN\d+(?:DAYS?|WEEKS?|HOURS?)|"
    r"\d+-?HOUR(?!S?ONLY|S?LEFT|SALE)|"
    r"\d+%OF(?:USERS|WOMEN|MEN|PEOPLE|PARTICIPANTS)|AWARD|GUARANTEE|SHOWNTO|RESULTS"
)
EXPERT_CUES = re.compile(r"CLINICAL|DERMATOLOGIST|STUD(?:Y|IES)|PROVEN|DOCTOR|LAB-?TESTED")
FEATURE_CUES = re.compile(
    r"FRAGRANCE-?FREE|PARABEN-?FREE|SULFATE-?FREE|OIL-?FREE|ALCOHOL-?FREE|GLUTEN-?FREE|VEGAN|CRUELTY-?FREE|"
    r"NON-?COMEDOGENIC|HYPOALLERGENIC|SPF\d+|\d+(?:\.\d+)?%(?!OFF|DISCOUNT)[A-Z]|\d+(?:ML|OZ)(?![A-Z])|REFILLABLE|"
    r"FIVEINGREDIENTS|\d+INGREDIENTS"
)
BENEFIT_CUES = re.compile(
    r"BRIGHT|GLOW|HYDRAT|MOISTUR|CALM|SOOTH|CLEAR|FIRM|SMOOTH|SOFT|RADIAN|PLUMP|DEWY|REPAIR|EVENTONE|NOURISH|"
    r"PROTECT|REVIV|RESTOR|BOUNCE|GENTL"
)
SOCIAL_CUES = re.compile(
    r"LOVEDBY|\d[\d,.]*K?\+?(?:HAPPY)?(?:CUSTOMERS|REVIEWS|RATINGS|SOLD|FANS)|★|5-?STAR|BESTSELL|BEST-SELL|#1|"
    r"RATED|REVIEWS|ASSEENIN|TRUSTEDBY|AWARD-?WINNING"
)
SUSTAINABILITY_CUES = re.compile(
    r"SUSTAINAB|RECYCL|REFILL|PLASTIC-?FREE|CARBON(?:NEUTRAL|NEGATIVE)|ECO-?FRIENDLY|BIODEGRADABLE|PLANET|"
    r"COMPOSTABLE|ZERO-?WASTE|ETHICAL|RESPONSIBLYSOURCED|VEGAN|CRUELTY-?FREE"
)
SEASON_CUES = (
    (re.compile(r"BLACKFRIDAY|CYBERMONDAY|CYBERWEEK"), "black_friday"),
    (re.compile(r"CHRISTMAS|XMAS|HOLIDAY|STOCKINGSTUFFER"), "holiday_season"),
    (re.compile(r"NEWYEAR"), "new_year"),
    (re.compile(r"VALENTINE"), "valentines"),
    (re.compile(r"MOTHER'?S?DAY"), "mothers_day"),
    (re.compile(r"FATHER'?S?DAY"), "fathers_day"),
    (re.compile(r"BACKTOSCHOOL"), "back_to_school"),
    (re.compile(r"SPRING(?!WATER)"), "spring"),
    (re.compile(r"SUMMER"), "summer"),
    (re.compile(r"AUTUMN"), "autumn"),
    (re.compile(r"WINTER"), "winter"),
    (re.compile(r"HALLOWEEN|EASTER|PRIMEDAY|LABORDAY|MEMORIALDAY"), "other"),
)
NEW_LAUNCH = re.compile(
    r"^(?:ALL-?)?NEW(?!S|TON|YEAR|YORK)|MEET(?:THE|OUR)NEW|INTRODUCING|JUSTLAUNCHED|"
    r"JUSTDROPPED|NOWAVAILABLE|OUTNOW|NEWARRIVAL|LAUNCHING"
)
SUBSCRIPTION = re.compile(r"SUBSCRIBE(?:&|AND)SAVE|AUTO-?REPLENISH|DELIVEREDMONTHLY|SUBSCRIPTION|MEMBERSHIP")
CODE_IN_COPY = re.compile(r"\b(?:use|with|enter)?\s*code:?\s+([A-Z0-9]{3,15})\b", re.IGNORECASE)
CODE_IN_LINE = re.compile(r"CODE:?([A-Z0-9]{3,15})$")
HASHTAG = re.compile(r"#[^\W\d_]\w*")
INGREDIENTS = (
    ("niacinamide", r"NIACINAMIDE"),
    ("hyaluronic acid", r"HYALURONIC(?:ACID)?"),
    ("vitamin c", r"VITAMINC"),
    ("vitamin e", r"VITAMINE(?![A-Z])"),
    ("retinol", r"RETINOL"),
    ("retinal", r"RETINAL(?!DEHYDE)"),
    ("ceramides", r"CERAMIDES?"),
    ("squalane", r"SQUALANE"),
    ("bakuchiol", r"BAKUCHIOL"),
    ("peptides", r"PEPTIDES?"),
    ("green tea", r"GREENTEA"),
    ("centella", r"CENTELLA|CICA(?![A-Z])"),
    ("rosehip oil", r"ROSEHIP"),
    ("aloe", r"ALOE"),
    ("panthenol", r"PANTHENOL"),
    ("salicylic acid", r"SALICYLIC"),
    ("glycolic acid", r"GLYCOLIC"),
    ("lactic acid", r"LACTIC"),
    ("azelaic acid", r"AZELAIC"),
    ("zinc", r"ZINC"),
    ("snail mucin", r"SNAILMUCIN"),
    ("shea butter", r"SHEABUTTER"),
    ("jojoba", r"JOJOBA"),
    ("argan oil", r"ARGAN"),
    ("collagen", r"COLLAGEN"),
    ("caffeine", r"CAFFEINE"),
    ("sea buckthorn", r"SEABUCKTHORN"),
    ("calendula", r"CALENDULA"),
    ("tea tree", r"TEATREE"),
    ("bha", r"(?<![A-Z])BHA(?![A-Z])"),
    ("aha", r"(?<![A-Z])AHAS?(?![A-Z])"),
)
INGREDIENT_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in INGREDIENTS)
# The commonest short words of each language an ad may be written in, with the everyday retail
# ones; most are found in one language only, so a few of them tell the language of a short text.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "the and for your you with to of in a an is are our on it this that my we be at by from or all "
        "more now get new free off shop up no not what how why who can will just only",
        "es": "el la los las y para tu tus con de del en un una es son nuestro nuestra por al mas más ahora "
        "gratis envío envio compra hoy todo todos nuevo nueva sin descubre hasta ya",
        "fr": "le la les et pour votre vos avec de des du en un une est sont notre nos sur au aux plus "
        "maintenant gratuit gratuite livraison achetez offert offerte nouveau nouvelle tout tous sans "
        "découvrez decouvrez jusqu'à jusqu dès",
        "de": "der die das und für fur dein deine ihr ihre mit zu von im ein eine ist sind unser unsere auf "
        "jetzt kostenlos gratis versand kaufen neu neue alle nicht nur bis heute entdecke entdecken",
        "it": "il lo la gli le e per tuo tua con di del della in un una è sono nostro nostra su al più ora "
        "gratis spedizione gratuita acquista nuovo nuova tutto tutti senza scopri fino oggi",
        "pt": "o a os as e para seu sua com de do da em um uma é são nosso nossa no na ao mais agora grátis "
        "gratis frete entrega compre novo nova tudo todos sem descubra até hoje",
    }.items()
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
