"""Merging a fetched ad into its stored row, as pure rules: a creative is its file whatever role or
URL signature a fetch gives it, and the Meta API's delivery ranges win over the scraper's."""

from __future__ import annotations

from adology.acquisition.rows import StoredAd, merge_ad, plan_media
from adology.brands import Brand
from adology.sources.models import Connector, MediaKind, MediaRef, NormalizedAd, Range


def test_a_creative_is_its_file_whatever_role_or_signature_a_fetch_gives_it() -> None:
    stored = {
        "kind": "image",
        "role": "preview",
        "source_url": "http://library/media/1/0.jpg",
        "s3_key": "media/abc.jpg",
        "sha256": "abc",
    }
    existing = StoredAd(1, 1, {}, [stored], "hash", None, ["serpapi"])
    # the listing called it a video's preview; details name the same file the primary image
    again = NormalizedAd(
        source="google",
        source_ad_id="CR1",
        connector=Connector.SERPAPI,
        media=[MediaRef(kind=MediaKind.IMAGE, role="primary", url="http://library/media/1/0.jpg?signature=new")],
    )
    plan = plan_media(again, existing)
    assert plan.to_fetch == [] and plan.entries == [stored]


def test_the_meta_apis_delivery_ranges_win_over_the_scrapers_for_the_same_ad() -> None:
    brand = Brand(1, "b", "B", "analyzed", ())
    official = Range(lower=1000, upper=4999)
    scraped = Range(lower=1000, upper=4000, text="1K-4K")

    def fetched(connector: Connector, impressions: Range) -> NormalizedAd:
        return NormalizedAd(source="meta", source_ad_id="1", connector=connector, impressions=impressions)

    first = merge_ad(brand, fetched(Connector.META, official), None, [])
    current = StoredAd(1, 1, first, [], first["content_hash"], None, ["meta"])
    assert merge_ad(brand, fetched(Connector.APIFY, scraped), current, [])["impressions_range"] == official.model_dump()
    only_scraped = StoredAd(1, 1, first | {"impressions_range": None}, [], first["content_hash"], None, ["apify"])
    assert (
        merge_ad(brand, fetched(Connector.APIFY, scraped), only_scraped, [])["impressions_range"]
        == scraped.model_dump()
    )
    updated = Range(lower=5000, upper=9999)
    assert merge_ad(brand, fetched(Connector.META, updated), current, [])["impressions_range"] == updated.model_dump()
