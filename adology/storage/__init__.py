"""Thin, typed clients for the stores Adology uses: Postgres, S3, SQS and Mongo."""
