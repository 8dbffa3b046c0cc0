"""The words ads use, as patterns on the *compact* form of text (upper case, whitespace removed: OCR
drops the spaces between words, so "FREE SHIPPING" reads "FREESHIPPING"): offers, calls to action,
urgency and scarcity, prices, claims, features, benefits, social proof, sustainability, seasons,
launches, subscriptions, discount codes, ingredients. :mod:`adology.ai.local.text` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Source = Literal["creative", "copy", "platform"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit of text: one OCR line or one clause of copy, with its compact form."""

    source: Source
    text: str
    compact: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compact", compact(self.text))


def compact(text: str) -> str:
    return "".join(text.split()).upper()


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern on the compact form and how to spell what it matched."""

    pattern: re.Pattern[str]
    kind: str
    spell: Callable[[re.Match[str]], str]


def rule(pattern: str, kind: str, spell: str | Callable[[re.Match[str]], str]) -> Rule:
    if callable(spell):
        return Rule(re.compile(pattern), kind, spell)

    def expand(match: re.Match[str]) -> str:
        return match.expand(spell)

    return Rule(re.compile(pattern), kind, expand)


OFFER_RULES = (
    rule(r"(UPTO)?(\d{1,2})%OFF", "percent_off", lambda m: ("UP TO " if m[1] else "") + f"{m[2]}% OFF"),
    rule(r"SAVE(\d{1,2})%", "percent_off", r"SAVE \1%"),
    rule(r"(\d{1,2})%DISCOUNT", "percent_off", r"\1% DISCOUNT"),
    rule(r"([$£€])(\d{1,4})OFF", "amount_off", r"\1\2 OFF"),
    rule(r"SAVE([$£€])(\d{1,4})", "amount_off", r"SAVE \1\2"),
    rule(
        r"FREE(?:US)?(SHIPPING|DELIVERY)|(SHIPS)FREE",
        "free_shipping",
        lambda m: "FREE DELIVERY" if m[1] == "DELIVERY" else "FREE SHIPPING",
    ),
    rule(
        r"BUY(\d|ONE)GET(\d|ONE)(FREE|\d{1,2}%OFF)?|BOGO",
        "bogo",
        lambda m: (
            "BOGO"
            if m[0] == "BOGO"
            else " ".join(["BUY", m[1], "GET", m[2]] + ([m[3].replace("%OFF", "% OFF")] if m[3] else []))
        ),
    ),
    rule(
        r"FREEGIFT(WITHPURCHASE)?|GIFTWITHPURCHASE|FREEMINI",
        "free_gift",
        lambda m: {"GIFTWITHPURCHASE": "GIFT WITH PURCHASE", "FREEMINI": "FREE MINI"}.get(
            m[0], "FREE GIFT WITH PURCHASE" if m[1] else "FREE GIFT"
        ),
    ),
    rule(
        r"BUNDLE(ANDSAVE|&SAVE)?|VALUESET|STARTERKIT",
        "bundle",
        lambda m: {"VALUESET": "VALUE SET", "STARTERKIT": "STARTER KIT"}.get(
            m[0], "BUNDLE & SAVE" if m[1] else "BUNDLE"
        ),
    ),
    rule(
        r"FREETRIAL|TRYITFREE|TRYFORFREE|FREESAMPLE",
        "trial",
        lambda m: {"FREETRIAL": "FREE TRIAL", "TRYITFREE": "TRY IT FREE", "TRYFORFREE": "TRY FOR FREE"}.get(
            m[0], "FREE SAMPLE"
        ),
    ),
)

# (compact phrase, canonical spelling, cta_type): longest first so "SHOPTHESALE" wins over "SHOP".
CTAS = (
    ("SHOPTHESALE", "SHOP THE SALE", "shop_now"),
    ("SHOPNOW", "SHOP NOW", "shop_now"),
    ("BUYNOW", "BUY NOW", "buy_now"),
    ("ADDTOCART", "ADD TO CART", "buy_now"),
    ("ORDERNOW", "ORDER NOW", "order_now"),
    ("LEARNMORE", "LEARN MORE", "learn_more"),
    ("FINDOUTMORE", "FIND OUT MORE", "learn_more"),
    ("DISCOVERMORE", "DISCOVER MORE", "learn_more"),
    ("READMORE", "READ MORE", "learn_more"),
    ("SIGNUP", "SIGN UP", "sign_up"),
    ("JOINNOW", "JOIN NOW", "sign_up"),
    ("REGISTERNOW", "REGISTER NOW", "sign_up"),
    ("SUBSCRIBENOW", "SUBSCRIBE NOW", "subscribe"),
    ("SUBSCRIBE", "SUBSCRIBE", "subscribe"),
    ("GETOFFER", "GET OFFER", "get_offer"),
    ("CLAIMOFFER", "CLAIM OFFER", "get_offer"),
    ("GETTHEDEAL", "GET THE DEAL", "get_offer"),
    ("REDEEMNOW", "REDEEM NOW", "get_offer"),
    ("DOWNLOADNOW", "DOWNLOAD NOW", "download"),
    ("DOWNLOAD", "DOWNLOAD", "download"),
    ("INSTALLNOW", "INSTALL NOW", "download"),
    ("BOOKNOW", "BOOK NOW", "book_now"),
    ("GETSTARTED", "GET STARTED", "get_started"),
    ("CONTACTUS", "CONTACT US", "contact_us"),
    ("WATCHMORE", "WATCH MORE", "watch_more"),
    ("WATCHNOW", "WATCH NOW", "watch_more"),
    ("APPLYNOW", "APPLY NOW", "apply_now"),
)
CTA_LINE_TRAILER = re.compile(r"[!>→»›.]*$")

URGENCY_RULES = (
    rule(r"(\d{1,3})(?:HOURS?|HRS?)ONLY", "deadline", r"\1 HOURS ONLY"),
    rule(r"(ONE|\d)DAYONLY", "deadline", lambda m: f"{'ONE' if m[1] == 'ONE' else m[1]} DAY ONLY"),
    rule(
        r"ENDS(TONIGHT|TODAY|SOON|MIDNIGHT|ATMIDNIGHT|SUNDAY|FRIDAY)",
        "deadline",
        lambda m: "ENDS " + m[1].replace("ATMIDNIGHT", "AT MIDNIGHT"),
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
    rule(r"ENDSIN(\d{1,3})(DAYS?|HOURS?|HRS?|MINUTES?|MINS?)", "countdown", r"ENDS IN \1 \2"),
    rule(r"(\d{1,3})(DAYS?|HOURS?|HRS?)LEFT", "countdown", r"\1 \2 LEFT"),
    rule(r"\d{1,2}:\d{2}:\d{2}|COUNTDOWN", "countdown", lambda m: m[0]),
    rule(
        r"FLASHSALE|(24|48)-?HOURSALE|ONEDAYSALE|LIGHTNINGDEAL",
        "flash_sale",
        lambda m: {"FLASHSALE": "FLASH SALE", "ONEDAYSALE": "ONE DAY SALE", "LIGHTNINGDEAL": "LIGHTNING DEAL"}.get(
            m[0], f"{m[1]} HOUR SALE"
        ),
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
ENGLISH_FUNCTION_WORDS = frozenset(
    "the and for your you with to of in a an is are our on it this that my we be at by from or all more now "
    "get new free off shop up no not what how why who can will just only".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
