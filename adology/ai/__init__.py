"""The AI library: typed routines (describe, label, embed) over pluggable providers.

Routines and providers are plain Python (no Dagster): the assets and the ``adology ai`` harness
use the very same objects.
"""
