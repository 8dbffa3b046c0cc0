"""The knowledge layer: what the analysed ads add up to, per brand and per brandspace.

- :mod:`~adology.knowledge.refresh`: the report-refresh rule and the signals it reads;
- :mod:`~adology.knowledge.report_model`, :mod:`~adology.knowledge.report`: the brandspace report, and how it
  is computed;
- :mod:`~adology.knowledge.snapshots`: each report version stored (S3 snapshot, then its row).
"""
