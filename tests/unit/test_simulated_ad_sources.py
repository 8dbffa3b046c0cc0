"""The local ad library: a deterministic, varied catalog whose style shifts over time; creatives that
decode at the right aspect (images) and have hard scene cuts (videos); and a server that answers,
over real HTTP, in the payload shapes of the Meta Ad Library API, Apify's two Facebook Ads Library
scrapers and SerpApi, with paging, signed expiring media and the documented fault endpoints; and an
access log that never shows a credential a client sent in a URL.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from adology.sources.apify import parse_apify_items
from adology.sources.meta import parse_meta_page
from simulators.ad_sources import Catalog, LibraryServer, MediaSigner, clear_cache, render_image, render_video
from simulators.ad_sources.catalog import APIFY_CAMEL_ACTOR, APIFY_SNAKE_ACTOR, Ad, Brand
from simulators.ad_sources.render import IMAGE_SIZES

TOKEN = "local-token"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.generate()


@pytest.fixture(scope="module")
def signer() -> MediaSigner:
    return MediaSigner(b"test-secret")


@pytest.fixture(scope="module")
def server(catalog: Catalog, signer: MediaSigner) -> Iterator[LibraryServer]:
    with LibraryServer(catalog, signer=signer) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: LibraryServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def _brand(catalog: Catalog, shift: str) -> Brand:
    return next(b for b in catalog.brands if b.shift == shift)


def _first(catalog: Catalog, display_format: str) -> Ad:
    return next(a for a in catalog.ads if a.display_format == display_format)


# Catalog.


def test_same_seed_gives_the_same_catalog_and_identical_bytes() -> None:
    first, second = Catalog.generate(seed=11), Catalog.generate(seed=11)
    assert first.brands == second.brands and first.ads == second.ads
    video = _first(first, "VIDEO")
    clear_cache()
    image, clip = render_image(first.ads[0]), render_video(video)
    clear_cache()
    assert render_image(second.ads[0]) == image
    assert render_video(_first(second, "VIDEO")) == clip
    other = Catalog.generate(seed=12)
    assert [a.ad_id for a in other.ads] != [a.ad_id for a in first.ads]


def test_catalog_is_varied(catalog: Catalog) -> None:
    assert len(catalog.brands) >= 5 and len(catalog.ads) == 500
    assert len({b.early.palette for b in catalog.brands}) == len(catalog.brands)
    assert {b.category for b in catalog.brands} == {"skincare"}
    assert all(3 <= len(b.products) <= 6 for b in catalog.brands)
    assert all(b.meta_page_id.isdigit() for b in catalog.brands)
    assert all(b.google_advertiser_id[:2] == "AR" and len(b.google_advertiser_id) == 22 for b in catalog.brands)
    assert {b.apify_actor for b in catalog.brands} == {APIFY_SNAKE_ACTOR, APIFY_CAMEL_ACTOR}

    formats = Counter(a.display_format for a in catalog.ads)
    assert formats["IMAGE"] > len(catalog.ads) / 2
    # 5 % video everywhere, plus the video brand's turn to a majority of video after its pivot
    # (a fifth of the ads, a third of them late): about 9 % in all
    assert 0.05 <= formats["VIDEO"] / len(catalog.ads) <= 0.13
    assert formats["CAROUSEL"] and formats["DPA"]
    assert all(2 <= len(a.cards) <= 4 for a in catalog.ads if a.display_format in ("CAROUSEL", "DPA"))
    assert all(a.body == "{{product.name}}" for a in catalog.ads if a.display_format == "DPA")
    assert {a.aspect for a in catalog.ads} == set(IMAGE_SIZES)
    assert {a.image_format for a in catalog.ads} == {"jpeg", "png"}

    offers = {a.offer for a in catalog.ads}
    assert {"50% OFF", "FREE SHIPPING", "BUY 1 GET 1 FREE", None} <= offers
    assert {"SHOP NOW", "LEARN MORE", "SIGN UP", "GET OFFER"} == {a.cta for a in catalog.ads}
    assert any("48 HOURS ONLY" in a.headline for a in catalog.ads)
    assert all(a.link_url.startswith(f"https://www.{a.brand.domain}/") for a in catalog.ads)
    assert all(a.ad_id.isdigit() for a in catalog.ads) and len({a.ad_id for a in catalog.ads}) == 500
    google = [a for a in catalog.ads if a.google_creative_id]
    assert 0.2 <= len(google) / len(catalog.ads) <= 0.4
    assert all(str(a.google_creative_id).startswith("CR") and len(str(a.google_creative_id)) == 22 for a in google)
    assert any(a.is_active for a in catalog.ads) and any(not a.is_active for a in catalog.ads)
    starts = [a.started_at for a in catalog.ads]
    assert 330 <= (max(starts) - min(starts)) / 86_400 <= 366


def test_brand_styles_shift_over_time(catalog: Catalog) -> None:
    def share(ads: list[Ad], predicate: Any) -> float:
        return sum(map(predicate, ads)) / len(ads)

    reference = catalog.reference.timestamp()
    first_quarter = lambda a: a.started_at < reference - 270 * 86_400  # noqa: E731
    last_quarter = lambda a: a.started_at >= reference - 90 * 86_400  # noqa: E731

    promo = [a for a in catalog.ads if a.brand == _brand(catalog, "promo")]
    early, late = [a for a in promo if first_quarter(a)], [a for a in promo if last_quarter(a)]
    assert share(late, lambda a: a.offer is not None) - share(early, lambda a: a.offer is not None) > 0.3
    assert not any("48 HOURS ONLY" in a.headline for a in early)

    # video and carousels turn from a few percent to most of the brand's ads: a step a brand of
    # about a hundred ads shows beyond chance
    video = [a for a in catalog.ads if a.brand == _brand(catalog, "video")]
    early, late = [a for a in video if first_quarter(a)], [a for a in video if last_quarter(a)]
    is_video = lambda a: a.display_format == "VIDEO"  # noqa: E731
    assert share(early, is_video) < 0.15 and share(late, is_video) > 0.4
    assert share(late, is_video) > share(early, is_video) + 0.35
    assert share(late, lambda a: a.aspect == "9:16") > 0.5  # made for stories and reels

    carousel = [a for a in catalog.ads if a.brand == _brand(catalog, "carousel")]
    early, late = [a for a in carousel if first_quarter(a)], [a for a in carousel if last_quarter(a)]
    has_cards = lambda a: a.display_format in ("CAROUSEL", "DPA")  # noqa: E731
    assert share(early, has_cards) < 0.3 and share(late, has_cards) > 0.45
    assert share(late, has_cards) > share(early, has_cards) + 0.35

    palette = _brand(catalog, "palette")
    assert palette.early.palette != palette.late.palette
    assert {a.style.palette for a in catalog.ads if a.brand == palette} == {palette.early.palette, palette.late.palette}


def test_catalog_scales_to_ten_thousand_ads(record_property: Any) -> None:
    started = time.perf_counter()
    big = Catalog.generate(seed=3, ads=10_000, brands=20)
    record_property("catalog_10k_seconds", round(time.perf_counter() - started, 3))
    assert len(big.ads) == 10_000 and len(big.brands) == 20
    assert len({a.ad_id for a in big.ads}) == 10_000
    assert len({b.slug for b in big.brands}) == 20
    assert sum(len(big.ads_of(b)) for b in big.brands) == 10_000


# Creatives.


def test_images_decode_at_their_aspect_ratio(catalog: Catalog) -> None:
    sample = {(a.aspect, a.image_format, bool(a.cards)): a for a in catalog.ads}.values()
    sizes = []
    for ad in sample:
        data = render_image(ad)
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == ("PNG" if ad.image_format == "png" else "JPEG")
        width, height = image.size
        ratio_w, ratio_h = (float(x) for x in ad.aspect.split(":"))
        assert abs(width / height - ratio_w / ratio_h) < 0.02
        assert 500 <= width <= 800
        sizes.append(len(data))
        assert render_image(ad) == data
    assert all(10_000 <= s <= 400_000 for s in sizes)
    assert 20_000 <= statistics.median(sizes) <= 300_000
    carousel = _first(catalog, "CAROUSEL")
    cards = {render_image(carousel, n) for n in range(len(carousel.cards))}
    assert len(cards) == len(carousel.cards)
    with pytest.raises(IndexError):
        render_image(carousel, len(carousel.cards))


def test_video_has_hard_cuts_and_a_short_duration(catalog: Catalog, tmp_path: Path) -> None:
    ad = _first(catalog, "VIDEO")
    path = tmp_path / "ad.mp4"
    path.write_bytes(render_video(ad))
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame.astype(np.int16))
    capture.release()
    assert 10 <= fps <= 15
    assert 2.0 <= len(frames) / fps <= 4.0
    height, width = frames[0].shape[:2]
    assert 240 <= max(width, height) <= 640
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    cuts = [d for d in diffs if d > 20 and d > 10 * statistics.median(diffs)]
    assert len(cuts) >= 1  # two scenes or more


# Server: brands and health.


def test_health_and_brands(http: httpx.Client, catalog: Catalog) -> None:
    assert http.get("/healthz").text == "ok"
    brands = http.get("/brands").json()
    assert [b["partition_key"] for b in brands] == [b.slug for b in catalog.brands]
    first = brands[0]
    assert first["category"] == "skincare"
    assert first["sources"]["meta"]["page_id"] == catalog.brands[0].meta_page_id
    assert first["sources"]["apify"]["actor_id"] in (APIFY_SNAKE_ACTOR, APIFY_CAMEL_ACTOR)
    assert first["sources"]["serpapi"]["advertiser_id"].startswith("AR")


# Server: Meta Ad Library API.


def test_meta_pages_through_a_brand(http: httpx.Client, catalog: Catalog) -> None:
    brand = catalog.brands[0]
    params: dict[str, Any] | None = {"search_page_ids": brand.meta_page_id, "limit": 25, "access_token": TOKEN}
    url, ids, pages = "/v21.0/ads_archive", [], 0
    items: list[dict[str, Any]] = []
    while url:
        response = http.get(url, params=params)
        assert response.status_code == 200
        body = response.json()
        items += body["data"]
        pages += 1
        assert set(body["paging"]["cursors"]) == {"before", "after"}
        url, params = body["paging"].get("next"), None
        assert url is None or f"access_token={TOKEN}" in url
    ids = [item["id"] for item in items]
    assert ids == [a.ad_id for a in catalog.ads_of(brand)] and pages == -(-len(ids) // 25)
    ads, failures = parse_meta_page({"data": items})  # the project's own parser reads every item
    assert failures == []
    assert all(f"access_token={TOKEN}" in item["ad_snapshot_url"] for item in items)
    assert any(ad.ended_at for ad in ads) and any(ad.is_active for ad in ads)
    assert all(ad.started_at and ad.started_at.tzinfo for ad in ads)
    assert any(ad.spend for ad in ads)
    assert all("image" not in key and "video" not in key for item in items for key in item)


def test_meta_fields_errors_and_unknown_pages(http: httpx.Client, catalog: Catalog) -> None:
    page_id = catalog.brands[1].meta_page_id
    params = {"search_page_ids": page_id, "fields": "id,page_name", "access_token": TOKEN}
    narrow = http.get("/v21.0/ads_archive", params=params)
    assert set(narrow.json()["data"][0]) == {"id", "page_name"}
    missing = http.get("/v21.0/ads_archive", params={"search_page_ids": page_id})
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert (error["type"], error["code"]) == ("OAuthException", 190) and error["message"] and error["fbtrace_id"]
    unknown = http.get("/v21.0/ads_archive", params={"search_page_ids": "1", "access_token": TOKEN})
    assert unknown.status_code == 200 and unknown.json() == {"data": []}
    all_ads = [a for b in catalog.brands for a in catalog.ads_of(b)]
    assert any(a.impressions and a.impressions[1] is None for a in all_ads)


# Server: Apify.


def _start_run(http: httpx.Client, actor: str, page_id: str, count: int | None = None) -> httpx.Response:
    url = f"https://www.facebook.com/ads/library/?active_status=all&ad_type=all&view_all_page_id={page_id}"
    body: dict[str, Any] = {"urls": [{"url": url}]}
    if count is not None:
        body["count"] = count
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return http.post(f"/v2/acts/{actor}/runs", params={"waitForFinish": 60}, json=body, headers=headers)


@pytest.mark.parametrize("actor", [APIFY_SNAKE_ACTOR, APIFY_CAMEL_ACTOR])
def test_apify_run_and_dataset_in_the_actor_shape(http: httpx.Client, catalog: Catalog, actor: str) -> None:
    brand = catalog.brands[2]
    run = _start_run(http, actor, brand.meta_page_id, count=60)
    assert run.status_code == 201
    data = run.json()["data"]
    assert data["status"] == "SUCCEEDED" and data["defaultDatasetId"]
    assert http.get(f"/v2/actor-runs/{data['id']}").json()["data"]["defaultDatasetId"] == data["defaultDatasetId"]
    url = f"/v2/datasets/{data['defaultDatasetId']}/items"
    items = http.get(url, params={"format": "json", "clean": "true"}).json()
    assert len(items) == 60
    paged = http.get(url, params={"format": "json", "clean": "true", "offset": 50, "limit": 20})
    assert len(paged.json()) == 10 and paged.headers["X-Apify-Pagination-Total"] == "60"
    camel = actor == APIFY_CAMEL_ACTOR
    first = items[0]
    assert ("adArchiveID" in first) == camel and ("ad_archive_id" in first) != camel
    assert set(first) - {"adArchiveID", "ad_archive_id", "pageID", "page_id", "snapshot"}  # many extra fields
    ads, failures = parse_apify_items(items)
    assert failures == []
    assert [a.source_ad_id for a in ads] == [a.ad_id for a in catalog.ads_of(brand)[:60]]
    assert all(a.media for a in ads)
    assert all(p.isupper() for item in items for p in item["publisherPlatform" if camel else "publisher_platform"])
    index_key = "impressionsWithIndex" if camel else "impressions_with_index"
    assert any(item[index_key]["impressionsIndex" if camel else "impressions_index"] == -1 for item in items)

    by_format = {a.display_format: a for a in ads}
    image = http.get(by_format["IMAGE"].media[0].url)
    assert image.status_code == 200 and image.headers["content-type"] in ("image/jpeg", "image/png")
    assert int(image.headers["content-length"]) == len(image.content)
    Image.open(io.BytesIO(image.content)).verify()
    if "VIDEO" in by_format:
        video = http.get(by_format["VIDEO"].media[0].url)
        assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"


def test_apify_requires_a_token(http: httpx.Client, catalog: Catalog) -> None:
    response = http.post(f"/v2/acts/{APIFY_SNAKE_ACTOR}/runs", json={"urls": [{"url": "https://x"}], "count": 1})
    assert response.status_code == 401 and response.json()["error"]["type"] == "token-not-provided"


def test_either_actor_fetches_any_brand(http: httpx.Client, catalog: Catalog) -> None:
    snake_brand = next(b for b in catalog.brands if b.apify_actor == APIFY_SNAKE_ACTOR)
    run = _start_run(http, APIFY_CAMEL_ACTOR, snake_brand.meta_page_id, count=3).json()["data"]
    items = http.get(f"/v2/datasets/{run['defaultDatasetId']}/items").json()
    assert len(items) == 3 and all(item["pageID"] == snake_brand.meta_page_id for item in items)


def test_apify_carousel_and_dpa_copy_lives_in_cards(http: httpx.Client, catalog: Catalog) -> None:
    dpa = _first(catalog, "DPA")
    ads = catalog.ads_of(dpa.brand)
    run = _start_run(http, APIFY_SNAKE_ACTOR, dpa.brand.meta_page_id).json()["data"]
    items = http.get(f"/v2/datasets/{run['defaultDatasetId']}/items").json()
    assert len(items) == len(ads)
    item = next(i for i in items if i["ad_archive_id"] == dpa.ad_id)
    snapshot = item["snapshot"]
    assert snapshot["display_format"] == "DPA" and snapshot["body"]["text"] == "{{product.name}}"
    assert [c["title"] for c in snapshot["cards"]] == [c.title for c in dpa.cards]
    card = http.get(snapshot["cards"][-1]["original_image_url"])
    assert card.status_code == 200 and card.content == render_image(dpa, len(dpa.cards) - 1)


# Server: SerpApi.


def _google_listing(http: httpx.Client, catalog: Catalog) -> list[dict[str, Any]]:
    """Every brand's creatives in one comma-separated request (up to 100)."""
    ids = ",".join(b.google_advertiser_id for b in catalog.brands)
    params = {"engine": "google_ads_transparency_center", "advertiser_id": ids, "num": 100, "api_key": "k"}
    return http.get("/search.json", params=params).json()["ad_creatives"]


def test_serpapi_listing_pages_and_details(http: httpx.Client, catalog: Catalog) -> None:
    brand = catalog.brands[0]
    expected = [a.google_creative_id for a in catalog.google_ads_of(brand)]
    params: dict[str, Any] = {
        "engine": "google_ads_transparency_center",
        "advertiser_id": brand.google_advertiser_id,
        "num": 5,
        "api_key": "k",
    }
    creatives: list[dict[str, Any]] = []
    while True:
        body = http.get("/search.json", params=params).json()
        assert body["search_metadata"]["status"] == "Success" and body["search_parameters"]["advertiser_id"]
        creatives += body["ad_creatives"]
        token = body.get("serpapi_pagination", {}).get("next_page_token")
        if not token:
            break
        params["next_page_token"] = token
    assert [c["ad_creative_id"] for c in creatives] == expected
    for creative in creatives:
        assert creative["advertiser_id"] == brand.google_advertiser_id and creative["advertiser"] == brand.name
        assert creative["format"] in ("image", "video", "text")
        assert ("image" in creative) == (creative["format"] != "text")
        assert creative["first_shown"] <= creative["last_shown"] and creative["total_days_shown"] >= 1
        assert creative["details_link"].startswith("https://adstransparency.google.com/")
    assert any("target_domain" not in c for c in _google_listing(http, catalog))

    image = next(c for c in creatives if c["format"] == "image")
    fetched = http.get(image["image"])
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (image["width"], image["height"])
    details = http.get(image["serpapi_details_link"] + "&api_key=k").json()
    assert details["search_information"]["format"] == "image" and details["search_information"]["regions"]
    variant = details["ad_creatives"][0]
    assert {"headline", "long_headline", "image", "call_to_action", "link", "visible_link"} <= set(variant)


def test_serpapi_details_for_text_and_video(http: httpx.Client, catalog: Catalog) -> None:
    expected = {"text": {"title", "snippet", "visible_link", "link"}, "video": {"video_link", "video_duration"}}
    for fmt, keys in expected.items():
        ad = next(a for a in catalog.ads if a.google_format == fmt)
        params = {
            "engine": "google_ads_transparency_center_ad_details",
            "advertiser_id": ad.brand.google_advertiser_id,
            "creative_id": ad.google_creative_id,
            "api_key": "k",
        }
        body = http.get("/search.json", params=params).json()
        assert body["search_information"]["format"] == fmt
        assert keys <= set(body["ad_creatives"][0])


def test_serpapi_errors(http: httpx.Client) -> None:
    params = {"engine": "google_ads_transparency_center", "advertiser_id": "AR00000000000000000000"}
    assert http.get("/search.json", params=params).status_code == 401
    assert "Invalid API key" in http.get("/search.json", params=params).json()["error"]
    unknown = http.get("/search.json", params=params | {"api_key": "k"})
    assert unknown.status_code == 200
    assert unknown.json()["error"].startswith("Google Ads Transparency Center hasn't returned any results")
    assert unknown.json()["search_metadata"]["status"] == "Success"


# Server: signed media.


def test_media_signatures_expire(http: httpx.Client, catalog: Catalog, signer: MediaSigner) -> None:
    ad = _first(catalog, "IMAGE")
    path = f"/media/{ad.ad_id}/0.{ad.image_ext}"
    good = http.get(signer.sign(path))
    assert good.status_code == 200 and good.content == render_image(ad)
    expired = http.get(signer.sign(path, expires=int(time.time()) - 5))
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code>" in expired.text and "Request has expired" in expired.text
    tampered = http.get(signer.sign(path).replace("sig=", "sig=0"))
    assert tampered.status_code == 403 and "AccessDenied" in tampered.text
    unsigned = http.get(path)
    assert unsigned.status_code == 403
    assert http.get(signer.sign("/media/999/0.jpg")).status_code == 404


def test_the_access_log_shows_no_credential_it_was_sent(catalog: Catalog, signer: MediaSigner, tmp_path: Path) -> None:
    """The sources' clients send their credentials in the URL, as the real services expect."""
    sent = {"access_token": "meta-secret-token", "api_key": "serpapi-secret-key", "token": "apify-secret-token"}
    ad = _first(catalog, "IMAGE")
    access = logging.getLogger("adology.simulators.ad_sources.access")
    log_file = logging.FileHandler(tmp_path / "library.log")
    level = access.level
    access.addHandler(log_file)
    access.setLevel(logging.INFO)
    try:
        with (
            LibraryServer(catalog, signer=signer, access_log=True) as running,
            httpx.Client(base_url=running.base_url, timeout=10) as client,
        ):
            client.get("/v21.0/ads_archive", params={"access_token": sent["access_token"], "search_terms": "x"})
            client.get("/search.json", params={"api_key": sent["api_key"], "engine": "google_ads_transparency_center"})
            client.post(f"/v2/acts/{APIFY_CAMEL_ACTOR}/runs", params={"token": sent["token"]}, json={})
            signed = signer.sign(f"/media/{ad.ad_id}/0.{ad.image_ext}")
            client.get(signed)
    finally:
        access.removeHandler(log_file)
        access.setLevel(level)
        log_file.close()
    logged = (tmp_path / "library.log").read_text()
    assert len(logged.splitlines()) == 4
    assert "access_token=***&search_terms=x" in logged and "api_key=***" in logged and "token=***" in logged
    assert [secret for secret in [*sent.values(), signed.rsplit("sig=", 1)[1]] if secret in logged] == []


# Server: faults.


def test_fault_endpoints(http: httpx.Client) -> None:
    assert http.get("/faults/404").status_code == 404

    assert [http.get("/faults/flaky/k1", params={"failures": 2}).status_code for _ in range(3)] == [500, 500, 200]
    assert http.get("/faults/flaky/k1", params={"failures": 2}).headers["content-type"] == "image/jpeg"

    started = time.perf_counter()
    slow = http.get("/faults/slow", params={"seconds": 0.3})
    assert time.perf_counter() - started >= 0.3 and slow.content[:2] == b"\xff\xd8"

    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/faults/cut")

    html = http.get("/faults/html")
    assert html.headers["content-type"] == "image/jpeg" and html.content.lstrip().startswith(b"<!DOCTYPE html>")

    with http.stream("GET", "/faults/big", params={"bytes": 3_000_000, "declare": 1}) as declared:
        assert declared.headers["content-length"] == "3000000"
        assert sum(len(chunk) for chunk in declared.iter_bytes()) == 3_000_000
    with http.stream("GET", "/faults/big", params={"bytes": 1_000_000, "declare": 0}) as chunked:
        assert "content-length" not in chunked.headers and chunked.headers["transfer-encoding"] == "chunked"
        body = b"".join(chunked.iter_bytes())
        assert len(body) == 1_000_000 and body[:2] == b"\xff\xd8"

    malformed = http.get("/faults/malformed-page")
    assert malformed.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        malformed.json()

    expired = http.get("/faults/expired")
    assert expired.status_code == 403 and "Request has expired" in expired.text

    redirect = http.get("/faults/redirect", params={"to": "http://169.254.169.254/latest/meta-data/"})
    assert redirect.status_code == 302 and redirect.headers["location"] == "http://169.254.169.254/latest/meta-data/"

    empty = http.get("/faults/empty")
    assert empty.status_code == 200 and empty.content == b"" and empty.headers["content-type"] == "image/jpeg"

    control = http.get("/faults/image.jpg")
    assert Image.open(io.BytesIO(control.content)).format == "JPEG"
