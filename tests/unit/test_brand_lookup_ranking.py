"""The merge and rank rules of brand lookups, on matches built here: names compared without case,
accents, punctuation or legal suffixes; matches of one brand (same name, same domain, same Facebook
page) merged across sources; candidates ranked by how well the name fits and how many sources agree;
advertisers whose name does not resemble the query dropped unless the domain or page id given points
at them; and input that cannot be looked up refused before any source is asked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adology.settings import load_settings
from adology.sources.lookup import (
    BrandQueryError,
    SourceMatch,
    brand_key,
    lookup_brand,
    matches_from_ads,
    name_similarity,
    normalize_domain,
    rank_candidates,
)
from adology.sources.models import Connector, NormalizedAd

META, APIFY, SERPAPI = Connector.META, Connector.APIFY, Connector.SERPAPI


def match(connector: Connector, handle: str, name: str, domain: str | None = None, ads_seen: int = 10) -> SourceMatch:
    return SourceMatch(connector=connector, handle=handle, name=name, domain=domain, ads_seen=ads_seen)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maison Vérité", "MAISON   verite"),
        ("Petal & Pout", "petal and pout"),
        ("Nike, Inc.", "nike"),
        ("Dune Skin Co", "Dune-Skin Co."),
        ("L'Oréal", "l oreal"),
    ],
)
def test_brand_keys_ignore_case_accents_punctuation_spacing_and_legal_suffixes(a: str, b: str) -> None:
    assert brand_key(a) == brand_key(b) and name_similarity(a, b) == 1.0


def test_a_suffix_alone_is_still_a_name() -> None:
    assert brand_key("Co") == "co" and brand_key("!!!") == ""


def test_partial_names_and_typos_fit_better_than_other_names() -> None:
    assert name_similarity("glow", "Glow Botanicals") > name_similarity("glow", "Petal & Pout")
    assert name_similarity("Glow Botanical", "Glow Botanicals") > name_similarity("glow", "Glow Botanicals")
    assert name_similarity("glow", "Petal & Pout") < 0.5 <= name_similarity("botanicals glow", "Glow Botanicals")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("glowbotanicals.example", "glowbotanicals.example"),
        ("https://WWW.GlowBotanicals.Example/products/x?utm=1", "glowbotanicals.example"),
        ("www.shop.example.com:8443", "shop.example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("Shop now", None),
        ("localhost", None),
        ("127.0.0.1", None),
        ("", None),
    ],
)
def test_domains_are_hosts_without_www(text: str, expected: str | None) -> None:
    assert normalize_domain(text) == expected


def test_one_brand_on_three_sources_is_one_candidate() -> None:
    (candidate,) = rank_candidates(
        "Glow Botanicals",
        [
            match(META, "111", "Glow Botanicals", "glowbotanicals.example", 56),
            match(APIFY, "111", "Glow Botanicals", "glowbotanicals.example", 40),
            match(SERPAPI, "AR1", "GLOW BOTANICALS LLC", "glowbotanicals.example", 10),
        ],
    )
    assert candidate.name == "Glow Botanicals" and candidate.domain == "glowbotanicals.example"
    assert [(m.connector, m.handle) for m in candidate.matches] == [(META, "111"), (APIFY, "111"), (SERPAPI, "AR1")]
    assert candidate.score == pytest.approx(0.85)


def test_matches_merge_by_domain_and_by_facebook_page_whatever_their_names() -> None:
    (candidate,) = rank_candidates(
        "Glow",
        [
            match(META, "111", "Glow Botanicals"),
            match(APIFY, "111", "Glow Botanicals Official", "glowbotanicals.example"),  # same page, another name
            match(SERPAPI, "AR1", "GB Holdings Ltd", "glowbotanicals.example"),  # same domain, another name
        ],
    )
    assert {(m.connector, m.handle) for m in candidate.matches} == {(META, "111"), (APIFY, "111"), (SERPAPI, "AR1")}
    assert candidate.name == "Glow Botanicals" and candidate.domain == "glowbotanicals.example"


def test_different_brands_stay_apart_and_the_better_name_ranks_first() -> None:
    candidates = rank_candidates(
        "Glow Botanicals",
        [
            match(META, "222", "Glow Botanicals Outlet", "outlet.example", 90),
            match(META, "111", "Glow Botanicals", "glowbotanicals.example", 5),
        ],
    )
    assert [c.name for c in candidates] == ["Glow Botanicals", "Glow Botanicals Outlet"]


def test_sources_agreeing_rank_a_candidate_up() -> None:
    candidates = rank_candidates(
        "Glow",
        [
            match(META, "111", "Glow Shop", "glowshop.example"),
            match(META, "222", "Glow Lab", "glowlab.example"),
            match(SERPAPI, "AR2", "Glow Lab", "glowlab.example"),
        ],
    )
    assert [c.name for c in candidates] == ["Glow Lab", "Glow Shop"]
    assert candidates[0].score > candidates[1].score


def test_names_unlike_the_query_are_dropped_unless_the_domain_or_page_id_points_at_them() -> None:
    found = [
        match(META, "111", "Petal & Pout", "petalpout.example"),
        match(META, "222", "Lumen Lab", "lumenlab.example"),
        match(META, "333", "Glow Botanicals", "glowbotanicals.example"),
    ]
    assert [c.name for c in rank_candidates("glow", found)] == ["Glow Botanicals"]
    by_domain = rank_candidates("glow", found, domain="https://www.petalpout.example/")
    assert [c.name for c in by_domain] == ["Glow Botanicals", "Petal & Pout"]
    by_page = rank_candidates("glow", found, facebook_page_id="222")
    assert {c.name for c in by_page} == {"Glow Botanicals", "Lumen Lab"}


def test_a_pointed_at_candidate_outranks_an_equal_name() -> None:
    candidates = rank_candidates(
        "Lumen Lab", [match(META, "111", "Lumen Lab", "a.example"), match(APIFY, "222", "Lumen Lab", "b.example")]
    )
    assert len(candidates) == 1  # same name: one brand, though two pages
    confirmed = rank_candidates("Lumen Lab", [match(META, "111", "Lumen Lab")], facebook_page_id="111")
    assert confirmed[0].score > rank_candidates("Lumen Lab", [match(META, "111", "Lumen Lab")])[0].score


def test_the_limit_and_duplicate_handles() -> None:
    found = [match(META, str(n), f"Glow {n}", f"glow{n}.example") for n in range(20)]
    assert len(rank_candidates("glow", found, limit=3)) == 3
    (candidate,) = rank_candidates("glow", [match(META, "1", "Glow", ads_seen=3), match(META, "1", "Glow", ads_seen=7)])
    assert [m.ads_seen for m in candidate.matches] == [7]


def test_matches_from_ads_count_each_ad_once_and_read_names_and_domains() -> None:
    def ad(ad_id: str, page: str | None, name: str | None, **fields: object) -> NormalizedAd:
        return NormalizedAd(
            source="meta", source_ad_id=ad_id, connector=META, advertiser_id=page, advertiser_name=name, **fields
        )

    ads = [
        ad("1", "111", "Glow Botanicals", raw={"ad_creative_link_captions": ["Shop now", "GLOWBOTANICALS.EXAMPLE"]}),
        ad("1", "111", "Glow Botanicals"),  # the same ad, seen by a second search
        ad("2", "111", "Glow Botanicals", link_url="https://www.glowbotanicals.example/p"),
        ad("3", "111", "Glow Botanicals Old"),
        ad("4", None, "No page"),
    ]
    (found,) = matches_from_ads(META, ads)
    assert found == SourceMatch(META, "111", "Glow Botanicals", "glowbotanicals.example", 3)


@pytest.mark.parametrize(
    ("name", "options"),
    [("", {}), ("a" * 201, {}), ("Glow", {"facebook_page_id": "12a"}), ("Glow", {"domain": "no domain"})],
)
def test_bad_input_is_refused_before_any_source_is_asked(tmp_path: Path, name: str, options: dict) -> None:
    settings = load_settings({"ADOLOGY_STATE_DIR": str(tmp_path), "META_API_BASE_URL": "http://127.0.0.1:9"})
    with pytest.raises(BrandQueryError):
        asyncio.run(lookup_brand(settings, name, **options))
