"""Media acquisition: stream creatives from source URLs into content-addressed S3 objects."""
