"""A deterministic catalog of fictional skincare brands and their ads, with styles that shift over time.

Everything derives from one seed: the same seed gives the same brands, handles, ad ids, copy and
dates, so a test, a benchmark and the embedded demo all see the same library (and, through
:mod:`simulators.ad_sources.render`, byte-identical creatives). Ads are compact frozen records sharing
their brand's style objects; nothing is rendered here, so 10,000+ ads cost a fraction of a second.

Each brand has two styles, ``early`` and ``late``, and a ``pivot`` date between them: ads started
after the pivot use the late style. That is where the trends the analysis should find come from
(one brand turns to limited-time offers, one to video, one changes palette, one its CTA, one to
carousels and product feeds).
"""

from __future__ import annotations

import colorsys
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

RGB = tuple[int, int, int]
ASPECTS = ("1:1", "4:5", "9:16", "1.91:1")

CATEGORY = "skincare"
APIFY_SNAKE_ACTOR = "curious_coder~facebook-ads-library-scraper"
APIFY_CAMEL_ACTOR = "apify~facebook-ads-scraper"
APIFY_ACTORS = (APIFY_SNAKE_ACTOR, APIFY_CAMEL_ACTOR)

OFFERS_BENEFIT = ("FREE SHIPPING", "20% OFF FIRST ORDER", "FREE GIFT WITH PURCHASE")
OFFERS_PROMO = ("50% OFF", "BUY 1 GET 1 FREE", "30% OFF", "40% OFF SITEWIDE")
CTA_TYPES = {"SHOP NOW": "SHOP_NOW", "LEARN MORE": "LEARN_MORE", "SIGN UP": "SIGN_UP", "GET OFFER": "GET_OFFER"}

_DAY = 86_400
_WINDOW_DAYS = 365

_BENEFITS = (
    "Brighter skin in 7 days",
    "72-hour hydration",
    "Calm skin, fast",
    "A glow that lasts",
    "Clearer skin, gently",
    "Firmer skin in 4 weeks",
    "Even tone, naturally",
    "Repair your barrier",
    "Smooth, soft, radiant",
    "Plump, dewy skin",
)
_INGREDIENTS = (
    "niacinamide",
    "hyaluronic acid",
    "vitamin C",
    "ceramides",
    "squalane",
    "bakuchiol",
    "peptides",
    "green tea",
    "centella",
    "rosehip oil",
    "aloe",
    "panthenol",
)
_URGENT_HEADLINES = (
    "48 HOURS ONLY",
    "FLASH SALE: {offer}",
    "ENDS TONIGHT",
    "LAST CHANCE: {offer}",
    "{offer} TODAY ONLY",
)
_DESCRIPTIONS = (
    "Free shipping over $40",
    "Cruelty-free and vegan",
    "30-day happiness guarantee",
    "Dermatologist tested",
    "Fragrance free",
    "Loved by 50,000+ customers",
)

# Headline templates and closing lines per tone: the same benefit reads differently per brand.
_TONES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "botanical": (
        ("{benefit}", "Meet {product}", "Rooted in nature: {benefit_l}"),
        ("Grown with care, made in small batches.", "Plant-powered and planet-kind 🌿"),
    ),
    "clinical": (
        ("Clinically shown: {benefit_l}", "{product}", "Science for {benefit_l}"),
        ("Dermatologist tested. Fragrance free.", "Backed by 3 clinical studies."),
    ),
    "playful": (
        ("{benefit}!", "Say hi to {product}", "Your new fave: {product}"),
        ("Your skin will thank you 💕", "Bounce, glow, repeat ✨"),
    ),
    "luxurious": (
        ("The art of {benefit_l}", "{product}", "Indulge: {benefit_l}"),
        ("Crafted in Paris with rare botanicals.", "An everyday ritual, elevated."),
    ),
    "minimalist": (
        ("{benefit}.", "{product}.", "Less, but better."),
        ("Five ingredients. Nothing else.", "Simple routines, real results."),
    ),
}


@dataclass(frozen=True, slots=True)
class Style:
    """How a brand's ads look and speak during one period; the renderer and the copy follow it."""

    palette: tuple[RGB, ...]  # 3-4 colours: background, second background, accent, ink
    background: Literal["gradient", "blocks"]
    headline_scale: float  # headline font size as a fraction of the canvas width
    text_position: Literal["top", "bottom"]
    align: Literal["left", "center"]
    uppercase: bool
    image_format: Literal["jpeg", "png"]
    aspects: tuple[tuple[str, float], ...]  # weighted choices
    formats: tuple[tuple[str, float], ...]  # weighted choices
    ctas: tuple[str, ...]
    offers: tuple[str, ...]
    offer_rate: float  # share of ads carrying one of ``offers``
    copy: Literal["benefit", "promo"]  # benefit-led headlines or limited-time-offer headlines


@dataclass(frozen=True, slots=True)
class Brand:
    """A fictional advertiser, its handles on every source, and its style before and after ``pivot``."""

    name: str
    slug: str  # the Dagster brand partition key
    category: str
    domain: str
    tone: str
    products: tuple[str, ...]
    meta_page_id: str
    apify_actor: str  # the actor whose output shape this brand is usually fetched with
    google_advertiser_id: str
    early: Style
    late: Style
    pivot: int  # unix seconds: ads started at or after it use ``late``
    shift: Literal["promo", "video", "palette", "cta", "carousel"]

    def style_at(self, started_at: int) -> Style:
        return self.late if started_at >= self.pivot else self.early

    @property
    def initials(self) -> str:
        words = [w for w in re.split(r"[\s&]+", self.name) if w[:1].isalpha()]
        return "".join(w[0] for w in words[:2]).upper()


@dataclass(frozen=True, slots=True)
class Card:
    """One carousel or product-feed card: its own product, copy and landing page."""

    product: str
    title: str
    body: str
    price: str
    link_url: str


@dataclass(frozen=True, slots=True)
class Ad:
    """One ad as the library knows it; the server renders every source's payload from this."""

    ad_id: str  # Facebook Ad Library archive id (Meta API and Apify)
    brand: Brand
    style: Style  # the brand's style when the ad started
    display_format: str  # IMAGE | CAROUSEL | VIDEO | DPA
    aspect: str  # one of ASPECTS
    image_format: Literal["jpeg", "png"]
    created_at: int  # unix seconds
    started_at: int
    stopped_at: int | None  # None: still running at the catalog's reference date
    product: str
    headline: str  # the first card's title for carousels; "{{product.name}}" for DPA ads
    body: str  # "{{product.name}}" for DPA ads: their copy lives in ``cards``
    description: str
    offer: str | None
    cta: str
    link_url: str
    platforms: tuple[str, ...]  # lower-case, as the Meta API spells them
    cards: tuple[Card, ...]
    spend: tuple[int, int | None] | None  # disclosed range (EUR); upper None when open-ended
    impressions: tuple[int, int | None] | None
    google_creative_id: str | None  # set for the ads that also run on Google
    google_format: Literal["image", "video", "text"] | None
    variant: int  # a per-ad number the renderer uses for layout variety

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None

    @property
    def image_ext(self) -> str:
        return "jpg" if self.image_format == "jpeg" else "png"


@dataclass(frozen=True, slots=True)
class _BrandSeed:
    name: str
    tone: str
    products: tuple[str, ...]
    palette: tuple[RGB, ...]
    late_palette: tuple[RGB, ...]


_FIXED_BRANDS = (
    _BrandSeed(
        "Glow Botanicals",
        "botanical",
        ("Rosehip Renewal Oil", "Green Tea Gel Cleanser", "Calendula Calm Cream", "Sea Buckthorn Serum"),
        ((46, 94, 62), (142, 186, 120), (244, 236, 214), (28, 40, 30)),
        ((46, 94, 62), (232, 160, 64), (250, 240, 220), (28, 40, 30)),
    ),
    _BrandSeed(
        "Lumen Lab",
        "clinical",
        ("10% Niacinamide Serum", "Retinal Night Cream", "Ceramide Barrier Balm", "Mineral SPF 50", "Azelaic Gel"),
        ((18, 38, 84), (92, 182, 220), (236, 244, 250), (10, 16, 32)),
        ((18, 38, 84), (92, 182, 220), (236, 244, 250), (10, 16, 32)),
    ),
    _BrandSeed(
        "Petal & Pout",
        "playful",
        (
            "Cloud Jelly Cleanser",
            "Berry Bounce Toner",
            "Dewy Drops Serum",
            "Peachy Lip Mask",
            "Sleepy Time Mask",
            "Glow Gummies",
        ),
        ((246, 170, 196), (255, 224, 232), (214, 64, 120), (60, 20, 40)),
        ((120, 92, 220), (206, 236, 120), (255, 246, 170), (30, 20, 60)),
    ),
    _BrandSeed(
        "Maison Verite",
        "luxurious",
        ("Caviar Lift Cream", "Gold Peptide Elixir", "Velvet Eye Contour"),
        ((22, 20, 18), (196, 160, 84), (246, 238, 222), (12, 10, 8)),
        ((22, 20, 18), (196, 160, 84), (246, 238, 222), (12, 10, 8)),
    ),
    _BrandSeed(
        "Dune Skin Co",
        "minimalist",
        ("Cactus Water Moisturizer", "Desert Rose Mist", "Sand Polish Exfoliant", "Aloe After-Sun Gel"),
        ((214, 180, 140), (240, 222, 196), (164, 92, 60), (54, 40, 30)),
        ((214, 180, 140), (240, 222, 196), (164, 92, 60), (54, 40, 30)),
    ),
)
_SHIFTS: tuple[Literal["promo", "video", "palette", "cta", "carousel"], ...] = (
    "promo",
    "video",
    "palette",
    "cta",
    "carousel",
)
_NAME_HEADS = (
    "Aura",
    "Bloom",
    "Clarity",
    "Dew",
    "Ember",
    "Fern",
    "Halo",
    "Iris",
    "Jade",
    "Kindred",
    "Lotus",
    "Moss",
    "Nova",
    "Opal",
    "Pure",
    "Quartz",
    "Rain",
    "Sage",
    "Tidal",
    "Velvet",
    "Willow",
    "Zephyr",
)
_NAME_TAILS = ("Botanics", "Skin", "Labs", "Apothecary", "Beauty", "Derm", "Naturals", "Studio", "Rituals")
_PRODUCT_ADJECTIVES = ("Hydra", "Bright", "Calm", "Renew", "Velvet", "Pure", "Daily", "Overnight", "Silk")
_PRODUCT_TYPES = ("Serum", "Cleanser", "Moisturizer", "Toner", "Eye Cream", "Face Oil", "Mask", "Mist", "Balm")


class Catalog:
    """Brands and their ads, with the look-ups the library server needs."""

    def __init__(self, *, seed: int, reference: datetime, brands: tuple[Brand, ...], ads: tuple[Ad, ...]) -> None:
        self.seed = seed
        self.reference = reference
        self.brands = brands
        self.ads = ads
        self._by_page = {b.meta_page_id: b for b in brands}
        self._by_advertiser = {b.google_advertiser_id: b for b in brands}
        self._ads_by_id: dict[str, Ad] = {}
        grouped: dict[str, list[Ad]] = {b.slug: [] for b in brands}
        for ad in ads:
            self._ads_by_id[ad.ad_id] = ad
            if ad.google_creative_id:
                self._ads_by_id[ad.google_creative_id] = ad
            grouped[ad.brand.slug].append(ad)
        # Sources list newest first; the id breaks ties so paging is stable.
        self._brand_ads = {
            slug: tuple(sorted(items, key=lambda a: (a.started_at, a.ad_id), reverse=True))
            for slug, items in grouped.items()
        }
        self._google_ads = {
            slug: tuple(a for a in items if a.google_creative_id) for slug, items in self._brand_ads.items()
        }

    @classmethod
    def generate(cls, *, seed: int = 7, ads: int = 500, brands: int = 5) -> Catalog:
        """Build ``brands`` brands sharing ``ads`` ads over the 12 months before a seed-derived date."""
        if brands < 1:
            raise ValueError(f"brands must be at least 1, got {brands}")
        if ads < 0:
            raise ValueError(f"ads must not be negative, got {ads}")
        rng = random.Random(f"adology-library:{seed}")
        # A fixed date from the seed, never now(): the same seed must give the same dates.
        reference = datetime(2025, 7, 1, 12, tzinfo=UTC) + timedelta(days=(seed * 37) % 180)
        ref_ts = int(reference.timestamp())
        ids = _IdSource(rng)
        names = _brand_names(rng, brands)
        made = tuple(_make_brand(rng, ids, i, name, ref_ts) for i, name in enumerate(names))
        counts = _split(rng, ads, len(made))
        generated: list[Ad] = []
        for brand, count in zip(made, counts, strict=True):
            brand_rng = random.Random(f"adology-library:{seed}:{brand.slug}")
            generated.extend(_make_ad(brand_rng, ids, brand, ref_ts) for _ in range(count))
        return cls(seed=seed, reference=reference, brands=made, ads=tuple(generated))

    def brand_by_page_id(self, page_id: str) -> Brand | None:
        return self._by_page.get(page_id)

    def brand_by_advertiser_id(self, advertiser_id: str) -> Brand | None:
        return self._by_advertiser.get(advertiser_id)

    def ad(self, ad_id: str) -> Ad | None:
        """An ad by its Facebook archive id or its Google creative id (``CR...``)."""
        return self._ads_by_id.get(ad_id)

    def ads_of(self, brand: Brand) -> tuple[Ad, ...]:
        """The brand's ads, newest first (the order the sources list them in)."""
        return self._brand_ads.get(brand.slug, ())

    def google_ads_of(self, brand: Brand) -> tuple[Ad, ...]:
        """The brand's ads that also run on Google, newest first."""
        return self._google_ads.get(brand.slug, ())


class _IdSource:
    """Unique numeric ids drawn from the catalog's generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def digits(self, count: int, prefix: str = "") -> str:
        while True:
            value = prefix + str(self._rng.randrange(10 ** (count - 1), 10**count))
            if value not in self._seen:
                self._seen.add(value)
                return value


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split over ``parts`` unevenly (real brands differ in volume), by largest remainder."""
    weights = [rng.uniform(0.6, 1.6) for _ in range(parts)]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(parts), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _hsv_palette(rng: random.Random, index: int) -> tuple[RGB, ...]:
    """A palette whose hue is spread from the other brands' by the golden ratio, so palettes differ."""
    hue = (index * 0.618_034 + rng.random() * 0.05) % 1.0

    def rgb(h: float, s: float, v: float) -> RGB:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
        return (round(r * 255), round(g * 255), round(b * 255))

    return (rgb(hue, 0.55, 0.55), rgb(hue + 0.08, 0.3, 0.9), rgb(hue + 0.5, 0.7, 0.85), rgb(hue, 0.6, 0.15))


def _brand_names(rng: random.Random, count: int) -> list[str]:
    """The fixed five first, then shuffled invented names; a numeral keeps names unique past the pool."""
    fixed = [s.name for s in _FIXED_BRANDS]
    pool = [f"{h} {t}" for h in _NAME_HEADS for t in _NAME_TAILS]
    rng.shuffle(pool)
    names = (fixed + pool)[:count]
    names += [f"{pool[i % len(pool)]} {i}" for i in range(count - len(names))]
    return names


def _generated_seed(rng: random.Random, index: int, name: str) -> _BrandSeed:
    count = rng.randint(3, 6)
    products = tuple(
        f"{a} {i.title()} {t}"
        for a, i, t in zip(
            rng.sample(_PRODUCT_ADJECTIVES, count),
            rng.sample(_INGREDIENTS, count),
            rng.sample(_PRODUCT_TYPES, count),
            strict=True,
        )
    )
    return _BrandSeed(name, rng.choice(tuple(_TONES)), products, _hsv_palette(rng, index), _hsv_palette(rng, index + 3))


def _make_brand(rng: random.Random, ids: _IdSource, index: int, name: str, ref_ts: int) -> Brand:
    seed = _FIXED_BRANDS[index] if index < len(_FIXED_BRANDS) else _generated_seed(rng, index, name)
    shift = _SHIFTS[index % len(_SHIFTS)]
    early = Style(
        palette=seed.palette,
        background=rng.choice(("gradient", "blocks")),
        headline_scale=round(rng.uniform(0.075, 0.1), 3),
        text_position=rng.choice(("top", "bottom")),
        align=rng.choice(("left", "center")),
        uppercase=rng.random() < 0.4,
        image_format="png" if index % 3 == 2 else "jpeg",
        aspects=_weights(rng, ASPECTS, (0.45, 0.3, 0.12, 0.13)),
        formats=(("IMAGE", 0.8), ("CAROUSEL", 0.12), ("VIDEO", 0.05), ("DPA", 0.03)),
        ctas=("SHOP NOW", "LEARN MORE") if shift != "cta" else ("LEARN MORE",),
        offers=OFFERS_BENEFIT,
        offer_rate=round(rng.uniform(0.2, 0.4), 2),
        copy="benefit",
    )
    late = _shifted(early, shift, seed.late_palette)
    return Brand(
        name=name,
        slug=_slug(name),
        category=CATEGORY,
        domain=f"{_slug(name).replace('-', '')}.example",
        tone=seed.tone,
        products=seed.products,
        meta_page_id=ids.digits(15),
        apify_actor=APIFY_ACTORS[index % 2],
        google_advertiser_id=ids.digits(20, "AR"),
        early=early,
        late=late,
        # The pivot falls in months 7-9 of the 12, so both periods have enough ads to compare.
        pivot=ref_ts - rng.randint(100, 150) * _DAY,
        shift=shift,
    )


def _weights(rng: random.Random, names: tuple[str, ...], base: tuple[float, ...]) -> tuple[tuple[str, float], ...]:
    return tuple((n, round(w * rng.uniform(0.6, 1.4), 3)) for n, w in zip(names, base, strict=True))


def _shifted(early: Style, shift: str, late_palette: tuple[RGB, ...]) -> Style:
    """The brand's style after its pivot. Each shift is strong enough that a brand of about a hundred
    ads (a few dozen after the pivot) shows it beyond chance among its sixty-odd signals: a format
    turning from 5 % to a third of the ads was found in only a third of simulated libraries of 300
    ads, so video and carousels become the majority format (docs/design-brand-insights.md §3)."""
    if shift == "promo":
        return replace(early, copy="promo", offers=OFFERS_PROMO, offer_rate=0.85, ctas=("GET OFFER", "SHOP NOW"))
    if shift == "video":
        return replace(
            early,
            formats=(("IMAGE", 0.3), ("CAROUSEL", 0.1), ("VIDEO", 0.6)),
            aspects=(("9:16", 0.7), ("4:5", 0.2), ("1:1", 0.1)),
        )
    if shift == "palette":
        background: Literal["gradient", "blocks"] = "blocks" if early.background == "gradient" else "gradient"
        return replace(early, palette=late_palette, background=background)
    if shift == "cta":
        return replace(early, ctas=("SIGN UP", "SHOP NOW"))
    return replace(early, formats=(("IMAGE", 0.3), ("CAROUSEL", 0.45), ("VIDEO", 0.05), ("DPA", 0.2)))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([n for n, _ in weighted], weights=[w for _, w in weighted])[0]


_SPEND_RANGES: tuple[tuple[int, int | None], ...] = (
    (0, 99),
    (100, 499),
    (500, 999),
    (1000, 4999),
    (5000, 9999),
    (10000, None),
)
_IMPRESSION_RANGES: tuple[tuple[int, int | None], ...] = (
    (1000, 4999),
    (5000, 9999),
    (10000, 49999),
    (50000, 99999),
    (100000, 499999),
    (1000000, None),
)


def _make_ad(rng: random.Random, ids: _IdSource, brand: Brand, ref_ts: int) -> Ad:
    started = ref_ts - rng.randint(1, _WINDOW_DAYS) * _DAY + rng.randint(-4, 4) * 3600
    style = brand.style_at(started)
    display_format = _pick(rng, style.formats)
    aspect = _pick(rng, style.aspects)
    product = rng.choice(brand.products)
    benefit = rng.choice(_BENEFITS)
    offer = rng.choice(style.offers) if rng.random() < style.offer_rate else None
    headline = _headline(rng, brand, style, product, benefit, offer)
    ingredients = rng.sample(_INGREDIENTS, 2)
    closers = _TONES[brand.tone][1]
    claim = benefit.lower().rstrip(".!")
    body = f"{product} blends {ingredients[0]} and {ingredients[1]} for {claim}. {rng.choice(closers)}"
    if offer:
        body += f" {offer} for a limited time."
    cta = rng.choice(style.ctas)
    product_url = f"https://www.{brand.domain}/products/{_slug(product)}"
    link_url = f"{product_url}?utm_source=facebook&utm_medium=paid&utm_campaign={_slug(benefit)}"
    cards: tuple[Card, ...] = ()
    if display_format in ("CAROUSEL", "DPA"):
        featured = rng.sample(brand.products, min(len(brand.products), rng.randint(2, 4)))
        cards = tuple(
            Card(
                product=p,
                title=p,
                body=rng.choice(_BENEFITS),
                price=f"${rng.randint(14, 89)}.00",
                link_url=f"https://www.{brand.domain}/products/{_slug(p)}",
            )
            for p in featured
        )
    if display_format == "CAROUSEL":
        # A carousel's title is its first card's, as the sources report it.
        headline = cards[0].title
    elif display_format == "DPA":
        # Product-feed ads carry template placeholders; their real copy is in the cards.
        headline = body = "{{product.name}}"
    active = (ref_ts - started < 60 * _DAY and rng.random() < 0.75) or rng.random() < 0.05
    stopped = None
    if not active:
        longest = max(1, (ref_ts - started) // _DAY - 1)
        stopped = started + rng.randint(1, min(90, longest)) * _DAY
    platforms = _platforms(rng, aspect)
    disclosed = rng.random() < 0.15
    on_google = rng.random() < 0.3
    google_format: Literal["image", "video", "text"] | None = None
    if on_google:
        google_format = "video" if display_format == "VIDEO" else ("text" if rng.random() < 0.15 else "image")
    return Ad(
        ad_id=ids.digits(16),
        brand=brand,
        style=style,
        display_format=display_format,
        aspect=aspect,
        image_format=style.image_format if rng.random() < 0.9 else ("png" if style.image_format == "jpeg" else "jpeg"),
        created_at=started - rng.randint(1, 72) * 3600,
        started_at=started,
        stopped_at=stopped,
        product=product,
        headline=headline,
        body=body,
        description=rng.choice(_DESCRIPTIONS),
        offer=offer,
        cta=cta,
        link_url=link_url,
        platforms=platforms,
        cards=cards,
        spend=rng.choice(_SPEND_RANGES) if disclosed else None,
        impressions=rng.choice(_IMPRESSION_RANGES) if disclosed else None,
        google_creative_id=ids.digits(20, "CR") if on_google else None,
        google_format=google_format,
        variant=rng.randrange(1 << 16),
    )


def _headline(rng: random.Random, brand: Brand, style: Style, product: str, benefit: str, offer: str | None) -> str:
    if style.copy == "promo":
        template = rng.choice(_URGENT_HEADLINES if offer else ("48 HOURS ONLY", "ENDS TONIGHT"))
        return template.format(offer=offer or "")
    template = rng.choice(_TONES[brand.tone][0])
    text = template.format(benefit=benefit, benefit_l=benefit.lower(), product=product)
    return text.upper() if style.uppercase else text


def _platforms(rng: random.Random, aspect: str) -> tuple[str, ...]:
    if aspect == "9:16":
        # Vertical creatives are made for stories and reels.
        return ("facebook", "instagram") if rng.random() < 0.7 else ("instagram",)
    extra = [p for p in ("audience_network", "messenger") if rng.random() < 0.3]
    return ("facebook", "instagram", *extra) if rng.random() < 0.8 else ("facebook", *extra)
