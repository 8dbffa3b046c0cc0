"""The evidence for a plan: structured queries over the brandspace's ads (their current descriptions,
labels, formats, platforms, start dates), retrieval by meaning, and the brands' stored insights.

Every finding is a :class:`~adology.ai.summaries.Fact` whose statement writes its numbers in the forms
the citation checks accept and whose ``ad_ids`` are the ads it rests on. The facts come in order of
importance: the first answers the question. What matches a plan is decided in SQL by one predicate
(:func:`matching`), which the checks run again on the ads an answer cites.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adology.ai.answers import MAX_EVIDENCE_ADS, EvidenceAd
from adology.ai.summaries import Fact
from adology.knowledge.inquire.question import Condition, Plan, Window
from adology.knowledge.insights.model import BrandInsights, Trend
from adology.knowledge.insights.store import latest_insights
from adology.serving.search import similar_ads

CITABLE = 25  # evidence ads kept per fact (an answer cites a few; a remote writer gets them as an enum)
# cosine similarity a retrieved ad must reach to count as about the topic without naming it: on the
# local WordLlama vectors a description about the topic scores about 0.4, an unrelated one under 0.3
SEMANTIC_FLOOR = 0.35
SEMANTIC_CANDIDATES = 100
_GROUP_NAMES = {
    "cta_type": "call to action",
    "offer_type": "offer",
    "format": "format",
    "tone": "tone",
    "emotional_appeal": "emotional appeal",
    "color_palette_name": "colour palette",
    "platform": "platform",
    "seasonality": "season",
}
_NO_VALUE = {None, "", "none", "other", "unknown"}


@dataclass(frozen=True)
class ScopeBrand:
    id: int
    key: str
    name: str
    role: str


@dataclass(frozen=True)
class Scope:
    """The brandspace an answer may draw on: its brands, and the ones the question narrowed it to."""

    brandspace_id: uuid.UUID
    name: str
    brands: tuple[ScopeBrand, ...]  # every brand of the brandspace
    asked: tuple[ScopeBrand, ...]  # the brands the question names, or all of them

    @property
    def brand_ids(self) -> list[int]:
        return [brand.id for brand in self.asked]

    def phrase(self) -> str:
        if len(self.asked) == len(self.brands) and len(self.brands) > 1:
            return f"the {self.name} brandspace"
        return _joined([brand.name for brand in self.asked])

    def named(self) -> dict[str, float | int | str]:
        """The asked brands' names as a value (a name may hold digits an answer writes)."""
        return {"brands": ", ".join(brand.name for brand in self.asked)}


@dataclass
class Evidence:
    """What the answer may rest on. ``result`` is the finding in structured form (what the question
    asked for), ``supported`` False when nothing in the brandspace answers it; ``predicates`` keeps,
    per fact, the plan its ads must match (checked again against the database)."""

    facts: list[Fact] = field(default_factory=list)
    result: dict[str, Any] | None = None
    supported: bool = True
    predicates: dict[str, Plan] = field(default_factory=dict)
    similarity: dict[int, float] = field(default_factory=dict)


def _joined(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _ads(count: int) -> str:
    return "1 ad" if count == 1 else f"{count} ads"


def _among(scope: Scope) -> str:
    phrase = scope.phrase()
    return f"in {phrase}" if phrase.startswith("the ") else f"among {_possessive(phrase)} ads"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def context_values(scope: Scope, plan: Plan) -> dict[str, float | int | str]:
    """Values every fact of a plan may write: the brands' names, the window's dates."""
    values: dict[str, float | int | str] = dict(scope.named())
    for index, condition in enumerate(plan.conditions):
        if condition.kind == "text":
            values[f"text_{index}"] = condition.value
    if plan.window and plan.window.start:
        values["window_start"] = plan.window.start.isoformat()
    if plan.window and plan.window.end:
        values["window_end"] = plan.window.end.isoformat()
    return values


def conditions_phrase(plan: Plan) -> str:
    parts = [condition.describe() for condition in plan.conditions]
    if plan.topic:
        parts.append(f'about "{plan.topic}"')
    if plan.window:
        parts.append(plan.window.describe())
    return " ".join(parts)


def matching(plan: Plan, params: dict[str, Any]) -> sql.Composable:
    """The SQL predicate an ad (``a``, with its current description's attributes ``c``) must satisfy
    for ``plan``'s conditions and window; ``params`` receives the values."""
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    for index, condition in enumerate(plan.conditions):
        clauses.append(_condition(condition, f"c{index}", params))
    if plan.window:
        clauses.extend(_window(plan.window, params))
    return sql.SQL(" AND ").join(clauses)


def _condition(condition: Condition, name: str, params: dict[str, Any]) -> sql.Composable:
    params[name] = condition.value
    value = sql.Placeholder(name)
    if condition.kind == "attribute":
        return sql.SQL("lower(c.attributes ->> {}) = lower({})").format(sql.Literal(condition.name), value)
    if condition.kind == "any_offer":
        return sql.SQL("coalesce(c.attributes ->> 'offer_type', 'none') NOT IN ('none', '')")
    if condition.kind == "any_of":
        return sql.SQL("lower(c.attributes ->> {}) = ANY(string_to_array({}, ','))").format(
            sql.Literal(condition.name), value
        )
    if condition.kind == "flag":
        return sql.SQL("c.attributes ->> {} = 'true'").format(sql.Literal(condition.name))
    if condition.kind == "label":
        return sql.SQL("EXISTS (SELECT 1 FROM ad_labels l WHERE l.ad_id = a.id AND l.label = {})").format(value)
    if condition.kind == "format":
        return sql.SQL("lower(a.display_format) = {}").format(value)
    if condition.kind == "platform":
        return sql.SQL("{} = ANY(a.platforms)").format(value)
    params[name] = "%" + _like_escaped(" ".join(condition.value.lower().split())) + "%"
    return sql.SQL("{} LIKE {}").format(SEARCHABLE_TEXT, value)


# what an ad says, in words: its copy, the headline and the text read from its creatives
SEARCHABLE_TEXT = sql.SQL(
    "regexp_replace(lower(concat_ws(' ', a.title, a.body, a.cta, c.attributes ->> 'headline', "
    "(SELECT string_agg(line, ' ') FROM jsonb_array_elements_text("
    "CASE WHEN jsonb_typeof(c.attributes -> 'text_read') = 'array' THEN c.attributes -> 'text_read' "
    "ELSE '[]'::jsonb END) AS line))), '\\s+', ' ', 'g')"
)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _window(window: Window, params: dict[str, Any]) -> list[sql.Composable]:
    clauses: list[sql.Composable] = []
    if window.start:
        params["window_start"] = window.start
        clauses.append(sql.SQL("a.started_at >= {}").format(sql.Placeholder("window_start")))
    if window.end:
        params["window_end"] = window.end
        clauses.append(sql.SQL("a.started_at < {}").format(sql.Placeholder("window_end")))
    return clauses


CURRENT_DESCRIPTIONS = sql.SQL(
    """current AS (
         SELECT DISTINCT ON (d.ad_id) d.ad_id, d.attributes
         FROM ad_descriptions d JOIN ads x ON x.id = d.ad_id
         WHERE x.brand_id = ANY({brands})
         ORDER BY d.ad_id, d.created_at DESC)"""
)


def _ad_rows(conn: psycopg.Connection, brand_ids: list[int], plan: Plan, group: str | None) -> list[dict[str, Any]]:
    """One row per ad of ``brand_ids`` in the plan's window: whether it matches the conditions,
    whether it is described, its start, and the value of ``group``."""
    params: dict[str, Any] = {"brands": brand_ids}
    conditions = Plan(conditions=plan.conditions)
    window = Plan(window=plan.window)
    if group == "format":
        group_sql: sql.Composable = sql.SQL("lower(a.display_format)")
    elif group == "platform":
        group_sql = sql.SQL("array_to_string(a.platforms, ',')")
    elif group:
        group_sql = sql.SQL("lower(c.attributes ->> {})").format(sql.Literal(group))
    else:
        group_sql = sql.SQL("NULL")
    statement = sql.SQL(
        """WITH {current}
           SELECT a.id, a.brand_id, a.started_at, c.ad_id IS NOT NULL AS described, a.spend_range,
                  a.impressions_range, a.source,
                  ({matches}) AS matches, {group} AS group_value
           FROM ads a LEFT JOIN current c ON c.ad_id = a.id
           WHERE a.brand_id = ANY({brands}) AND {window}
           ORDER BY a.started_at DESC NULLS LAST, a.id DESC"""
    ).format(
        current=CURRENT_DESCRIPTIONS.format(brands=sql.Placeholder("brands")),
        matches=matching(conditions, params),
        group=group_sql,
        brands=sql.Placeholder("brands"),
        window=matching(window, params),
    )
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(statement, params).fetchall()


def gather(
    conn: psycopg.Connection, scope: Scope, plan: Plan, *, query_vector: tuple[list[float], str] | None
) -> Evidence:
    """The evidence for ``plan`` over ``scope``'s asked brands (``query_vector``: the topic's
    retrieval vector and model, for a search with a topic)."""
    if plan.intent == "count":
        return _count(conn, scope, plan)
    if plan.intent == "spend" or (plan.intent == "rank" and plan.measure in ("spend", "impressions")):
        return _disclosed(conn, scope, plan)
    if plan.intent == "rank":
        return _rank(conn, scope, plan)
    if plan.intent == "top_value":
        return _top_value(conn, scope, plan)
    if plan.intent == "trend":
        return _trend(conn, scope, plan)
    if plan.intent == "describe":
        return _describe(conn, scope, plan)
    return _find(conn, scope, plan, query_vector)


def _ids(rows: Sequence[dict[str, Any]]) -> list[int]:
    return [int(row["id"]) for row in rows][:CITABLE]


def _count(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    rows = _ad_rows(conn, scope.brand_ids, plan, None)
    matched = [row for row in rows if row["matches"]]
    what = conditions_phrase(plan)
    evidence = Evidence(result={"kind": "count", "value": len(matched)})
    headline_values: dict[str, float | int | str] = {"ads": len(matched), "total": len(rows)}
    headline_values |= context_values(scope, plan)
    if rows:
        headline_values["share"] = len(matched) / len(rows)
    statement = (
        f"{scope.phrase()} ran {_ads(len(matched))} {what}".rstrip()
        + (f", {_pct(len(matched) / len(rows))} of its {len(rows)} ads" if rows and what else "")
        + ("" if rows else " (no ads in that period)")
    )
    evidence.facts.append(
        Fact(id="count", kind="count", statement=statement, values=headline_values, ad_ids=_ids(matched))
    )
    evidence.predicates["count"] = plan
    if len(scope.asked) > 1:
        for brand in scope.asked:
            own = [row for row in rows if row["brand_id"] == brand.id]
            hits = [row for row in own if row["matches"]]
            fact_id = f"count:{brand.key}"
            evidence.facts.append(
                Fact(
                    id=fact_id,
                    kind="count",
                    statement=f"{brand.name}: {len(hits)} of {len(own)} ads",
                    values={"ads": len(hits), "total": len(own), "brand": brand.name, **context_values(scope, plan)},
                    ad_ids=_ids(hits),
                    brand=brand.key,
                )
            )
            evidence.predicates[fact_id] = plan
    return evidence


def _rank(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    rows = _ad_rows(conn, scope.brand_ids, plan, None)
    what = conditions_phrase(plan) or "in total"
    per_brand = []
    for brand in scope.asked:
        own = [row for row in rows if row["brand_id"] == brand.id]
        hits = [row for row in own if row["matches"]]
        per_brand.append((brand, hits, len(own), len(hits) / len(own) if own else 0.0))
    if not any(hits for _, hits, _, _ in per_brand):
        return _nothing(scope, plan)
    by = (lambda item: (item[3], len(item[1]))) if plan.measure == "share" else (lambda item: (len(item[1]), item[3]))
    ranked = sorted(per_brand, key=by, reverse=not plan.least)
    evidence = Evidence()
    # a tie is on the measure asked for (the other only orders the tied)
    leaders = [item for item in ranked if by(item)[0] == by(ranked[0])[0]]
    word = "least" if plan.least else "most"
    for position, (brand, hits, total, share) in enumerate(ranked):
        fact_id = f"brand:{brand.key}"
        if position == 0:
            tied = f" (tied with {_joined([item[0].name for item in leaders[1:]])})" if len(leaders) > 1 else ""
            if plan.measure == "share":
                statement = (
                    f"{brand.name} leans {word} on ads {what}: {_pct(share)} of its ads ({len(hits)} of {total}){tied}"
                )
            else:
                statement = (
                    f"{brand.name} runs the {word} ads {what}: {len(hits)} of its {total} ads ({_pct(share)}){tied}"
                )
        else:
            statement = f"{brand.name}: {len(hits)} of {total} ads ({_pct(share)})"
        evidence.facts.append(
            Fact(
                id=fact_id,
                kind="comparison",
                statement=statement,
                values={
                    "ads": len(hits),
                    "total": total,
                    "share": share,
                    "brand": brand.name,
                    **context_values(scope, plan),
                },
                ad_ids=_ids(hits),
                brand=brand.key,
            )
        )
        evidence.predicates[fact_id] = plan
    evidence.result = {"kind": "brand", "value": ranked[0][0].key, "tied": [item[0].key for item in leaders[1:]]}
    return evidence


@dataclass(frozen=True)
class _Disclosed:
    """What a brand's ads disclose of a range (spend or impressions), summed."""

    brand: ScopeBrand
    ads: list[dict[str, Any]]  # the ads that disclose it
    total: int  # the brand's ads asked about
    lower: int
    upper: int | None  # None when an ad's range is open-ended
    currencies: list[str]

    @property
    def midpoint(self) -> float:
        return self.lower if self.upper is None else (self.lower + self.upper) / 2

    def range_text(self) -> str:
        money = f" {'/'.join(self.currencies)}" if self.currencies else ""
        if self.upper is None:
            return f"at least {self.lower:,}{money}"
        return f"{self.lower:,} to {self.upper:,}{money}"


def _disclosed_of(brand: ScopeBrand, rows: list[dict[str, Any]], column: str) -> _Disclosed:
    own = [row for row in rows if row["brand_id"] == brand.id and row["matches"]]
    ranges = [
        (row, row[column]) for row in own if isinstance(row[column], dict) and row[column].get("lower") is not None
    ]
    uppers = [bounds.get("upper") for _, bounds in ranges]
    return _Disclosed(
        brand=brand,
        ads=[row for row, _ in ranges],
        total=len(own),
        lower=sum(int(bounds["lower"]) for _, bounds in ranges),
        upper=None if any(upper is None for upper in uppers) else sum(int(upper) for upper in uppers),
        currencies=sorted({str(bounds["currency"]) for _, bounds in ranges if bounds.get("currency")}),
    )


def _disclosed(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    """Disclosed spend or impression ranges per brand, summed over the ads that disclose them, with
    their basis: the ranges the ad libraries publish (Meta's, for ads in the EU and political ads);
    an ad without one is unknown, not zero."""
    column = "spend_range" if plan.measure == "spend" else "impressions_range"
    noun = "spend" if plan.measure == "spend" else "impressions"
    rows = _ad_rows(conn, scope.brand_ids, plan, None)
    sums = [_disclosed_of(brand, rows, column) for brand in scope.asked]
    if not any(item.ads for item in sums):
        return _nothing(scope, plan, f"{conditions_phrase(plan)} discloses its {noun}".lstrip())
    ranked = sorted(sums, key=lambda item: (item.midpoint, len(item.ads)), reverse=not plan.least)
    context = context_values(scope, plan)
    evidence = Evidence()
    what = conditions_phrase(plan)
    for position, item in enumerate(ranked):
        fact_id = f"{noun}:{item.brand.key}"
        detail = f"{item.range_text()} disclosed {noun} on {len(item.ads)} of its {item.total} ads {what}".rstrip()
        if position == 0 and plan.intent == "rank":
            word = "least" if plan.least else "most"
            statement = f"{item.brand.name} has the {word} disclosed {noun} (by the ranges' midpoints): {detail}"
        else:
            statement = f"{item.brand.name}: {detail}"
        if position == 0:
            statement += (
                "; the ranges are the ones the ad libraries publish, and an ad without one is unknown, not zero"
            )
        values: dict[str, float | int | str] = {"lower": item.lower, "ads": len(item.ads), "total": item.total}
        if item.upper is not None:
            values["upper"] = item.upper
        values |= {"currency": "/".join(item.currencies), "brand": item.brand.name, **context}
        evidence.facts.append(
            Fact(id=fact_id, kind=noun, statement=statement, values=values, ad_ids=_ids(item.ads), brand=item.brand.key)
        )
        evidence.predicates[fact_id] = plan
    if plan.intent == "rank":
        evidence.result = {"kind": "brand", "value": ranked[0].brand.key, "tied": []}
    else:
        evidence.result = {
            "kind": noun,
            "value": {item.brand.key: [item.lower, item.upper] for item in sums},
        }
    return evidence


def _top_value(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    group = plan.group_by or "cta_type"
    rows = _ad_rows(conn, scope.brand_ids, plan, group)
    counted = [row for row in rows if row["matches"] and (row["described"] or group in ("format", "platform"))]
    values: Counter[str] = Counter()
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in counted:
        for value in (row["group_value"] or "").split(",") if group == "platform" else [row["group_value"]]:
            if value not in _NO_VALUE:
                values[value] += 1
                examples[value].append(row)
    if not values:
        return _nothing(scope, plan, f"{conditions_phrase(plan)} has a known {_GROUP_NAMES[group]}".lstrip())
    ordered = sorted(values.items(), key=lambda item: (item[1] if plan.least else -item[1], item[0]))
    tied = [value for value, count in ordered[1:] if count == ordered[0][1]]
    what = conditions_phrase(plan)
    evidence = Evidence(result={"kind": "value", "group": group, "value": ordered[0][0], "tied": tied})
    name = _GROUP_NAMES[group]
    context = context_values(scope, plan)
    for position, (value, count) in enumerate(ordered[:3]):
        share = count / len(counted)
        fact_id = f"value:{group}:{value}"
        words = value.replace("_", " ")
        if position == 0:
            statement = (
                f"The {'least' if plan.least else 'most'} common {name} {_among(scope)} {what}".rstrip()
                + f" is {words}: {count} of {len(counted)} ads ({_pct(share)})"
            )
        else:
            statement = f"Next, {words}: {count} of {len(counted)} ads ({_pct(share)})"
        evidence.facts.append(
            Fact(
                id=fact_id,
                kind="distribution",
                statement=statement,
                values={"ads": count, "total": len(counted), "share": share, "value": value, "words": words, **context},
                ad_ids=_ids(examples[value]),
            )
        )
        evidence.predicates[fact_id] = plan.model_copy(
            update={"conditions": [*plan.conditions, _value_condition(group, value)]}
        )
    return evidence


def _value_condition(group: str, value: str) -> Condition:
    if group == "format":
        return Condition(kind="format", name="format", value=value, phrase=value)
    if group == "platform":
        return Condition(kind="platform", name="platform", value=value, phrase=value)
    return Condition(kind="attribute", name=group, value=value, phrase=value)


_TREND_FAMILIES = {"cta_type": ("cta",), "offer_type": ("offer", "offer_type"), "format": ("display", "format")}


def _trend(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    """Stored insights' change tests for the asked family, and the month-by-month share of the
    plan's conditions."""
    evidence = Evidence()
    families = set(_TREND_FAMILIES.get(plan.group_by or "", ()))
    signals = {f"label:{c.name}:{c.value}" for c in plan.conditions if c.kind == "label"}
    signals |= {c.name for c in plan.conditions if c.kind == "flag"}
    signals |= {f"cta:{c.value}" for c in plan.conditions if c.name == "cta_type"}
    signals |= {f"display:{c.value}" for c in plan.conditions if c.kind == "format"}
    found: list[tuple[ScopeBrand, Trend]] = []
    tested = 0
    for brand in scope.asked:
        stored = latest_insights(conn, brand.id)
        if stored is None:
            continue
        for trend in stored.insights.trends.trends:
            relevant = (not families and not signals) or trend.family in families or trend.signal in signals
            recent = plan.window is None or plan.window.start is None or trend.change_after >= plan.window.start
            if relevant and recent:
                tested += 1
                if trend.significant:
                    found.append((brand, trend))
    found.sort(key=lambda item: (item[1].q_value, -abs(item[1].effect_h)))
    context = context_values(scope, plan)
    for brand, trend in found[:4]:
        fact_id = f"trend:{brand.key}:{trend.signal}"
        words = trend.signal.replace("_", " ").replace(":", " ")
        evidence.facts.append(
            Fact(
                id=fact_id,
                kind="trend",
                statement=(
                    f"{brand.name}: {words} went {trend.direction} from {_pct(trend.share_before)} to "
                    f"{_pct(trend.share_after)} of its ads after {trend.change_after:%B %Y} (q={trend.q_value:.2g})"
                ),
                values={
                    "share_before": trend.share_before,
                    "share_after": trend.share_after,
                    "change_after": trend.change_after.isoformat(),
                    "q_value": trend.q_value,
                    "signal": words,
                    "brand": brand.name,
                    **context,
                },
                ad_ids=list(trend.evidence_ad_ids),
                brand=brand.key,
            )
        )
    if plan.conditions:
        series = _monthly_share(conn, scope, plan)
        if series is not None:
            evidence.facts.append(series)
            evidence.predicates[series.id] = plan.model_copy(update={"window": None})
    subject = _GROUP_NAMES.get(plan.group_by or "", "") or conditions_phrase(plan.model_copy(update={"window": None}))
    if not evidence.facts:
        when = f" {plan.window.describe()}" if plan.window else ""
        evidence.facts.append(
            Fact(
                id="trend:none",
                kind="trend",
                statement=(
                    f"The stored insights of {scope.phrase()} show no significant change in {subject or 'their ads'}"
                    f"{when} ({tested} signals tested)"
                ),
                values={"tested": tested, **context_values(scope, plan)},
                ad_ids=[],
            )
        )
    evidence.result = {"kind": "trend", "value": [fact.id for fact in evidence.facts if fact.id.startswith("trend:")]}
    return evidence


def _monthly_share(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Fact | None:
    """The share of the brands' ads meeting the conditions, per month the ads started, over the
    window (or the last six months with ads)."""
    rows = [row for row in _ad_rows(conn, scope.brand_ids, plan, None) if row["started_at"] is not None]
    months: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        months[row["started_at"].date().replace(day=1)].append(row)
    chosen = sorted(months)[-6:]
    if len(chosen) < 2:
        return None
    values: dict[str, float | int | str] = {}
    parts = []
    cited: list[dict[str, Any]] = []
    for index, month in enumerate(chosen):
        hits = [row for row in months[month] if row["matches"]]
        share = len(hits) / len(months[month])
        values |= {f"month_{index}": month.isoformat(), f"share_{index}": share, f"ads_{index}": len(hits)}
        values[f"total_{index}"] = len(months[month])
        parts.append(f"{month:%b %Y} {_pct(share)} ({len(hits)} of {len(months[month])})")
        cited += hits
    what = conditions_phrase(plan.model_copy(update={"window": None}))
    return Fact(
        id="series",
        kind="trend",
        statement=f"Share of {_possessive(scope.phrase())} ads {what} by month they started: " + ", ".join(parts),
        values={**values, **scope.named()},
        ad_ids=_ids(sorted(cited, key=lambda row: row["started_at"], reverse=True)),
    )


def _describe(conn: psycopg.Connection, scope: Scope, plan: Plan) -> Evidence:
    evidence = Evidence()
    brands = scope.asked if len(scope.asked) < len(scope.brands) else _primary_first(scope)[:1]
    for brand in brands:
        stored = latest_insights(conn, brand.id)
        if stored is None or stored.insights.ads_counted == 0:
            continue
        evidence.facts.extend(_insight_facts(brand, stored.insights))
    if not evidence.facts:
        return _nothing(scope, plan, "has stored insights yet")
    evidence.result = {"kind": "overview", "value": [brand.key for brand in brands]}
    return evidence


def _primary_first(scope: Scope) -> list[ScopeBrand]:
    order = {"primary": 0, "competitor": 1, "followed": 2}
    return sorted(scope.asked, key=lambda brand: (order.get(brand.role, 3), brand.name))


def _insight_facts(brand: ScopeBrand, insights: BrandInsights) -> list[Fact]:
    facts: list[Fact] = []
    base = {"brand": brand.name}
    momentum = insights.momentum
    facts.append(
        Fact(
            id=f"overview:{brand.key}",
            kind="momentum",
            statement=(
                f"{brand.name} has {_ads(insights.ads_counted)} analysed, {momentum.active_ads} still active; "
                f"{momentum.new_30d} started in the 30 days before {momentum.as_of.date().isoformat()}"
            ),
            values={
                "ads": insights.ads_counted,
                "active": momentum.active_ads,
                "new_30d": momentum.new_30d,
                "days": 30,
                "as_of": momentum.as_of.date().isoformat(),
                **base,
            },
            ad_ids=list(momentum.proven.ad_ids),
            brand=brand.key,
        )
    )
    facts.extend(
        Fact(
            id=f"theme:{brand.key}:{theme.id}",
            kind="theme",
            statement=f'{_possessive(brand.name)} theme "{theme.name}" covers {_pct(theme.share)} of its ads',
            values={"share": theme.share, "name": theme.name, **base},
            ad_ids=list(theme.exemplar_ad_ids) + [ad for ad in theme.ad_ids if ad not in theme.exemplar_ad_ids],
            brand=brand.key,
        )
        for theme in insights.themes.themes[:3]
    )
    for distribution in insights.attributes.distributions:
        if distribution.attribute not in ("offer_type", "cta_type") or not distribution.values:
            continue
        top = next((item for item in distribution.values if item.value not in _NO_VALUE), None)
        if top is None:
            continue
        name = _GROUP_NAMES[distribution.attribute]
        facts.append(
            Fact(
                id=f"share:{brand.key}:{distribution.attribute}",
                kind="distribution",
                statement=(
                    f"{_possessive(brand.name)} most common {name} is {top.value.replace('_', ' ')}: "
                    f"{top.ads} of {distribution.known_ads} described ads ({_pct(top.share)})"
                ),
                values={
                    "ads": top.ads,
                    "total": distribution.known_ads,
                    "share": top.share,
                    "value": top.value,
                    "words": top.value.replace("_", " "),
                    **base,
                },
                ad_ids=list(top.ad_ids),
                brand=brand.key,
            )
        )
    for trend in insights.significant_trends()[:1]:
        words = trend.signal.replace("_", " ").replace(":", " ")
        facts.append(
            Fact(
                id=f"trend:{brand.key}:{trend.signal}",
                kind="trend",
                statement=(
                    f"{brand.name}: {words} went {trend.direction} from {_pct(trend.share_before)} to "
                    f"{_pct(trend.share_after)} after {trend.change_after:%B %Y}"
                ),
                values={
                    "share_before": trend.share_before,
                    "share_after": trend.share_after,
                    "change_after": trend.change_after.isoformat(),
                    "signal": words,
                    **base,
                },
                ad_ids=list(trend.evidence_ad_ids),
                brand=brand.key,
            )
        )
    return facts


def _find(conn: psycopg.Connection, scope: Scope, plan: Plan, query_vector: tuple[list[float], str] | None) -> Evidence:
    params: dict[str, Any] = {"brands": scope.brand_ids}
    predicate = matching(plan, params)
    topic_sql: sql.Composable = sql.SQL("TRUE")
    similarity: dict[int, float] = {}
    if plan.topic:
        near = _near(conn, scope, query_vector)
        similarity = near
        params["topic"] = plan.topic
        params["near"] = [ad_id for ad_id, score in near.items() if score >= SEMANTIC_FLOOR]
        # words of the topic in the copy or description (the ads_text_search index), or near it in meaning
        topic_sql = sql.SQL(
            "((a.copy_search || coalesce(a.description_search, ''::tsvector)) "
            "@@ plainto_tsquery('english', {topic}) OR a.id = ANY({near}))"
        ).format(topic=sql.Placeholder("topic"), near=sql.Placeholder("near"))
    statement = sql.SQL(
        """WITH {current}
           SELECT a.id FROM ads a LEFT JOIN current c ON c.ad_id = a.id
           WHERE a.brand_id = ANY({brands}) AND {predicate} AND {topic}
           ORDER BY a.started_at DESC NULLS LAST, a.id DESC"""
    ).format(
        current=CURRENT_DESCRIPTIONS.format(brands=sql.Placeholder("brands")),
        brands=sql.Placeholder("brands"),
        predicate=predicate,
        topic=topic_sql,
    )
    ids = [int(row[0]) for row in conn.execute(statement, params).fetchall()]
    if plan.topic:
        ids.sort(key=lambda ad_id: -similarity.get(ad_id, 0.0))
    if not ids:
        return _nothing(scope, plan)
    what = conditions_phrase(plan)
    evidence = Evidence(result={"kind": "ads", "value": ids[:CITABLE]}, similarity=similarity)
    evidence.facts.append(
        Fact(
            id="matches",
            kind="matches",
            statement=f"{scope.phrase()} has {_ads(len(ids))} {what}".rstrip(),
            values={"ads": len(ids), "topic": plan.topic or "", **context_values(scope, plan)},
            ad_ids=ids[:CITABLE],
        )
    )
    evidence.predicates["matches"] = plan.model_copy(update={"topic": None})
    return evidence


def _near(conn: psycopg.Connection, scope: Scope, query_vector: tuple[list[float], str] | None) -> dict[int, float]:
    """The asked brands' ads nearest the topic in meaning (HNSW over retrieval vectors), with their
    cosine similarity."""
    if query_vector is None:
        return {}
    vector, model = query_vector
    hits = similar_ads(conn, vector=vector, model=model, brand_ids=scope.brand_ids, limit=SEMANTIC_CANDIDATES)
    return {int(hit["id"]): float(hit["similarity"]) for hit in hits}


def _nothing(scope: Scope, plan: Plan, what: str | None = None) -> Evidence:
    """No ad supports an answer: say so ("Lumen Lab has no ads with a bogo offer"), or, with ``what``,
    what no ad does ("No ad of Lumen Lab discloses its spend")."""
    if what:
        statement = f"No ad of {scope.phrase()} {what}"
    else:
        subject = scope.phrase()
        plural = len(scope.asked) > 1 and not subject.startswith("the ")
        statement = f"{subject} {'have' if plural else 'has'} no ads {conditions_phrase(plan) or 'that match'}"
    return Evidence(
        facts=[Fact(id="none", kind="absence", statement=statement, values=context_values(scope, plan), ad_ids=[])],
        result={"kind": "none", "value": None},
        supported=False,
    )


def evidence_ads(conn: psycopg.Connection, ad_ids: Sequence[int]) -> list[EvidenceAd]:
    """The writer's view of the first ads the facts rest on: brand, headline and description."""
    wanted = list(dict.fromkeys(ad_ids))[:MAX_EVIDENCE_ADS]
    if not wanted:
        return []
    rows = conn.execute(
        """SELECT a.id, b.name, coalesce(a.title, ''), coalesce(d.description, '')
           FROM ads a JOIN brands b ON b.id = a.brand_id
           LEFT JOIN LATERAL (SELECT description FROM ad_descriptions WHERE ad_id = a.id
                              ORDER BY created_at DESC LIMIT 1) d ON TRUE
           WHERE a.id = ANY(%s)""",
        (wanted,),
    ).fetchall()
    by_id = {
        int(ad_id): EvidenceAd(ad_id=int(ad_id), brand=brand, summary=" ".join(f"{title}. {text}".split()[:80]))
        for ad_id, brand, title, text in rows
    }
    return [by_id[ad_id] for ad_id in wanted if ad_id in by_id]
