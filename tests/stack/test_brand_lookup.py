"""Brand onboarding lookups against the real ad library server: a brand's name (whole, partial, in
another case or without its accents), its domain or its Facebook page id finds it on Meta, Apify and
SerpApi, merged into one candidate with each source's handle; an unknown name finds nothing; a
source that is down or not configured is reported while the others answer; input that cannot be
looked up is refused with :class:`BrandQueryError`. The library answers the searches in the real
APIs' shapes.

The library is the stack's default one (its seed, ads and brands), served on its own port: the
lookups need no store, so they do not wait on the rest of the stack."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from adology.settings import Settings
from adology.sources.lookup import BrandCandidate, BrandQueryError, LookupResult, lookup_brand_sync
from adology.sources.models import Connector
from simulators.ad_sources.catalog import Catalog
from simulators.ad_sources.server import LibraryServer


@pytest.fixture(scope="module")
def library_url(make_settings: Callable[..., Settings]) -> Iterator[str]:
    """The ad library server with the catalog ``adology stack up`` serves by default."""
    defaults = make_settings("lookup-library")
    catalog = Catalog.generate(seed=defaults.library_seed, ads=defaults.library_ads, brands=defaults.library_brands)
    with LibraryServer(catalog) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def lookup_settings(make_settings: Callable[..., Settings], library_url: str) -> Settings:
    """Settings whose three sources are the library, with the local credentials."""
    return make_settings(
        "lookup", META_API_BASE_URL=library_url, APIFY_BASE_URL=library_url, SERPAPI_BASE_URL=library_url
    )


@pytest.fixture(scope="module")
def library_brands(library_url: str) -> dict[str, dict[str, Any]]:
    """The library's brands by name, with their handles on each source."""
    return {brand["name"]: brand for brand in httpx.get(f"{library_url}/brands").json()}


def _handles(candidate: BrandCandidate) -> dict[Connector, set[str]]:
    handles: dict[Connector, set[str]] = {}
    for match in candidate.matches:
        handles.setdefault(match.connector, set()).add(match.handle)
    return handles


def _expected_handles(brand: dict[str, Any]) -> dict[Connector, set[str]]:
    return {Connector(source): {handles["handle"]} for source, handles in brand["sources"].items()}


def _candidate_of(result: LookupResult, brand: dict[str, Any]) -> BrandCandidate:
    return next(c for c in result.candidates if any(m.handle == brand["sources"]["meta"]["handle"] for m in c.matches))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_brand_name_finds_one_candidate_with_every_source_handle(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]]
) -> None:
    brand = library_brands["Glow Botanicals"]
    result = lookup_brand_sync(lookup_settings, "Glow Botanicals")
    assert result.failures == {} and result.query == "Glow Botanicals"
    best = result.candidates[0]
    assert best.name == "Glow Botanicals" and best.domain == brand["domain"]
    assert _handles(best) == _expected_handles(brand)
    assert all(match.ads_seen > 0 for match in best.matches)
    assert best.score == max(c.score for c in result.candidates) and 0 < best.score <= 1


@pytest.mark.parametrize("typed", ["glow", "GLOW botan", "  botanicals   GLOW "])
def test_a_partial_name_in_any_case_finds_the_brand_first(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]], typed: str
) -> None:
    result = lookup_brand_sync(lookup_settings, typed)
    assert result.candidates[0].name == "Glow Botanicals"
    assert _handles(result.candidates[0]) == _expected_handles(library_brands["Glow Botanicals"])


def test_accents_punctuation_and_ampersands_are_ignored(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]]
) -> None:
    accented = lookup_brand_sync(lookup_settings, "Maison Vérité")
    assert accented.candidates[0].name == "Maison Verite"
    assert _handles(accented.candidates[0]) == _expected_handles(library_brands["Maison Verite"])
    spelled_out = lookup_brand_sync(lookup_settings, "petal and pout!")
    assert spelled_out.candidates[0].name == "Petal & Pout"


def test_a_name_no_source_knows_finds_no_candidate(lookup_settings: Settings) -> None:
    result = lookup_brand_sync(lookup_settings, "Quixotic Zebra Holdings")
    assert result.candidates == () and result.failures == {}


def test_a_domain_finds_the_brand_whatever_name_is_typed(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]]
) -> None:
    brand = library_brands["Lumen Lab"]
    result = lookup_brand_sync(lookup_settings, "LL Skincare Holdings", domain=f"https://www.{brand['domain']}/shop")
    (candidate,) = result.candidates
    assert candidate.domain == brand["domain"]
    assert _handles(candidate)[Connector.SERPAPI] == {brand["sources"]["serpapi"]["advertiser_id"]}


def test_a_page_id_confirms_its_page_and_ranks_it_first(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]]
) -> None:
    lumen, dune = library_brands["Lumen Lab"], library_brands["Dune Skin Co"]
    page_id = lumen["sources"]["meta"]["page_id"]
    confirmed = lookup_brand_sync(lookup_settings, "Lumen", facebook_page_id=page_id)
    unconfirmed = lookup_brand_sync(lookup_settings, "Lumen")
    assert _handles(confirmed.candidates[0]) == _expected_handles(lumen)
    assert confirmed.candidates[0].score > unconfirmed.candidates[0].score
    # a page id pointing at another brand than the name keeps that brand among the candidates
    crossed = lookup_brand_sync(lookup_settings, "Lumen Lab", facebook_page_id=dune["sources"]["meta"]["page_id"])
    assert {c.name for c in crossed.candidates} == {"Lumen Lab", "Dune Skin Co"}
    assert _candidate_of(crossed, dune).matches[0].connector is Connector.META


def test_a_source_that_is_down_is_reported_while_the_others_answer(
    lookup_settings: Settings, library_brands: dict[str, dict[str, Any]]
) -> None:
    down = lookup_settings.model_copy(update={"serpapi_base_url": f"http://127.0.0.1:{_closed_port()}"})
    result = lookup_brand_sync(down, "Glow Botanicals")
    assert set(result.failures) == {"serpapi"} and "failed" in result.failures["serpapi"]
    assert "local-serpapi-key" not in result.failures["serpapi"]
    expected = _expected_handles(library_brands["Glow Botanicals"])
    del expected[Connector.SERPAPI]
    assert _handles(result.candidates[0]) == expected


def test_a_source_without_credentials_is_reported_as_not_configured(lookup_settings: Settings) -> None:
    unconfigured = lookup_settings.model_copy(update={"apify_token": None})
    result = lookup_brand_sync(unconfigured, "Glow Botanicals")
    assert result.failures == {"apify": "not configured: set APIFY_BASE_URL, APIFY_TOKEN"}
    assert {m.connector for m in result.candidates[0].matches} == {Connector.META, Connector.SERPAPI}


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("", {}, "empty"),
        ("   \t ", {}, "empty"),
        ("x" * 201, {}, "at most 200"),
        ("!!! ???", {}, "no letter or digit"),
        ("Glow", {"facebook_page_id": "glowbotanicals"}, "digits only"),
        ("Glow", {"facebook_page_id": "12 34"}, "digits only"),
        ("Glow", {"domain": "not a domain"}, "is not a domain"),
        ("Glow", {"limit": 0}, "1 to 50"),
    ],
)
def test_input_that_cannot_be_looked_up_is_refused(
    lookup_settings: Settings, name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(BrandQueryError, match=message):
        lookup_brand_sync(lookup_settings, name, **options)


def test_the_library_answers_lookups_in_the_real_shapes(
    library_url: str, library_brands: dict[str, dict[str, Any]]
) -> None:
    brand = library_brands["Petal & Pout"]
    meta = httpx.get(
        f"{library_url}/v21.0/ads_archive",
        params={
            "access_token": "t",
            "search_terms": "PETAL pout",
            "search_type": "KEYWORD_UNORDERED",
            "ad_reached_countries": '["ALL"]',
            "fields": "page_id,page_name",
            "limit": 5,
        },
    ).json()
    assert {"id", "page_id", "page_name"} == set(meta["data"][0]) and "next" in meta["paging"]
    assert any(ad["page_id"] == brand["sources"]["meta"]["page_id"] for ad in meta["data"])
    exact = httpx.get(
        f"{library_url}/v21.0/ads_archive",
        params={"access_token": "t", "search_terms": "pout petal", "search_type": "KEYWORD_EXACT_PHRASE"},
    ).json()
    assert exact["data"] == []

    search_url = (
        "https://www.facebook.com/ads/library/?active_status=all&ad_type=all&country=ALL"
        "&q=petal&search_type=keyword_unordered"
    )
    run = httpx.post(
        f"{library_url}/v2/acts/curious_coder~facebook-ads-library-scraper/runs",
        headers={"Authorization": "Bearer t"},
        json={"urls": [{"url": search_url}], "count": 3},
    ).json()["data"]
    items = httpx.get(f"{library_url}/v2/datasets/{run['defaultDatasetId']}/items").json()
    assert len(items) == 3 and {item["page_name"] for item in items} == {"Petal & Pout"}

    listing = httpx.get(
        f"{library_url}/search.json",
        params={"engine": "google_ads_transparency_center", "text": brand["domain"], "api_key": "k"},
    ).json()
    advertisers = {(c["advertiser_id"], c["advertiser"]) for c in listing["ad_creatives"]}
    assert advertisers == {(brand["sources"]["serpapi"]["advertiser_id"], "Petal & Pout")}
