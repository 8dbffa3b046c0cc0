"""Whatever JSON a source sends, the three parsers answer with ads or per-item reasons, never an
exception, and what they answer can be stored.

Property-based: arbitrary JSON-like items (any nesting, huge and negative numbers, NaN, NUL
characters, unpaired surrogates, keys with ``$`` and ``.``) and mutations of the real saved
payloads in ``tests/fixtures/sources`` go through redaction and the Meta, Apify and SerpApi
parsers (listing and details). Each item becomes an ad or a failure at its own position with a
reason no rule failed to foresee ("unexpected ..." would be a parser bug); every ad serialises,
passes the ads table's checks, and its raw document is one MongoDB and montydb accept.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adology.acquisition.raw import ad_document
from adology.acquisition.rows import unstorable_reason
from adology.brands import Brand
from adology.errors import SourceError
from adology.sources.apify import parse_apify_items
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector, NormalizedAd, ParsedPage, ParseFailure
from adology.sources.redaction import redact_secrets
from adology.sources.serpapi import apply_serpapi_details, parse_serpapi_listing

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
BRAND = Brand(1, "fuzz-brand", "Fuzz Brand", "tracked", ())
# bounded run time: a few seconds for the whole module on a shared 2-core machine
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


Parser = Callable[[list[Any]], tuple[list[NormalizedAd], list[ParseFailure]]]
PARSERS: dict[str, tuple[Parser, Connector, list[dict[str, Any]]]] = {
    "meta": (
        lambda items: parse_meta_page({"data": items}),
        Connector.META,
        fixture("meta_ads_archive_page.json")["data"],
    ),
    "apify": (
        parse_apify_items,
        Connector.APIFY,
        fixture("apify_snake_case_items.json") + fixture("apify_camel_case_items.json"),
    ),
    "serpapi": (
        lambda items: parse_serpapi_listing({"ad_creatives": items}),
        Connector.SERPAPI,
        fixture("serpapi_listing_page1.json")["ad_creatives"] + fixture("serpapi_listing_page2.json")["ad_creatives"],
    ),
}
# every field name the fixtures use, so generated items hit the fields the parsers read
FIELD_NAMES = sorted(
    {
        key
        for _, _, items in PARSERS.values()
        for item in items
        for key in json.dumps(item).split('"')[1::2]
        if key.isidentifier()
    }
)

# values each rule is about, drawn often: a generic strategy would rarely make a 400-digit string
HOSTILE_TEXTS = [
    "",
    "\x00",
    "Serum\x00 sale",
    "half an emoji \ud83d",
    "\udc00",
    "\ud83d\ude00",
    "9" * 400,
    "9" * 5000,
    "99999999999999999999",
    "-1,000",
    "1K-5K",
    "<100",
    "$500 - $100",
    "1M+",
    "10,000,000,000B",
    "2024-03-01",
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+05:00",
    "-1000000000",
    "1e400",
    "{{product.name}}",
    "https://cdn.example/a.jpg?access_token=SECRET",
]
HOSTILE_NUMBERS = [-1, 0, -1_000_000_000, 10**20, -(10**20), 2**63, -(2**63) - 1, 10**400, 1e300, -1e300]
texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),  # surrogates and NULs included
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(["$where", "a.b", "a\x00b", "\ud800"]), texts)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=20,
)
items = st.dictionaries(keys, json_like, max_size=12)


def field_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        yield (*prefix, key)
        yield from field_paths(child, (*prefix, key))


@st.composite
def mutated_fixture_items(draw: st.DrawFn, fixture_items: list[dict[str, Any]]) -> dict[str, Any]:
    """A real saved item with a few of its fields (at any depth) replaced by hostile values."""
    item = copy.deepcopy(draw(st.sampled_from(fixture_items)))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(field_paths(item))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        container: Any = item
        for step in path[:-1]:
            container = container[step]
        container[path[-1]] = draw(json_like)
    return item


def assert_parsed_or_failed_alone(name: str, page_items: list[Any]) -> None:
    parse, connector, _ = PARSERS[name]
    ads, failures = parse(redact_secrets(page_items, ("SECRET",)))
    assert sorted([ad.position for ad in ads] + [failure.position for failure in failures]) == list(
        range(len(page_items))
    )
    for failure in failures:
        assert failure.reason and not failure.reason.startswith("unexpected"), failure.reason
        json.dumps(failure.model_dump(), ensure_ascii=False).encode()  # storable as it is
    page = ParsedPage(connector=connector, request="http://source/page", payload={}, ads=ads)
    for ad in ads:
        assert unstorable_reason(ad) is None, ad
        ad.model_dump_json()
        bson.encode(ad_document(BRAND, page, ad, datetime.now(UTC)), check_keys=True)


@pytest.mark.parametrize("name", PARSERS)
@EXAMPLES
@given(data=st.data())
def test_arbitrary_items_parse_or_fail_alone(name: str, data: st.DataObject) -> None:
    assert_parsed_or_failed_alone(name, data.draw(st.lists(st.one_of(items, json_like), max_size=4)))


@pytest.mark.parametrize("name", PARSERS)
@EXAMPLES
@given(data=st.data())
def test_mutated_real_items_parse_or_fail_alone(name: str, data: st.DataObject) -> None:
    fixture_items = PARSERS[name][2]
    page_items = data.draw(st.lists(mutated_fixture_items(fixture_items), min_size=1, max_size=3))
    assert_parsed_or_failed_alone(name, [*fixture_items[:1], *page_items])


@EXAMPLES
@given(data=st.data())
def test_arbitrary_serpapi_details_merge_or_raise_a_source_error(data: st.DataObject) -> None:
    listed = parse_serpapi_listing(fixture("serpapi_listing_page1.json"))[0][1]
    details = data.draw(
        st.one_of(
            mutated_fixture_items([fixture("serpapi_details_text.json"), fixture("serpapi_details_video.json")]),
            json_like,
        )
    )
    outcome: NormalizedAd | str
    try:
        outcome = apply_serpapi_details(listed, redact_secrets(details))
    except SourceError as exc:
        outcome = str(exc)
    if isinstance(outcome, str):
        assert "unexpected" not in outcome
    else:
        assert unstorable_reason(outcome) is None
        outcome.model_dump_json()
