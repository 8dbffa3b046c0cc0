"""The evaluation report as a plain-text table: one row per figure, the counts behind it beside it,
"not measured" where nothing could be counted."""

from __future__ import annotations

from adology.ai.evaluation.metrics import AttributeFigures, Detection, Figures, Ratio
from adology.ai.evaluation.run import EvaluationReport
from adology.ai.evaluation.truth import DECIDABLE_LABELS

_NOT_MEASURED = "not measured"
_DETECTED = {"offer": "offer", "cta": "CTA", "urgency": "urgency"}
_BREAKDOWNS_SHOWN = ("language", "role", "background", "format", "encoding")


def format_report(report: EvaluationReport) -> str:
    figures = report.figures
    rows: list[tuple[str, str, str]] = []
    rows += _ocr_rows(figures)
    rows += _detection_rows(figures)
    leaks = figures.offer_labels_without_offer
    rows.append(
        (
            "offer labels on ads with no offer",
            f"{leaks.ads} ads",
            f"{leaks.labels} labels on {leaks.ads} of {leaks.of} ads"
            + (f": {', '.join(leaks.ad_ids)}" if leaks.ad_ids else ""),
        )
    )
    for taxonomy, labels in figures.labels.items():
        rows.append((f"{taxonomy} labels precision / recall", _pr(labels.overall), _counts(labels.overall)))
        for label, detection in labels.by_label.items():
            rows.append((f"  {label}", _pr(detection), _counts(detection)))
    rows.append(("attribute accuracy (answered)", "", "over the ads whose truth decides it"))
    rows += [
        (f"  {name}", _attribute(figure), _ratio_counts(figure.accuracy)) for name, figure in figures.attributes.items()
    ]
    rows.append(
        (
            "descriptions within 500 words",
            _value(figures.descriptions_within_limit),
            _ratio_counts(figures.descriptions_within_limit)
            + (
                f", longest {figures.longest_description_words}"
                if figures.longest_description_words is not None
                else ""
            ),
        )
    )
    timing = report.timing
    rows.append(
        (
            "seconds per ad",
            _number(timing.seconds_per_ad),
            f"{timing.wall_seconds:.1f} s wall for {report.ads} ads, {timing.ads_in_flight} in flight; "
            f"latency p50 {_number(timing.latency_p50_seconds)} s, p95 {_number(timing.latency_p95_seconds)} s",
        )
    )
    rows.append(("CPU-seconds per ad", _number(timing.cpu_seconds_per_ad), f"{timing.cpu_seconds:.1f} CPU-s in all"))
    failures = "; ".join(
        f"{routine}: " + ", ".join(f"{reason} ×{count}" for reason, count in reasons.items())
        for routine, reasons in figures.failures.items()
    )
    rows.append(
        (
            "ads with an error",
            f"{len(figures.ads_with_errors)} ads",
            f"of {report.ads}: what each got wrong is listed in --json (figures.ads_with_errors)",
        )
    )
    rows.append(
        (
            "failed calls",
            "none" if not failures else str(sum(sum(r.values()) for r in figures.failures.values())),
            failures,
        )
    )
    return "\n".join([*_heading(report), "", *_table(rows), "", *_footnotes(report)])


def _heading(report: EvaluationReport) -> list[str]:
    formats = ", ".join(f"{name} {count}" for name, count in sorted(report.formats.items()))
    languages = ", ".join(f"{name} {count}" for name, count in sorted(report.languages.items()))
    return [
        f"adology ai eval: provider {report.provider}, seed {report.seed} ({report.set} set), {report.ads} ads",
        f"  formats: {formats}; languages: {languages}",
        f"  versions: {', '.join(f'{name} {version}' for name, version in report.versions.items())}",
        f"  typefaces: {', '.join(report.typefaces)}",
    ]


def _ocr_rows(figures: Figures) -> list[tuple[str, str, str]]:
    ocr = figures.ocr
    if not ocr.measured:
        return [("OCR word recall", _NOT_MEASURED, ""), ("OCR word precision", _NOT_MEASURED, "")]
    rows = [
        ("OCR word recall", _value(ocr.recall), f"{ocr.recall.count} of {ocr.recall.of} drawn words read"),
        (
            "OCR word precision",
            _value(ocr.precision),
            f"{ocr.precision.count} of {ocr.precision.of} words read were drawn",
        ),
    ]
    for name in _BREAKDOWNS_SHOWN:
        groups = ocr.recall_by.get(name, {})
        if groups:
            rows.append((f"  recall by {name}", "", ", ".join(f"{group} {_value(r)}" for group, r in groups.items())))
    return rows


def _detection_rows(figures: Figures) -> list[tuple[str, str, str]]:
    rows = []
    for key, name in _DETECTED.items():
        detection = figures.detection[key]
        what = "phrase" if key == "urgency" else "type"
        rows.append((f"{name} detection precision / recall", _pr(detection.presence), _counts(detection.presence)))
        rows.append((f"  with the right {what}", _pr(detection.typed), _counts(detection.typed)))
    return rows


def _footnotes(report: EvaluationReport) -> list[str]:
    decided = "; ".join(f"{taxonomy}: {', '.join(sorted(labels))}" for taxonomy, labels in DECIDABLE_LABELS.items())
    return [
        f"labels scored (the truth decides them): {decided}",
        "n/m: not measured (nothing to count: no ad said it, or no ad has it)",
        *(f"not measured: {note}" for note in report.not_measured),
    ]


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    return [f"{name:<{width}}  {value:>{value_width}}  {detail}".rstrip() for name, value, detail in rows]


def _value(ratio: Ratio) -> str:
    return _NOT_MEASURED if ratio.value is None else f"{ratio.value:.3f}"


def _number(value: float | None) -> str:
    return _NOT_MEASURED if value is None else f"{value:.3f}"


def _pr(detection: Detection) -> str:
    def one(value: float | None) -> str:
        return "n/m" if value is None else f"{value:.3f}"

    if detection.precision is None and detection.recall is None:
        return _NOT_MEASURED
    return f"{one(detection.precision)} / {one(detection.recall)}"


def _counts(detection: Detection) -> str:
    return f"tp {detection.true_positives}, fp {detection.false_positives}, fn {detection.false_negatives}"


def _ratio_counts(ratio: Ratio) -> str:
    return f"{ratio.count} of {ratio.of}"


def _attribute(figure: AttributeFigures) -> str:
    if figure.accuracy.value is None:
        return _NOT_MEASURED
    answered = figure.answered.value or 0.0
    return f"{figure.accuracy.value:.3f} ({answered:.0%})"
