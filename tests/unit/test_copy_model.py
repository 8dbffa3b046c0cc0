"""The copy model: what it learns from its examples, what it reads on lines it never saw, and how
the text analysis uses it after its rules."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import pytest

from adology.ai.local import copy_model
from adology.ai.local.buttons import Button
from adology.ai.local.copy_model import Example, check_labels, examples, fit, read_line, reading_of
from adology.ai.local.copy_patterns import compact
from adology.ai.local.phrases import Phrase
from adology.ai.local.text import MODEL_SURE, analyse_blocks, analyse_text


def _rows() -> list[dict[str, str]]:
    document = resources.files("adology.ai").joinpath("data", copy_model.EXAMPLES).read_text(encoding="utf-8")
    rows: list[dict[str, str]] = json.loads(document)["examples"]
    return rows


def test_every_example_label_is_a_schema_value_and_a_wrong_one_is_refused() -> None:
    loaded = examples()
    assert len(loaded) > 1000
    families = {example.label.partition(":")[0] for example in loaded}
    assert families == {"offer", "cta", "urgency", "other"}
    with pytest.raises(ValueError, match="offer:half_price"):
        check_labels((*loaded[:3], Example("HALF PRICE", "offer:half_price")))


def test_fitting_is_deterministic() -> None:
    training = examples()[::3]
    first, second = fit(training), fit(training)
    for line in ("50% OFF", "JETZT ENTDECKEN", "Glow that lasts"):
        assert first.predict_proba([compact(line)]).tolist() == second.predict_proba([compact(line)]).tolist()


def test_on_a_wording_it_never_saw_it_reads_about_half_the_lines_and_never_a_plain_one() -> None:
    """Fitted without one list of wording (written apart from the others), the model reads a good
    share of that list's offers, calls to action and urgency lines in the right family and never
    takes a headline or brand name for one: it complements the rules, which read most lines."""
    rows = _rows()
    held = [row for row in rows if row["list"] == "blind 3"]
    model = fit(tuple(Example(row["text"], row["label"]) for row in rows if row["list"] != "blind 3"))
    right: dict[str, int] = {}
    wrong_family = plain_read = 0
    for row in held:
        family = row["label"].partition(":")[0]
        reading = reading_of(model, compact(row["text"]))
        if family == "other":
            plain_read += reading is not None
        elif reading is not None and reading.family == family:
            right[family] = right.get(family, 0) + 1
        elif reading is not None:
            wrong_family += 1
    totals = {family: sum(row["label"].startswith(f"{family}:") for row in held) for family in ("offer", "cta")}
    assert all(right[family] / totals[family] >= 0.4 for family in totals), (right, totals)
    assert plain_read == 0
    assert wrong_family <= 0.02 * len(held)


@pytest.mark.parametrize(
    "line",
    [
        "Clinically proven to smooth",
        "Gift-wrapped in recycled paper",
        "Free of mineral oils",
        "2-in-1 shampoo and conditioner",
        "Now in a bigger size",
        "Ein Duft wie ein Geschenk",
        "Livraison soignée",
    ],
)
def test_lines_that_only_share_words_with_offers_are_not_read_as_one(line: str) -> None:
    assert read_line(line) is None


def test_a_line_no_rule_names_is_found_by_the_model_with_its_probability_as_evidence() -> None:
    findings = analyse_text(["Pure glow, every day", "LIEFERUNG ZUM NULLTARIF", "DEVENIR MEMBRE"], "")
    (offer,) = findings.offers
    assert (offer.kind, offer.text) == ("free_shipping", "LIEFERUNG ZUM NULLTARIF")
    assert "the copy model reads it as offer free_shipping (p=0." in offer.evidence
    assert findings.cta is not None and findings.cta.kind == "sign_up"
    assert "the copy model reads it as cta sign_up" in findings.cta.evidence


def test_the_model_comes_after_the_rules() -> None:
    ruled = analyse_text(["50% OFF"], "").offers
    assert [offer.evidence for offer in ruled] == ['read "50% OFF" on the creative']


_BOX = Button((0.3, 0.7, 0.7, 0.8), 0.9)


def test_an_urgency_line_stacked_on_a_call_to_action_leaves_it_a_line_of_its_own() -> None:
    findings = analyse_blocks([(Phrase("Just 2 days to go"), Phrase("ORDER A JAR"))], "")
    assert findings.countdown_phrases == ("2 days to go",)
    assert findings.cta is not None and (findings.cta.text, findings.cta.kind) == ("ORDER A JAR", "order_now")
    headline = analyse_blocks([(Phrase("Our best ORDER NO"), Phrase("ORDER NO"))], "")
    assert headline.cta is None  # stacked under a line that is no offer or deadline: not its own line


def test_a_badge_the_model_reads_as_an_offer_is_no_call_to_action() -> None:
    findings = analyse_blocks([(Phrase("LIEFERUNG ZUM NULLTARIF", button=_BOX),)], "")
    assert [offer.kind for offer in findings.offers] == ["free_shipping"]
    assert findings.cta is None


def test_a_button_label_no_verb_list_knows_takes_the_model_kind() -> None:
    cta = analyse_blocks([(Phrase("Kundenkonto Anlegen", button=_BOX),)], "").cta
    assert cta is not None and cta.kind == "sign_up" and cta.guessed
    assert re.search(r"its label; the copy model reads it as cta sign_up \(p=0\.\d\d\)$", cta.evidence)


def test_one_word_reads_in_a_box_but_not_on_a_plain_line() -> None:
    assert analyse_blocks([(Phrase("HAPPY-HOUR-SALE", button=_BOX),)], "").flash_sale_phrases == ("HAPPY-HOUR-SALE",)
    assert analyse_blocks([(Phrase("HAPPY-HOUR-SALE"),)], "").flash_sale_phrases == ()


def test_a_known_verb_on_an_unfinished_line_needs_a_sure_model() -> None:
    cta = analyse_text(["ORDER BY PHONE"], "").cta  # the rules know ORDER, not "BY PHONE"
    assert cta is not None and cta.kind == "order_now" and cta.guessed
    reading = read_line("SHOP SMARTER SKINCARE")
    assert reading is None or reading.probability < MODEL_SURE  # a headline the model half believes
    assert analyse_text(["SHOP SMARTER SKINCARE"], "").cta is None


def test_an_elided_pronoun_makes_a_second_word_and_a_button_holds_five() -> None:
    cta = analyse_text(["M'INSCRIRE"], "").cta
    assert cta is not None and cta.kind == "sign_up"
    five = analyse_blocks([(Phrase("PUT IT IN MY CART", button=_BOX),)], "").cta
    assert five is not None and five.text == "PUT IT IN MY CART"


def test_threads_reading_at_once_fit_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fits: list[int] = []
    real_fit = copy_model.fit

    def counted(training: tuple[Example, ...]) -> object:
        fits.append(1)
        return real_fit(training)

    monkeypatch.setattr(copy_model, "fit", counted)
    copy_model._fitted.cache_clear()
    copy_model._read_compact.cache_clear()
    try:
        with ThreadPoolExecutor(8) as threads:
            list(threads.map(read_line, [f"LINE {i} TO READ" for i in range(16)]))
        assert len(fits) == 1
    finally:
        copy_model._fitted.cache_clear()
        copy_model._read_compact.cache_clear()
