"""Acquisition: a brand's ads from every source, creatives streamed into S3, rows merged and upserted.

- :mod:`~adology.acquisition.run`: :func:`run_acquisition` over a run's brands, the source and media configuration;
- :mod:`~adology.acquisition.brand`: :func:`acquire_brand`, page by page;
- :mod:`~adology.acquisition.rows`: a fetched ad merged into its stored row, the upsert, the invariants.
"""
