"""What a question asks, read by rules the code can check: an intent, the brands it names, the
conditions ads must meet, a period, what to group by, and the words left over for retrieval.

The vocabulary is the attribute schema's and the taxonomies' own (offer types, CTA types, formats,
labels; their names as words), plus the few everyday phrasings of them listed here. A phrase is
consumed once it matches, so "free shipping" is an offer, not also the label of the same name, and
what no rule consumed is the topic that semantic retrieval looks for.

A follow-up ("what about Brand B?", "and only videos?") is read against the previous question's
plan: what it names replaces the same part of the previous plan, and what it leaves out is kept.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adology.ai.answers import Intent
from adology.ai.schema import attribute_schema, taxonomies

Measure = Literal["count", "share", "spend", "impressions"]

_FORMATS = ("image", "video", "carousel")
_PLATFORMS = ("facebook", "instagram", "messenger", "audience_network", "youtube", "google", "tiktok")
# what people call the schema's values, beyond their own names
_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("offer_type", "percent_off"): ("% off", "percent off", "percentage off", "percentage discount"),
    ("offer_type", "amount_off"): ("dollars off", "money off", "cash off", "amount off"),
    ("offer_type", "free_shipping"): ("free delivery",),
    ("offer_type", "bogo"): ("buy one get one", "buy 1 get 1", "buy-one-get-one", "bogo"),
    ("offer_type", "free_gift"): ("gift with purchase", "free sample", "free gift"),
    ("offer_type", "bundle"): ("bundle", "bundles", "bundled"),
    ("offer_type", "trial"): ("free trial", "trials"),
    ("cta_type", "watch_more"): ("watch more", "watch now"),
}
_GROUPS = {  # what "which X is most common" groups by
    "cta_type": ("call to action", "calls to action", "call-to-action", "ctas", "cta"),
    "offer_type": ("kind of offer", "type of offer", "offer type", "offers", "offer", "promotion", "deal"),
    "format": ("formats", "format"),
    "tone": ("tone",),
    "emotional_appeal": ("emotional appeal", "emotion"),
    "color_palette_name": ("colour palette", "color palette", "palette"),
    "platform": ("platforms", "platform", "channel"),
    "seasonality": ("season", "holiday"),
}
_MONTHS = "january february march april may june july august september october november december".split()
_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_STOPWORDS = set(
    """a an the of in on at to for from by with and or but is are was were be been being do does did
    what which who whom whose how many much more most less least any all some show me find list give get
    tell about their them they its it this that these those our my your ads ad creatives creative run runs
    ran running use uses used using have has had there here since over during between than brand brands
    competitor competitors company companies please can could would should i we you examples example
    compared compare versus vs only also just like same each every per between across time lately recently
    headline headlines say says saying said called named text copy words word s""".split()
)


class Condition(BaseModel):
    """One thing a matching ad must be: an attribute value, an attribute family (any offer), a label,
    a format, a platform, or words it says."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["attribute", "any_of", "any_offer", "flag", "label", "format", "platform", "text"]
    name: str  # the attribute or label name; "format", "platform" or "text" for the others
    value: str  # the value asked for ("true" for a flag)
    phrase: str  # as the question wrote it, for the answer

    def describe(self) -> str:
        if self.kind == "text":
            return f'saying "{self.value}"'
        if self.kind == "format":
            return f"in {self.value} format"
        if self.kind == "platform":
            return f"on {self.value.replace('_', ' ')}"
        if self.kind == "any_offer":
            return "with an offer"
        if self.kind == "any_of":
            return "with a discount" if self.name == "offer_type" else f"with {self.phrase}"
        if self.kind == "flag":
            return f"with {self.name.replace('_', ' ')}"
        if self.kind == "label":
            return f"labelled {self.value.replace('_', ' ')}"
        if self.name == "cta_type":
            return f'with a "{_words(self.value)}" call to action'
        return f"with a {_words(self.value)} offer"


class Window(BaseModel):
    """A half-open date range [start, end); either may be open."""

    model_config = ConfigDict(frozen=True)

    start: date | None = None
    end: date | None = None
    phrase: str

    def describe(self) -> str:
        return self.phrase


class Plan(BaseModel):
    """What the question asks, in parts a query can be built from (stored with the answer, read by a
    follow-up)."""

    intent: Intent | None = None
    brands: list[str] = Field(default_factory=list)  # partition keys inside the brandspace
    outside_brands: list[str] = Field(default_factory=list)  # names of library brands outside it
    conditions: list[Condition] = Field(default_factory=list)
    window: Window | None = None
    group_by: str | None = None
    measure: Measure = "count"
    least: bool = False
    topic: str | None = None  # the words no rule consumed, for retrieval
    roles: list[str] = Field(default_factory=list)  # the brands asked about by their role ("competitors")

    def asks_anything(self) -> bool:
        """Whether any rule read something (a follow-up must name at least one part of a plan)."""
        return bool(
            self.intent
            or self.conditions
            or self.topic
            or self.brands
            or self.outside_brands
            or self.window
            or self.group_by
        )


def _words(value: str) -> str:
    return value.replace("_", " ")


def _vocabulary() -> list[tuple[str, Condition]]:
    """Every phrase a condition can be named by, longest first (so "free shipping" wins over "free")."""
    entries: list[tuple[str, Condition]] = []

    def add(phrase: str, kind: str, name: str, value: str) -> None:
        entries.append((phrase, Condition(kind=kind, name=name, value=value, phrase=phrase)))  # type: ignore[arg-type]

    schema = {spec.name: spec for spec in attribute_schema().attributes}
    for name in ("offer_type", "cta_type"):
        for value in schema[name].values or []:
            if value in ("none", "other"):
                continue
            add(_words(value), "attribute", name, value)
            for phrase in _SYNONYMS.get((name, value), ()):
                add(phrase, "attribute", name, value)
    for fmt in _FORMATS:
        for phrase in (fmt, f"{fmt}s", f"{fmt} ads"):
            add(phrase, "format", "format", fmt)
    add("static", "format", "format", "image")
    add("still image", "format", "format", "image")
    for platform in _PLATFORMS:
        add(_words(platform), "platform", "platform", platform)
    for phrase in ("limited-time offers", "limited-time offer", "limited time offers", "limited time offer"):
        add(phrase, "flag", "urgency", "true")
    for phrase in ("limited-time", "limited time", "urgency", "urgent", "deadline", "deadlines", "countdown"):
        add(phrase, "flag", "urgency", "true")
    for phrase in ("scarcity", "low stock", "limited supply"):
        add(phrase, "flag", "scarcity", "true")
    for phrase in ("discount", "price cut", "markdown"):
        add(phrase, "any_of", "offer_type", "percent_off,amount_off")
    for phrase in ("offers", "promotions", "promotion", "deals", "deal", "sale", "sales"):
        add(phrase, "any_offer", "offer_type", "any")
    for taxonomy in taxonomies().values():
        for label in taxonomy.labels:
            phrase = _words(label.label)
            if len(phrase.split()) >= 2:  # one word ("ugc") is too easily a word of the topic
                add(phrase, "label", taxonomy.taxonomy, label.label)
    return sorted(entries, key=lambda entry: -len(entry[0]))


_VOCABULARY = _vocabulary()
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,200})[\"“”«»]|(?<![\w])'([^']{2,200})'(?![\w])")


def read_question(
    question: str,
    *,
    brands: dict[str, str],  # partition key → name, the brandspace's
    library_brands: dict[str, str],  # partition key → name, library brands the question names
    today: date,
    previous: Plan | None = None,
) -> Plan:
    """The plan of ``question`` (see the module); ``previous`` is the conversation's last plan."""
    text = " " + re.sub(r"\s+", " ", question.strip().lower()) + " "
    conditions: list[Condition] = []
    for found in _QUOTED.finditer(question):
        quoted = (found.group(1) or found.group(2)).strip()
        if quoted:
            conditions.append(Condition(kind="text", name="text", value=quoted, phrase=quoted))
    text = _QUOTED.sub(" ", text.replace("’", "'")).lower() if conditions else text.replace("’", "'")

    named, text = _named_brands(text, brands)
    roles = [role for role, pattern in _ROLES.items() if pattern.search(text)]
    outside = [name for key, name in library_brands.items() if key not in brands and _contains(text, name.lower())]
    for name in outside:
        text = _remove(text, name.lower())

    window, text = _window(text, today)
    intent, group_by, measure, least = _intent(text)
    if group_by:
        text = _remove_all(text, _GROUPS[group_by])
    for phrase, condition in _VOCABULARY:
        if not _contains(text, phrase):
            continue
        text = _remove(text, phrase)
        offer_named = group_by == "offer_type" or any(known.name == "offer_type" for known in conditions)
        if (condition.kind in ("any_offer", "any_of") and offer_named) or any(
            known.name == condition.name and known.value == condition.value for known in conditions
        ):
            continue
        conditions.append(condition)
    plan = Plan(
        intent=intent,
        brands=named,
        outside_brands=outside,
        conditions=conditions,
        window=window,
        group_by=group_by,
        measure=measure,
        least=least,
        roles=roles,
    )
    # a follow-up: marked as one ("what about ..."), or a short question that names only parts of a plan
    short = intent is None and len(text.split()) <= 8
    if previous is not None and plan.asks_anything() and (_FOLLOW_UP.match(text) or short):
        return _follow_up(plan, previous)
    if intent is None and conditions:
        intent = "find"
    # only a search reads the words left over; elsewhere they are the question's own wording
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text) if intent == "find" else []
    topic = " ".join(word for word in words if word not in _STOPWORDS)
    return plan.model_copy(update={"intent": intent, "topic": topic or None})


# the brands a question means by their role in the brandspace
_ROLES = {
    "competitor": re.compile(r"\b(?:competitors?|competition|rivals?)\b"),
    "followed": re.compile(r"\bfollowed brands?\b|\bbrands? (?:we|i) follow\b"),
    "primary": re.compile(r"\b(?:our|my) (?:own )?brand\b|\bour ads\b"),
}
_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|same for|now|also|only|just|but)\b")


def _follow_up(plan: Plan, previous: Plan) -> Plan:
    """A follow-up keeps what it does not restate: the intent, brands, conditions of other kinds,
    the window, the grouping and the topic of the previous plan."""
    kinds = {condition.name for condition in plan.conditions}
    kept = [condition for condition in previous.conditions if condition.name not in kinds]
    return Plan(
        intent=plan.intent or previous.intent,
        brands=plan.brands or previous.brands,
        outside_brands=plan.outside_brands,
        conditions=kept + plan.conditions,
        window=plan.window or previous.window,
        group_by=plan.group_by or previous.group_by,
        measure=plan.measure if plan.intent else previous.measure,
        least=plan.least if plan.intent else previous.least,
        topic=previous.topic,
        roles=plan.roles or ([] if plan.brands else previous.roles),
    )


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?:e?s)?(?![\w])", text) is not None


def _remove(text: str, phrase: str) -> str:
    """The text without ``phrase`` (or its plural or possessive)."""
    return re.sub(rf"(?<![\w]){re.escape(phrase)}(?:e?s|'s)?(?![\w])", " ", text)


def _remove_all(text: str, phrases: tuple[str, ...]) -> str:
    for phrase in phrases:
        text = _remove(text, phrase)
    return text


def _named_brands(text: str, brands: dict[str, str]) -> tuple[list[str], str]:
    """The brandspace's brands the text names (by name, or by key with spaces), in the text's order."""
    found: list[tuple[int, str]] = []
    for key, name in sorted(brands.items(), key=lambda item: -len(item[1])):
        for phrase in (name.lower(), key.replace("-", " "), key):
            match = re.search(rf"(?<![\w]){re.escape(phrase)}(?:'s)?(?![\w])", text)
            if match:
                found.append((match.start(), key))
                text = _remove(text, phrase)
                break
    return [key for _, key in sorted(found)], text


_RANK = re.compile(
    r"\b(?:which|what|who)\s+(?:brand|competitor|company|one|of (?:them|the brands|our competitors|my competitors))"
    r"|\bwho\b|\bcompare\b|\bcompared\b|\branks?\b|\branking\b|\bversus\b|\bvs\.?\b"
)
_MOST = re.compile(r"\b(?:most|hardest|heaviest|heavily|more|highest|biggest|top|leads?)\b")
_LEAST = re.compile(r"\b(?:least|fewest|fewer|lowest|less|rarely)\b")
_SHARE = re.compile(r"\b(?:leans?|relies|rely|share|proportion|percentage|percent of|ratio|heavily|hardest)\b")
_COUNT = re.compile(
    r"\bhow many\b|\bnumber of\b|\bcount\b|\bhow much\b|\bhow often\b"
    r"|\bwhat (?:percentage|proportion|share|fraction|part)\b"
)
_TREND = re.compile(
    r"\bwhat changed\b|\bchang(?:e|es|ed|ing)\b|\btrends?\b|\btrending\b|\bover time\b|\bshift(?:ed|ing)?\b"
    r"|\brising\b|\bfalling\b|\bgrow(?:ing|n)?\b|\bdeclin(?:e|ing)\b|\bevolv(?:e|ed|ing)\b|\bmonth by month\b"
)
_DESCRIBE = re.compile(
    r"\btell me about\b|\bdescribe\b|\boverview\b|\bsummar(?:y|ise|ize)\b|\bstrategy\b|\bthemes?\b"
    r"|\bwhat (?:is|does) [\w' -]+ (?:doing|about|focus)|\bfocus(?:es|ing)? on\b|\bwhat kind of ads\b"
)
_FIND = re.compile(
    r"\b(?:show|find|list|give|see|display|search|look for|examples?|any ads|which ads"
    r"|ads (?:about|with|that|where|saying))\b"
)
_TOP_VALUE = re.compile(
    r"\b(?:most|least) (?:common|used|frequent|popular|often)\b|\bmost of\b|\btop\b|\bfavou?rite\b|\busual\b"
)


_SPEND = re.compile(r"\bspend(?:s|ing)?\b|\bspent\b|\bad budgets?\b|\binvest(?:s|ed|ing|ment)?\b")
_IMPRESSIONS = re.compile(r"\bimpressions?\b|\breach(?:ed|es)?\b|\bviews?\b")


def _intent(text: str) -> tuple[Intent | None, str | None, Measure, bool]:
    """The intent, what to group by (for "which CTA is most common"), what to measure (ads by count
    or share, disclosed spend or impressions), and whether the least is asked for."""
    least = bool(_LEAST.search(text)) and not _MOST.search(text)
    measure: Measure = "share" if _SHARE.search(text) else "count"
    group = _group(text)
    disclosed: Measure | None = "spend" if _SPEND.search(text) else "impressions" if _IMPRESSIONS.search(text) else None
    if disclosed is not None and not _TREND.search(text):
        ranked = _RANK.search(text) and (_MOST.search(text) or _LEAST.search(text) or "compar" in text)
        return ("rank" if ranked else "spend"), None, disclosed, least
    if _TREND.search(text):
        return "trend", _group(text, anywhere=True), measure, least
    if _COUNT.search(text):
        return "count", None, measure, least
    if _RANK.search(text) and (_MOST.search(text) or _LEAST.search(text) or _SHARE.search(text) or "compar" in text):
        if group and re.search(rf"\b(?:which|what)\s+(?:{'|'.join(map(re.escape, _GROUPS[group]))})\b", text):
            return "top_value", group, measure, least
        return "rank", None, measure, least
    if group and (_TOP_VALUE.search(text) or re.search(r"\b(?:which|what)\b", text)):
        return "top_value", group, measure, least
    if _DESCRIBE.search(text):
        return "describe", None, measure, least
    if _FIND.search(text):
        return "find", None, measure, least
    return None, None, measure, least


def _group(text: str, *, anywhere: bool = False) -> str | None:
    """What a "which X is most common" question groups by: the first group word written after
    which/what (so "which brand runs the most offers" is not grouped by offer); ``anywhere`` for a
    trend ("what changed in their CTAs")."""
    asked = re.search(r"(.*)", text) if anywhere else re.search(r"\b(?:which|what)\s+(.*)", text)
    if not asked:
        asked = re.search(r"\b(?:most|least) (?:common|used|frequent|popular)\s+(.*)", text)
    if not asked:
        return None
    after = asked.group(1)
    best: tuple[int, str] | None = None
    for group, phrases in _GROUPS.items():
        for phrase in phrases:
            match = re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", after)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), group)
    if best is None or (best[0] > 24 and not anywhere):  # the word must be what is asked about, right after which/what
        return None
    return best[1]


def _window(text: str, today: date) -> tuple[Window | None, str]:
    """The period the text names, and the text without it."""
    month_names = "|".join(_MONTHS + [month[:3] for month in _MONTHS] + ["sept"])
    patterns: list[tuple[re.Pattern[str], object]] = [
        (re.compile(rf"\b(?:in|during|for)?\s*({month_names})\.?\s+(\d{{4}})\b"), _month_of),
        (re.compile(r"\b(?:in|during|for)?\s*(\d{4})-(\d{2})\b"), _iso_month),
        (re.compile(rf"\bsince\s+({month_names})\.?(?:\s+(\d{{4}}))?\b"), _since_month),
        (re.compile(r"\bsince\s+(?:the\s+)?(spring|summer|autumn|fall|winter)(?:\s+(\d{4}))?\b"), _since_season),
        (re.compile(r"\b(?:in the )?(?:last|past)\s+(\d{1,3})\s+(day|week|month)s?\b"), _last_n),
        (re.compile(r"\b(?:in the )?(?:last|past)\s+(day|week|month|year)\b"), _last_one),
        (re.compile(r"\bthis (month|year)\b"), _this),
        (re.compile(rf"\b(?:in|during)\s+({month_names})\b"), _month_this_year),
        (re.compile(r"\b(?:in|during)\s+(\d{4})\b"), _year),
    ]
    for pattern, build in patterns:
        found = pattern.search(text)
        if found:
            window = build(found, today)  # type: ignore[operator]
            if window is not None:
                return window, text[: found.start()] + " " + text[found.end() :]
    return None, text


def _month_number(name: str) -> int:
    return next(number for number, month in enumerate(_MONTHS, start=1) if month.startswith(name[:3]))


def _month_window(year: int, month: int, phrase: str) -> Window | None:
    if not 1 <= month <= 12 or not 1900 < year < 3000:
        return None
    end = date(year + (month == 12), month % 12 + 1, 1)
    return Window(start=date(year, month, 1), end=end, phrase=phrase)


def _month_of(found: re.Match[str], today: date) -> Window | None:
    month = _month_number(found.group(1))
    return _month_window(int(found.group(2)), month, f"in {_MONTHS[month - 1].title()} {found.group(2)}")


def _iso_month(found: re.Match[str], today: date) -> Window | None:
    year, month = int(found.group(1)), int(found.group(2))
    return _month_window(year, month, f"in {_MONTHS[month - 1].title()} {year}" if 1 <= month <= 12 else "")


def _month_this_year(found: re.Match[str], today: date) -> Window | None:
    month = _month_number(found.group(1))
    year = today.year if month <= today.month else today.year - 1
    return _month_window(year, month, f"in {_MONTHS[month - 1].title()} {year}")


def _since_month(found: re.Match[str], today: date) -> Window | None:
    month = _month_number(found.group(1))
    year = int(found.group(2)) if found.group(2) else (today.year if month <= today.month else today.year - 1)
    return Window(start=date(year, month, 1), phrase=f"since {_MONTHS[month - 1].title()} {year}")


def _since_season(found: re.Match[str], today: date) -> Window:
    month = _SEASON_START[found.group(1)]
    year = int(found.group(2)) if found.group(2) else (today.year if month <= today.month else today.year - 1)
    return Window(start=date(year, month, 1), phrase=f"since {_MONTHS[month - 1].title()} {year}")


def _last_n(found: re.Match[str], today: date) -> Window:
    count, unit = int(found.group(1)), found.group(2)
    days = count * {"day": 1, "week": 7, "month": 30}[unit]
    return Window(start=today - timedelta(days=days - 1), phrase=f"in the last {count} {unit}s")


def _last_one(found: re.Match[str], today: date) -> Window:
    unit = found.group(1)
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
    return Window(start=today - timedelta(days=days - 1), phrase=f"in the last {unit}")


def _this(found: re.Match[str], today: date) -> Window:
    if found.group(1) == "month":
        return Window(start=today.replace(day=1), phrase="this month")
    return Window(start=date(today.year, 1, 1), phrase="this year")


def _year(found: re.Match[str], today: date) -> Window | None:
    year = int(found.group(1))
    if not 1900 < year < 3000:
        return None
    return Window(start=date(year, 1, 1), end=date(year + 1, 1, 1), phrase=f"in {year}")


def today_utc() -> date:
    return datetime.now(UTC).date()
