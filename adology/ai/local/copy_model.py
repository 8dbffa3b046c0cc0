"""The copy model: a statistical reading of one short line of ad copy, for wording no rule names.

The rules of :mod:`.copy_patterns` recognise the offers, calls to action and urgency lines they
were written for and nothing else; ad copy keeps finding new words ("GRAB THE DUO", "DIE ERSTEN
100 GRATIS"). The copy model reads a line by its letters: character 2- to 5-grams of the line's
compact form (upper case, no spaces, accents folded, as OCR delivers it), weighted by TF-IDF, and a
multinomial logistic regression over the labels of ``adology/ai/data/copy_examples.v1.json``
(every ``offer_type``, ``cta_type`` and urgency kind the evaluation draws, in four languages, and
lines that are none of them). It is fitted from that file the first time a process needs it (about
0.7 CPU-seconds; deterministic), so nothing is downloaded or unpickled across library versions.

A line is read as an offer, a call to action or urgency only when that family holds the most
probability and at least :data:`MIN_FAMILY_PROBABILITY` of it; callers use it after their rules and
put the probability in the evidence.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from threadpoolctl import threadpool_limits

from adology.ai.local.copy_patterns import compact
from adology.ai.schema import attribute_schema

log = logging.getLogger(__name__)

Family = Literal["offer", "cta", "urgency"]
FAMILIES: tuple[Family, ...] = ("offer", "cta", "urgency")
OTHER = "other"
URGENCY_KINDS = ("deadline", "countdown", "flash_sale")
LANGUAGES = frozenset({"en", "es", "fr", "de"})  # the languages of its examples

# Below this a family is not the clear reading: measured on the retired blind wordings, a lower
# bar trades each recovered line for one read as the wrong family (an urgency line as an offer).
MIN_FAMILY_PROBABILITY = 0.5
EXAMPLES = "copy_examples.v1.json"


@dataclass(frozen=True, slots=True)
class CopyReading:
    family: Family
    kind: str  # an ``offer_type``, a ``cta_type`` or an urgency kind
    probability: float  # the family's probability; the kind is the family's likeliest

    def describe(self) -> str:
        return f"the copy model reads it as {self.family} {self.kind} (p={self.probability:.2f})"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str  # "offer:percent_off", "cta:shop_now", "urgency:deadline" or "other"


def examples() -> tuple[Example, ...]:
    """The labelled lines, each label checked against the attribute schema in force."""
    document = json.loads(resources.files("adology.ai").joinpath("data", EXAMPLES).read_text(encoding="utf-8"))
    return check_labels(tuple(Example(row["text"], row["label"]) for row in document["examples"]))


def check_labels(loaded: tuple[Example, ...]) -> tuple[Example, ...]:
    """``loaded``, or ValueError naming the labels that are no ``offer_type``, ``cta_type`` or urgency kind."""
    known = {OTHER, *(f"urgency:{kind}" for kind in URGENCY_KINDS)}
    for spec in attribute_schema().attributes:
        family = {"offer_type": "offer", "cta_type": "cta"}.get(spec.name)
        if family is not None:
            known |= {f"{family}:{value}" for value in spec.values or () if value != "none"}
    unknown = sorted({example.label for example in loaded} - known)
    if unknown:
        raise ValueError(f"{EXAMPLES} has labels the attribute schema does not know: {', '.join(unknown)}")
    return loaded


def fit(training: tuple[Example, ...]) -> Pipeline:
    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(2, 5), lowercase=False, sublinear_tf=True),
        # newton-cg reaches lbfgs's optimum (the loss is convex) in a few iterations; one BLAS
        # thread, since more only add overhead on matrices this small (0.7 CPU-seconds instead of 7.6)
        LogisticRegression(C=10.0, solver="newton-cg", max_iter=200),
    )
    with threadpool_limits(limits=1):
        return model.fit([compact(example.text) for example in training], [example.label for example in training])


_fitting = threading.Lock()


def _model() -> Pipeline:
    # The provider reads ads in many threads at once: without the lock each would fit its own model
    # when a run starts, sixteen fits where one will do.
    with _fitting:
        return _fitted()


@functools.cache
def _fitted() -> Pipeline:
    started = time.thread_time()
    training = examples()
    model = fit(training)
    log.info(
        "fitted the copy model",
        extra={
            "examples": len(training),
            "labels": len(model.classes_),
            "cpu_seconds": round(time.thread_time() - started, 2),
        },
    )
    return model


def read_line(text: str) -> CopyReading | None:
    """What ``text`` is, when the model is clear that it is an offer, a call to action or urgency."""
    folded = compact(text)
    return _read_compact(folded) if folded else None


@functools.lru_cache(maxsize=8192)
def _read_compact(folded: str) -> CopyReading | None:
    # Cached: a line is asked about once per family, and ads of one brand repeat their lines.
    return reading_of(_model(), folded)


def reading_of(model: Pipeline, folded: str) -> CopyReading | None:
    """The reading ``model`` gives the compact line ``folded``: the family with the most probability,
    when it has at least :data:`MIN_FAMILY_PROBABILITY` and more than "none of them"."""
    probabilities = model.predict_proba([folded])[0]
    labels = [str(label) for label in model.classes_]
    by_family: dict[str, list[tuple[float, str]]] = {family: [] for family in FAMILIES}
    for probability, label in zip(probabilities, labels, strict=True):
        family, _, kind = label.partition(":")
        if family in by_family:
            by_family[family].append((float(probability), kind))
    totals = {family: sum(p for p, _ in kinds) for family, kinds in by_family.items()}
    other = float(probabilities[labels.index(OTHER)])
    best = max(FAMILIES, key=totals.__getitem__)
    if totals[best] < MIN_FAMILY_PROBABILITY or totals[best] <= other:
        return None
    return CopyReading(best, max(by_family[best])[1], totals[best])
