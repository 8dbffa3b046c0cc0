"""A local, deterministic ad library: fictional brands and ads served in the real sources' shapes.

``Catalog.generate(seed=...)`` builds the brands and ads; :mod:`simulators.ad_sources.render` draws their
creatives; :mod:`simulators.ad_sources.server` serves them over HTTP as the Meta Ad Library API, Apify's
Facebook Ads Library scrapers and SerpApi's Google Ads Transparency Center do. The embedded
default, the tests and the benchmarks acquire ads from it with the project's own clients.
"""

from simulators.ad_sources.catalog import Ad, Brand, Card, Catalog, Style
from simulators.ad_sources.render import clear_cache, render_image, render_logo, render_video, video_seconds
from simulators.ad_sources.server import LibraryServer, MediaSigner, create_app, serve

__all__ = [
    "Ad",
    "Brand",
    "Card",
    "Catalog",
    "LibraryServer",
    "MediaSigner",
    "Style",
    "clear_cache",
    "create_app",
    "render_image",
    "render_logo",
    "render_video",
    "serve",
    "video_seconds",
]
