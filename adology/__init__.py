"""Adology core library: domain logic, storage clients and the embedded stack.

This package never imports Dagster or FastAPI; those layers depend on it, not the reverse.
"""
