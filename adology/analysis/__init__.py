"""Per-ad AI analysis: the stages (describe, label, embed) as objects, run over a run's brands in one
streaming fan-out each, with results in Postgres, documents in Mongo and per-ad logs in S3.

- :mod:`~adology.analysis.stages`: :class:`Stage` and :data:`STAGES`, each stage's table writer and invariants;
- :mod:`~adology.analysis.candidates`: which ads need a stage, and their inputs;
- :mod:`~adology.analysis.fanout`: :func:`analyze_brands`, the fan-out with its background writer;
- :mod:`~adology.analysis.records`: storing outcomes, :func:`read_ad_log`;
- :mod:`~adology.analysis.stage_report`: :class:`StageReport`, what a stage did in a run.
"""
