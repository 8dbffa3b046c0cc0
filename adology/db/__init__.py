"""The Postgres schema (ordered SQL migrations) and the code that applies it."""
