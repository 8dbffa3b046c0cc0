"""Decode limits read from headers: an image declaring more pixels than may be decoded, or a video
whose container declares frames too large or a run too long, is refused with ``media_too_large``
before it is decoded, by the local provider and by the pictures the OpenAI and Bedrock providers
prepare; a video whose container under-declares its length is stopped once its decoded frames pass
the limit."""

from __future__ import annotations

import asyncio
import io
import resource

import pytest
from PIL import Image

from adology.ai import media_limits
from adology.ai.local import video as local_video
from adology.ai.local.provider import LocalProvider
from adology.ai.local.video import measure_video
from adology.ai.local.vision import measure_image
from adology.ai.media_limits import VideoHeader
from adology.ai.providers.media import Picture, as_png_or_jpeg, first_frame_jpeg
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind
from simulators.ad_sources import Catalog
from simulators.ad_sources.render import render_video


@pytest.fixture(scope="module")
def pixel_bomb() -> bytes:
    """A real PNG of 20,000 × 20,000 one-bit pixels: tens of kilobytes on disk, 1.2 GB decoded as BGR."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def video() -> bytes:
    catalog = Catalog.generate(seed=7, ads=60, brands=5)
    return render_video(next(ad for ad in catalog.ads if ad.display_format == "VIDEO"))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(pixel_bomb: bytes) -> None:
    assert len(pixel_bomb) < 1_000_000
    before = _peak_rss_mib()
    with pytest.raises(AIError) as refused:
        measure_image(pixel_bomb)
    assert refused.value.reason == "media_too_large" and "400000000 pixels" in refused.value.detail
    assert _peak_rss_mib() - before < 200  # the 1.2 GB decode never happened


def test_the_local_provider_fails_the_ad_with_the_reason(pixel_bomb: bytes) -> None:
    ad = AdInput(
        ad_id="bomb",
        brand="Bomb",
        creatives=[CreativeInput.from_bytes(pixel_bomb, kind=CreativeKind.IMAGE, content_type="image/png")],
    )
    with pytest.raises(AIError) as refused:
        asyncio.run(LocalProvider().describe(ad))
    assert refused.value.reason == "media_too_large"


def test_a_video_declaring_a_run_too_long_is_refused_before_decoding(
    video: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_limits, "MAX_VIDEO_SECONDS", 1.0)  # the library's videos run 2.5 to 3.5 s
    with pytest.raises(AIError) as refused:
        measure_video(video)
    assert refused.value.reason == "media_too_large" and "s), over the limit" in refused.value.detail


def test_a_video_declaring_frames_too_large_is_refused(video: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_limits, "MAX_FRAME_PIXELS", 100 * 100)
    with pytest.raises(AIError, match="pixels a frame"):
        measure_video(video)
    assert first_frame_jpeg(video, "video/mp4") is None  # what the OpenAI and Bedrock providers would show


def test_a_video_that_hides_its_length_is_stopped_by_its_decoded_frames(
    video: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_limits, "MAX_VIDEO_FRAMES", 10)  # the library's videos have 30 to 42 frames
    monkeypatch.setattr(
        local_video, "declared_header", lambda capture: VideoHeader(width=320, height=568, fps=12.0, frames=0)
    )
    with pytest.raises(AIError, match="decoding stopped"):
        measure_video(video)


def test_a_video_within_the_limits_is_measured(video: bytes) -> None:
    measured = measure_video(video)
    assert measured.frame_count > 0 and measured.scene_count >= 1


def test_a_picture_too_large_to_convert_is_not_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "red").save(buffer, format="GIF")
    gif = Picture(buffer.getvalue(), "image/gif")
    assert as_png_or_jpeg(gif) is not None
    monkeypatch.setattr(media_limits, "MAX_IMAGE_PIXELS", 99 * 99)
    assert as_png_or_jpeg(gif) is None


def test_an_image_over_our_limit_but_under_pillows_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(buffer, format="PNG")
    monkeypatch.setattr(media_limits, "MAX_IMAGE_PIXELS", 300 * 200 - 1)
    with pytest.raises(AIError) as refused:
        measure_image(buffer.getvalue())
    assert refused.value.reason == "media_too_large" and "300×200 = 60,000 pixels" in refused.value.detail
