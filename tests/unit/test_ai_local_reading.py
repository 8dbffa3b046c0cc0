"""How the ``local`` provider reads an ad's words, pinned on hand-made OCR lines (no OCR runs here).

- OCR's pieces are put back together before any rule looks at them: lines on one row join, a
  paragraph wrapped over two lines reads as one, a button's label stays its own phrase, and
  phrases come in reading order.
- Offers, calls to action and urgency are found in those phrases, each with its evidence; a call
  to action misread by one character counts when it sits in a button or stands alone with a
  misreading OCR commonly makes, and a short phrase starting with a call-to-action verb in a
  button is one.
- The issue's two creatives: "FREE" "SHIPPING" / "SHOP" "NOW" read as pieces get their offer, call
  to action and labels; "BUY 1 GET 1 FREE" / "this weekend only" / "ORDER NO" in a button gets
  bogo, ORDER NOW and urgency, and no free-shipping or free-gift label.
- Creatives without an offer get no offer and no offer label, whatever words they share with one.
- Every label the provider gives names its evidence: the phrase read, or the measurement.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from adology.ai.local.buttons import Button
from adology.ai.local.copy_patterns import cta_vocabulary
from adology.ai.local.describe import attribute_values, compose_description
from adology.ai.local.labels import RULE_LABELS, evidenced_labels, score_labels
from adology.ai.local.measurements import AdAnalysis
from adology.ai.local.ocr import TextLine
from adology.ai.local.phrases import Phrase, assemble_blocks, block_text
from adology.ai.local.text import analyse_blocks, analyse_text
from adology.ai.local.vision import measure_read_frame, ocr_sized
from adology.ai.schema import attribute_schema
from adology.ai.types import AdInput, CreativeInput, CreativeKind

OFFER_LABELS = {"discount_offer", "free_shipping", "bogo_offer", "bundle_offer", "free_gift_offer"}
Fraction = tuple[float, float, float, float]


def _line(text: str, box: Fraction) -> TextLine:
    return TextLine(text=text, confidence=0.99, box=box)


def _ad_with_lines(
    size: tuple[int, int],
    lines: list[TextLine],
    *,
    buttons: list[tuple[Fraction, tuple[int, int, int]]] = (),  # type: ignore[assignment]
    background: tuple[int, int, int] = (245, 238, 228),
    ink: tuple[int, int, int] = (25, 25, 25),
) -> AdAnalysis:
    """An ad whose one image has ``buttons`` drawn at their boxes and ``lines`` written at theirs, with
    the measurements an OCR that read exactly ``lines`` would give."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    for (x0, y0, x1, y1), fill in buttons:
        box = (x0 * width, y0 * height, x1 * width, y1 * height)
        draw.rounded_rectangle(box, radius=(y1 - y0) * height / 3, fill=fill)
    for line in lines:
        x0, y0, x1, y1 = line.box
        font = ImageFont.load_default(size=max(8, round((y1 - y0) * height)))
        inside = next((fill for box, fill in buttons if box[0] <= x0 and box[1] <= y0 and x1 <= box[2]), None)
        colour = (255, 255, 255) if inside is not None and sum(inside) < 380 else ink
        draw.text((x0 * width, y0 * height), line.text, font=font, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    creative = CreativeInput.from_bytes(buffer.getvalue(), kind=CreativeKind.IMAGE, content_type="image/png")
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    measured = measure_read_frame(ocr_sized(bgr), tuple(lines), width=width, height=height)
    return AdAnalysis(ad=AdInput(ad_id="hand-made", creatives=[creative]), creatives=(measured,))


def _labels(analysis: AdAnalysis) -> set[str]:
    return {score.label for score in score_labels(analysis, None)}


@pytest.fixture(scope="module")
def free_shipping_in_pieces() -> AdAnalysis:
    """The issue's 1080×1080 creative: "FREE SHIPPING" at the top and a "SHOP NOW" button, read as
    four pieces."""
    return _ad_with_lines(
        (1080, 1080),
        [
            _line("FREE", (0.20, 0.08, 0.40, 0.15)),
            _line("SHIPPING", (0.44, 0.08, 0.80, 0.15)),
            _line("SHOP", (0.40, 0.86, 0.48, 0.90)),
            _line("NOW", (0.51, 0.86, 0.58, 0.90)),
        ],
        buttons=[((0.35, 0.83, 0.63, 0.93), (20, 20, 20))],
    )


@pytest.fixture(scope="module")
def bogo_with_misread_button() -> AdAnalysis:
    """The issue's 1200×628 creative: "BUY 1 GET 1 FREE", "this weekend only" and an "ORDER NOW"
    button OCR read as "ORDER NO"."""
    return _ad_with_lines(
        (1200, 628),
        [
            _line("BUY 1 GET 1 FREE", (0.05, 0.20, 0.60, 0.32)),
            _line("this weekend only", (0.05, 0.42, 0.37, 0.50)),
            _line("ORDER NO", (0.08, 0.71, 0.29, 0.78)),
        ],
        buttons=[((0.05, 0.66, 0.33, 0.83), (250, 200, 40))],
        background=(30, 60, 110),
        ink=(245, 245, 245),
    )


# --- the two creatives ------------------------------------------------------------------


def test_free_shipping_and_shop_now_read_in_pieces_are_found(free_shipping_in_pieces: AdAnalysis) -> None:
    attributes = attribute_values(free_shipping_in_pieces)
    assert (attributes["offer"], attributes["offer_type"]) == ("FREE SHIPPING", "free_shipping")
    assert (attributes["cta"], attributes["cta_type"]) == ("SHOP NOW", "shop_now")
    description = compose_description(free_shipping_in_pieces)
    assert "No offer was found" not in description
    assert "Offer: FREE SHIPPING" in description and "Call to action: SHOP NOW" in description
    assert {"free_shipping", "shop_now_cta"} <= _labels(free_shipping_in_pieces)


def test_bogo_weekend_and_misread_order_button(bogo_with_misread_button: AdAnalysis) -> None:
    attributes = attribute_values(bogo_with_misread_button)
    assert (attributes["offer"], attributes["offer_type"]) == ("BUY 1 GET 1 FREE", "bogo")
    assert (attributes["cta"], attributes["cta_type"]) == ("ORDER NOW", "order_now")
    assert attributes["urgency"] is True and attributes["urgency_phrases"] == ["THIS WEEKEND ONLY"]
    labels = _labels(bogo_with_misread_button)
    assert {"bogo_offer", "shop_now_cta", "urgency_limited_time"} <= labels
    assert not {"free_shipping", "free_gift_offer", "discount_offer"} & labels, "the ad says neither"


def test_the_misread_button_names_its_evidence(bogo_with_misread_button: AdAnalysis) -> None:
    description = compose_description(bogo_with_misread_button)
    assert 'Call to action: ORDER NOW (read "ORDER NO" on the creative, in a box' in description
    assert 'the last character cut off from "ORDER NOW"' in description
    evidence = {label.label: label.evidence for label in evidenced_labels(bogo_with_misread_button, None)}
    assert evidence["shop_now_cta"].startswith('call to action "ORDER NOW": read "ORDER NO"')
    assert evidence["bogo_offer"] == 'offer "BUY 1 GET 1 FREE": read "BUY 1 GET 1 FREE" on the creative'


@pytest.mark.parametrize("fixture", ["free_shipping_in_pieces", "bogo_with_misread_button"])
def test_every_label_names_its_evidence(fixture: str, request: pytest.FixtureRequest) -> None:
    analysis = request.getfixturevalue(fixture)
    labels = evidenced_labels(analysis, None)
    assert labels and all(label.evidence.strip() for label in labels)
    assert [(label.taxonomy, label.label, label.confidence) for label in labels] == [
        (score.taxonomy, score.label, score.confidence) for score in score_labels(analysis, None)
    ]


# --- creatives without an offer -----------------------------------------------------------------


@pytest.mark.parametrize(
    "texts",
    [
        ["Glow that lasts", "Fragrance-free, paraben-free", "Dermatologist tested", "SHOP NOW"],
        ["FREE FROM SULFATES", "Ships worldwide", "2 in 1 cleanser", "LEARN MORE"],
        ["Your routine sets you up", "Feel free to glow", "24-hour hydration", "100% vegan"],
        ["The perfect gift for her", "Gift-ready packaging", "Free your skin"],
        ["Piel luminosa", "30% menos brillo", "Hidratación que dura"],
    ],
)
def test_a_creative_without_an_offer_gets_no_offer_label(texts: list[str]) -> None:
    lines = [_line(text, (0.1, 0.1 + 0.2 * i, 0.9, 0.16 + 0.2 * i)) for i, text in enumerate(texts)]
    analysis = _ad_with_lines((1080, 1080), lines)
    attributes = attribute_values(analysis)
    assert attributes["offer"] is None and attributes["offer_type"] == "none"
    assert not OFFER_LABELS & _labels(analysis)


def test_a_creative_read_with_no_words_states_no_offer() -> None:
    attributes = attribute_values(_ad_with_lines((600, 600), []))
    assert (attributes["offer_type"], attributes["cta_type"], attributes["urgency"]) == ("none", "none", False)
    assert attributes["offer"] is None and attributes["cta"] is None


def test_labels_the_rules_decide_are_never_guessed_from_similar_words() -> None:
    # "FREE", "GIFT", "ORDER", "DELIVERED" are close to several offer definitions, but state none of them.
    lines = [_line("Free your skin, order your gift, delivered", (0.1, 0.1, 0.9, 0.2))]
    labels = evidenced_labels(_ad_with_lines((800, 800), lines), None)
    assert not {label.label for label in labels} & RULE_LABELS


# --- phrases --------------------------------------------------------------------------------------


def test_lines_on_one_row_join_left_to_right_and_columns_stay_apart() -> None:
    lines = [
        _line("SHIPPING", (0.44, 0.10, 0.80, 0.16)),
        _line("FREE", (0.20, 0.10, 0.40, 0.16)),
        _line("$29", (0.05, 0.50, 0.12, 0.55)),
        _line("Hydrating serum", (0.60, 0.50, 0.95, 0.55)),
    ]
    texts = [[phrase.text for phrase in block] for block in assemble_blocks(lines, 1000, 1000)]
    assert texts == [["FREE SHIPPING"], ["$29"], ["Hydrating serum"]]


def test_a_wrapped_paragraph_is_one_block_and_a_split_word_is_joined() -> None:
    lines = [
        _line("FREE GIFT WITH", (0.10, 0.30, 0.70, 0.36)),
        _line("PURCHASE", (0.10, 0.38, 0.45, 0.44)),
        _line("FREE SHIP-", (0.10, 0.60, 0.60, 0.66)),
        _line("PING TODAY", (0.10, 0.68, 0.55, 0.74)),
    ]
    blocks = assemble_blocks(lines, 1000, 1000)
    assert [block_text(block) for block in blocks] == ["FREE GIFT WITH PURCHASE", "FREE SHIPPING TODAY"]
    findings = analyse_blocks(blocks, "")
    assert [offer.text for offer in findings.offers] == ["FREE GIFT WITH PURCHASE", "FREE SHIPPING"]


def test_a_buttons_label_never_joins_text_outside_it() -> None:
    button = Button(box=(0.05, 0.45, 0.40, 0.60), contrast=1.0)
    lines = [_line("Hydration that stays", (0.08, 0.30, 0.60, 0.40)), _line("SHOP NOW", (0.10, 0.49, 0.35, 0.56))]
    blocks = assemble_blocks(lines, 1000, 1000, [None, button])
    assert [[phrase.text for phrase in block] for block in blocks] == [["Hydration that stays"], ["SHOP NOW"]]
    assert blocks[1][0].button == button


# --- calls to action ------------------------------------------------------------------------------

_BUTTON = Button(box=(0.0, 0.0, 0.3, 0.1), contrast=1.0)


def _cta(phrases: list[Phrase]) -> tuple[str, str] | None:
    found = analyse_blocks([tuple(phrases)], "").cta
    return (found.text, found.kind) if found else None


def test_a_call_to_action_misread_by_one_character() -> None:
    assert _cta([Phrase("ORDER NO", button=_BUTTON)]) == ("ORDER NOW", "order_now")
    assert _cta([Phrase("ORDER NO")]) == ("ORDER NOW", "order_now")  # alone, its last letter cut off
    assert _cta([Phrase("5HOP NOW")]) == ("SHOP NOW", "shop_now")  # alone, a look-alike character
    assert _cta([Phrase("SHOW NOW")]) is None  # another word, and no button to say it is one
    assert _cta([Phrase("SHOW NOW", button=_BUTTON)]) == ("SHOP NOW", "shop_now")
    assert _cta([Phrase("Our best ORDER NO"), Phrase("ORDER NO")]) is None  # part of a paragraph


def test_a_short_imperative_in_a_button_is_a_call_to_action() -> None:
    assert _cta([Phrase("SHOP THE RANGE", button=_BUTTON)]) == ("SHOP THE RANGE", "shop_now")
    # on a line of its own, the verb needs an article, a finishing word or an object beside it
    assert _cta([Phrase("SHOP THE RANGE")]) == ("SHOP THE RANGE", "shop_now")
    assert _cta([Phrase("SHOP SMARTER SKINCARE")]) is None
    assert _cta([Phrase("50% OFF", button=_BUTTON)]) is None


def test_words_in_a_button_are_its_call_to_action_even_with_an_unlisted_verb() -> None:
    assert _cta([Phrase("COUNT ME IN", button=_BUTTON)]) == ("COUNT ME IN", "sign_up")  # typed by the copy model
    assert _cta([Phrase("TAP HERE", button=_BUTTON)]) == ("TAP HERE", "other")  # nothing knows its kind
    assert _cta([Phrase("REVEAL MY OFFER", button=_BUTTON)]) == ("REVEAL MY OFFER", "get_offer")
    assert _cta([Phrase("DEVENIR MEMBRE", button=_BUTTON)]) == ("DEVENIR MEMBRE", "sign_up")  # by its object
    for badge in ("VEGAN", "BEST SELLER", "CRUELTY FREE", "DEEP HYDRATION", "ALL NEW"):
        assert _cta([Phrase(badge, button=_BUTTON)]) is None, badge


def test_a_call_to_action_known_by_its_verb_comes_before_a_bare_label() -> None:
    found = analyse_blocks([(Phrase("COUNT ME IN", button=_BUTTON),), (Phrase("SHOP NOW", button=_BUTTON),)], "").cta
    assert found is not None and (found.text, found.kind) == ("SHOP NOW", "shop_now")


def test_call_to_action_vocabulary_comes_from_the_schema_and_taxonomies() -> None:
    vocabulary = {phrase.text: phrase.kind for phrase in cta_vocabulary()}
    kinds = next(spec.values or [] for spec in attribute_schema().attributes if spec.name == "cta_type")
    for kind in set(kinds) - {"other", "none"}:
        assert vocabulary[kind.replace("_", " ").upper()] == kind
    assert vocabulary["FIND OUT MORE"] == "learn_more" and vocabulary["CLAIM OFFER"] == "get_offer"


# --- OCR's misreadings and other languages --------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "kind", "value"),
    [("$IO OFF", "amount_off", 10.0), ("$10 0FF", "amount_off", 10.0), ("5O% OFF", "percent_off", 50.0)],
)
def test_look_alike_letters_in_numbers_are_read_as_digits(read: str, kind: str, value: float) -> None:
    offer = analyse_text([read], "").offer
    assert offer is not None and (offer.kind, offer.value) == (kind, value)


def test_offers_calls_to_action_and_urgency_in_other_languages() -> None:
    findings = analyse_text(["ENVÍO GRATIS", "Termina en 3 días", "JETZT KAUFEN"], "")
    assert [(offer.kind, offer.text) for offer in findings.offers] == [("free_shipping", "ENVÍO GRATIS")]
    assert findings.countdown_phrases == ("Termina en 3 días",)
    assert findings.cta is not None and (findings.cta.text, findings.cta.kind) == ("JETZT KAUFEN", "shop_now")
    bogo = analyse_text(["1 ACHETÉ = 1 OFFERT"], "").offers
    assert [offer.kind for offer in bogo] == ["bogo"], "not also an amount off"


# --- the many ways ads word offers, calls to action and urgency -----------------------------------


@pytest.mark.parametrize(
    ("read", "kind"),
    [
        # percent off
        ("EXTRA 20% OFF", "percent_off"),
        ("Half price on all serums", "percent_off"),
        ("Save up to 40% sitewide", "percent_off"),
        ("30 PERCENT OFF", "percent_off"),
        ("Hasta -50%", "percent_off"),
        ("20% dto.", "percent_off"),
        ("Descuentos de hasta el 30%", "percent_off"),
        ("A mitad de precio", "percent_off"),
        ("-30% de réduction", "percent_off"),
        ("Soldes jusqu'à 50%", "percent_off"),
        ("Moitié prix", "percent_off"),
        ("30% auf alles", "percent_off"),
        ("20% Nachlass", "percent_off"),
        ("Zum halben Preis", "percent_off"),
        ("Sconti fino al 70%", "percent_off"),
        ("Risparmia il 20%", "percent_off"),
        ("15% de desconto", "percent_off"),
        ("Pela metade do preço", "percent_off"),
        # amount off
        ("$20 OFF orders $100+", "amount_off"),
        ("Save up to $50", "amount_off"),
        ("10€ OFF", "amount_off"),
        ("10 € de descuento", "amount_off"),
        ("15 € offerts dès 60 € d'achat", "amount_off"),
        ("10 Euro sparen", "amount_off"),
        ("€10 Rabatt", "amount_off"),
        ("R$ 30 de desconto", "amount_off"),
        # free shipping
        ("FREE 2-DAY SHIPPING", "free_shipping"),
        ("Ships free", "free_shipping"),
        ("Shipping is on us", "free_shipping"),
        ("No delivery fees", "free_shipping"),
        ("Complimentary express delivery", "free_shipping"),
        ("Free UK delivery", "free_shipping"),
        ("Envío gratis", "free_shipping"),
        ("Sin gastos de envío", "free_shipping"),
        ("Frais de port offerts", "free_shipping"),
        ("Livraison offerte dès 49€", "free_shipping"),
        ("Versandkostenfrei", "free_shipping"),
        ("Versand kostenlos", "free_shipping"),
        ("Spedizione gratuita", "free_shipping"),
        ("Spedizioni gratuite in tutta Italia", "free_shipping"),
        ("Frete grátis", "free_shipping"),
        # bogo / multi-buy
        ("2nd item free", "bogo"),
        ("Buy 2, get 1 free", "bogo"),
        ("Two for the price of one", "bogo"),
        ("3 for 2 on all masks", "bogo"),
        ("Segunda unidad gratis", "bogo"),
        ("2ª unidad al 50%", "bogo"),
        ("Le deuxième offert", "bogo"),
        ("Nimm 2, zahl 1", "bogo"),
        ("Prendi 3 paghi 2", "bogo"),
        ("Leve 3, pague 2", "bogo"),
        ("3x2 en toda la tienda", "bogo"),
        # free gift
        ("Free tote with every order", "free_gift"),
        ("Free rose candle with any purchase", "free_gift"),
        ("Complimentary mini cleanser", "free_gift"),
        ("Gift with purchase", "free_gift"),
        ("Neceser de regalo", "free_gift"),
        ("Trousse offerte", "free_gift"),
        ("Gratis dazu: Kosmetiktasche", "free_gift"),
        ("Pochette in regalo", "free_gift"),
        ("Ganhe um brinde", "free_gift"),
        # bundle
        ("The Glow Duo", "bundle"),
        ("Discovery set", "bundle"),
        ("Skincare kit", "bundle"),
        ("3-pack", "bundle"),
        ("Coffret découverte", "bundle"),
        ("Pack ahorro", "bundle"),
        ("Geschenkset", "bundle"),
        ("Kit viagem", "bundle"),
        # trial
        ("Risk-free trial", "trial"),
        ("First month free", "trial"),
        ("30-day free trial", "trial"),
        ("Try it free for 30 days", "trial"),
        ("Prueba gratis 14 días", "trial"),
        ("Essai gratuit", "trial"),
        ("Jetzt kostenlos testen", "trial"),
        ("30 Tage kostenlos testen", "trial"),
        ("Prova gratuita", "trial"),
        ("Campioni omaggio", "trial"),
        ("Teste grátis", "trial"),
        ("Amostra grátis", "trial"),
    ],
)
def test_offers_worded_many_ways_are_found_with_their_kind(read: str, kind: str) -> None:
    offer = analyse_text([read], "").offer
    assert offer is not None and offer.kind == kind, (read, offer)


@pytest.mark.parametrize(
    ("read", "kind"),
    [
        ("Start shopping", "shop_now"),
        ("Shop the collection", "shop_now"),
        ("Browse", "shop_now"),
        ("Explore the collection", "shop_now"),
        ("Ir a la tienda", "shop_now"),
        ("J'achète", "shop_now"),
        ("Zum Shop", "shop_now"),
        ("Acquista ora", "shop_now"),
        ("Compre já", "shop_now"),
        ("Add to bag", "buy_now"),
        ("Get yours", "buy_now"),
        ("Buy today", "buy_now"),
        ("Añadir al carrito", "buy_now"),
        ("Place your order", "order_now"),
        ("Order today", "order_now"),
        ("Pídelo ya", "order_now"),
        ("Je commande", "order_now"),
        ("Zur Bestellung", "order_now"),
        ("Jetzt bestellen", "order_now"),
        ("Peça agora", "order_now"),
        ("See how it works", "learn_more"),
        ("Find out more", "learn_more"),
        ("Saber más", "learn_more"),
        ("Plus d'infos", "learn_more"),
        ("Weitere Infos", "learn_more"),
        ("Scopri di più", "learn_more"),
        ("Saiba mais", "learn_more"),
        ("Create account", "sign_up"),
        ("Join today", "sign_up"),
        ("Crea tu cuenta", "sign_up"),
        ("Créer un compte", "sign_up"),
        ("Konto erstellen", "sign_up"),
        ("Registrati", "sign_up"),
        ("Cadastre-se", "sign_up"),
        ("Become a subscriber", "subscribe"),
        ("Subscribe & save", "subscribe"),
        ("Je m'abonne", "subscribe"),
        ("Grab the deal", "get_offer"),
        ("Claim your discount", "get_offer"),
        ("Unlock offer", "get_offer"),
        ("Redeem", "get_offer"),
        ("Aprovecha la oferta", "get_offer"),
        ("Bénéficier de l'offre", "get_offer"),
        ("Gutschein einlösen", "get_offer"),
        ("Angebot sichern", "get_offer"),
        ("Approfittane", "get_offer"),
        ("Aproveite", "get_offer"),
    ],
)
def test_calls_to_action_worded_many_ways_are_found_with_their_kind(read: str, kind: str) -> None:
    cta = analyse_text(["Glow Botanicals", read], "").cta
    assert cta is not None and cta.kind == kind, (read, cta)


@pytest.mark.parametrize(
    ("read", "kind"),
    [
        ("Ends at midnight", "deadline"),
        ("Ends Sunday", "deadline"),
        ("One week only", "deadline"),
        ("Final days", "deadline"),
        ("Last chance", "deadline"),
        ("Now or never", "deadline"),
        ("Limited time", "deadline"),
        ("Today only", "deadline"),
        ("Offer expires tonight", "deadline"),
        ("Por tiempo limitado", "deadline"),
        ("Últimas horas", "deadline"),
        ("Hasta medianoche", "deadline"),
        ("Durée limitée", "deadline"),
        ("Jusqu'à minuit", "deadline"),
        ("Nur für kurze Zeit", "deadline"),
        ("Nur noch heute", "deadline"),
        ("Solo per poco tempo", "deadline"),
        ("Ultimi giorni", "deadline"),
        ("Só hoje", "deadline"),
        ("Até domingo", "deadline"),
        ("3 days to go", "countdown"),
        ("2 days left", "countdown"),
        ("Only 12 hours remaining", "countdown"),
        ("Faltan 2 días", "countdown"),
        ("Il reste 3 jours", "countdown"),
        ("Noch 5 Stunden", "countdown"),
        ("Mancano 2 giorni", "countdown"),
        ("Faltam 3 dias", "countdown"),
        ("Lightning deal", "flash_sale"),
        ("Flash sale", "flash_sale"),
        ("Flash deals", "flash_sale"),
        ("Descuentos flash", "flash_sale"),
        ("Promo flash", "flash_sale"),
        ("24-Stunden-Sale", "flash_sale"),
        ("Vendite flash", "flash_sale"),
        ("Promoção relâmpago", "flash_sale"),
    ],
)
def test_urgency_worded_many_ways_is_found_with_its_kind(read: str, kind: str) -> None:
    findings = analyse_text([read], "")
    found = {
        "deadline": findings.urgency_phrases,
        "countdown": findings.countdown_phrases,
        "flash_sale": findings.flash_sale_phrases,
    }
    assert found[kind], (read, found)


@pytest.mark.parametrize(
    "texts",
    [
        ["Skin that feels free", "Fragrance-free, cruelty-free, paraben free"],
        ["Your daily routine, simplified", "Set and forget"],
        ["Shop-quality results at home", "Oil-free formula"],
        ["The perfect gift for her", "Gift-ready packaging", "Free your skin"],
        ["Free from sulfates", "Ships worldwide", "2 in 1 cleanser"],
        ["Reset your skin", "A mindset shift", "Sunset glow"],
        ["30% menos brillo", "Hidratación que dura", "El regalo perfecto"],
        ["Sans parfum", "Idée cadeau", "Peau éclatante en 7 jours"],
        ["Ohne Duftstoffe", "Das perfekte Geschenk", "Reduziert Rötungen"],
        ["Senza profumo", "Pelle luminosa", "Il regalo perfetto"],
        ["Sem parabenos", "O presente perfeito", "Pele radiante"],
        ["Up to 50% more hydration", "72-hour moisture", "10% niacinamide"],
        ["Free to be you", "Sugar-free, gluten-free", "Feel free to glow"],
        ["We ship worldwide", "Delivered to your door", "Shipping in 2 days"],
    ],
)
def test_benefit_lines_and_free_from_claims_are_not_offers(texts: list[str]) -> None:
    findings = analyse_text(texts, "")
    assert findings.offers == () and findings.cta is None and not findings.urgency, findings.phrases


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Shipping on the house", "free_shipping"),
        ("Your mini bonus comes with every purchase", "free_gift"),
        ("Regalo incluso nel tuo ordine", "free_gift"),
        ("Test it 14 days, no commitment", "trial"),
        ("Take 3, pay for 2", "bogo"),
        ("Zweites Teil gratis", "bogo"),
        ("$20 promo on serums", "amount_off"),
        ("Versand geschenkt", "free_shipping"),
        ("Buy two serums and the third is on us", "bogo"),
        ("Get 2, pay 1", "bogo"),
        ("Ten euros off your first order", "amount_off"),
        ("Twenty percent off everything", "percent_off"),
        ("Your gift is waiting", "free_gift"),
        ("Buy any two, the cheapest one is free", "bogo"),
        ("10 € weniger", "amount_off"),
        ("A gift in every parcel", "free_gift"),
        ("Crème mains offerte", "free_gift"),
        ("Pick two, pay for one", "bogo"),
        ("Deux sérums pour le prix d'un", "bogo"),
    ],
)
def test_an_offer_worded_as_no_rule_words_it_is_known_by_its_two_halves(text: str, kind: str) -> None:
    (offer,) = analyse_text([text], "").offers
    assert (offer.kind, offer.text) == (kind, text)
    assert "naming a" in offer.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Free your skin, order your gift, delivered",  # the halves are in different clauses
        "Our gift to the planet: refillable glass bottles that ship in recycled paper, free of plastic",  # too long
        "30% less shine by noon",
        "Zero-waste shipping",
        "Try our bestsellers",
        "Feel free when you glow",
        "Free from parabens when you need it most",
        "Feel free with every step",
        "Duftstofffrei und vegan",
        "Mini size, maximum glow",
        "Buy online, enjoy free returns",
        "Buy one for a friend, free your skin",
    ],
)
def test_words_of_an_offer_apart_or_in_a_long_line_are_no_offer(text: str) -> None:
    assert analyse_text([text], "").offers == ()


@pytest.mark.parametrize(
    ("text", "deadline", "countdown", "flash_sale"),
    [
        ("Offer ends June 3", True, False, False),
        ("Fin le 12/06", True, False, False),
        ("While supplies last", True, False, False),
        ("IN 5 TAGEN VORBEI", False, True, False),
        ("J-2 avant la fin", False, True, False),
        ("Quedan 3 días", False, True, False),
        ("Oferta relámpago", False, False, True),
        ("Gone at midnight", True, False, False),
        ("Se acaba el viernes", True, False, False),
        ("Closing in 90 minutes", False, True, False),
        ("Opération flash", False, False, True),
        ("Gone are the days of dull skin", False, False, False),
        ("Éclaircit le teint", False, False, False),  # brightens: a claim, no flash sale
        ("Hydration that lasts all day", False, False, False),
    ],
)
def test_urgency_worded_by_its_parts(text: str, deadline: bool, countdown: bool, flash_sale: bool) -> None:
    findings = analyse_text([text], "")
    found = (bool(findings.urgency_phrases), bool(findings.countdown_phrases), bool(findings.flash_sale_phrases))
    assert found == (deadline, countdown, flash_sale)


@pytest.mark.parametrize(
    ("read", "kind"),
    [
        ("JETZT ENTDECKEN", "learn_more"),
        ("Explore today", "learn_more"),
        ("Réservez maintenant", "book_now"),
        ("Explore the science", "learn_more"),
        ("DETAILS ANSEHEN", "learn_more"),  # the verb last, after what it acts on
        ("START YOUR ORDER", "order_now"),  # a general verb: the object says the kind
        ("JE COMMANDE", "order_now"),  # in the reader's voice
        ("SUBSCRIBE TO REFILLS", "subscribe"),
    ],
)
def test_a_line_of_its_own_with_an_imperative_and_a_finishing_word_is_a_call_to_action(read: str, kind: str) -> None:
    assert _cta([Phrase(read)]) == (read.upper(), kind)


@pytest.mark.parametrize(
    "read", ["Discover radiance", "Explore the collection of serums", "Now in stores", "Firmness you can feel"]
)
def test_a_line_without_both_an_imperative_and_a_finishing_word_is_no_call_to_action(read: str) -> None:
    assert _cta([Phrase(read)]) is None


@pytest.mark.parametrize(
    "copy",
    [
        "Forget yours stress, this serum works while you sleep.",
        "We love to shop local and source responsibly.",
        "Join us in our mission to make skincare simple.",
    ],
)
def test_copy_without_a_call_to_action_gets_none(copy: str) -> None:
    assert analyse_text([], copy).cta is None


@pytest.mark.parametrize("read", ["PLUS QUE 2 JOURS", "MEHR ALS 100 SORTEN", "DEAL ENDS TONIGHT", "ZUM 1. MAL"])
def test_a_button_starting_with_a_call_to_actions_first_word_that_is_no_verb_is_none(read: str) -> None:
    assert _cta([Phrase(read, button=_BUTTON)]) is None


@pytest.mark.parametrize(
    ("read", "kind"),
    [("BROWSE THE RANGE", "shop_now"), ("CLAIM MY GIFT", "get_offer"), ("UNLOCK 20% OFF", None)],
)
def test_a_short_imperative_with_a_new_verb_in_a_button_is_a_call_to_action(read: str, kind: str | None) -> None:
    found = _cta([Phrase(read, button=_BUTTON)])
    assert (found[1] if found else None) == kind


@pytest.mark.parametrize(
    ("text", "offer", "cta"),
    [
        ("ORDER YOUR KIT", None, "order_now"),  # the set a call to action buys is its object
        ("BUY THE TRIO", None, "buy_now"),
        ("THE HAIR RESCUE TRIO", "bundle", None),  # a set a line names by itself is the offer
        ("BUY THE TRIO FOR $40", "bundle", None),  # at a price, it is one whatever opens the line
    ],
)
def test_a_set_is_an_offer_unless_a_call_to_action_buys_it(text: str, offer: str | None, cta: str | None) -> None:
    findings = analyse_text([text], "")
    said = (findings.offer.kind if findings.offer else None, findings.cta.kind if findings.cta else None)
    assert said == (offer, cta)
