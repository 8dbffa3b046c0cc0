"""A local, deterministic ad library: fictional brands and ads served in the real sources' shapes.

``Catalog.generate(seed=...)`` builds the brands and ads; :mod:`adology.library.render` draws their
creatives; :mod:`adology.library.server` serves them over HTTP as the Meta Ad Library API, Apify's
Facebook Ads Library scrapers and SerpApi's Google Ads Transparency Center do. The embedded
default, the tests and the benchmarks acquire ads from it with the project's own clients.
"""

from adology.library.catalog import Ad, Brand, Card, Catalog, Style
from adology.library.render import clear_cache, render_image, render_logo, render_video, video_seconds
from adology.library.server import LibraryServer, MediaSigner, create_app, serve

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
