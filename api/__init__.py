"""The API server: FastAPI over the materialized tables, with tenancy, CSV exports and a WebSocket."""
