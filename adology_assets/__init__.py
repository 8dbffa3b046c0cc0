"""Adology's Dagster assets, partitions, checks and jobs; ``definitions.py`` is the entry point."""
