"""What the API serves, read from the materialized tables: each list is a :class:`~.listing.Query`
that pages by keyset for JSON and streams whole for CSV, and each detail a function of a connection.
Tenancy is not decided here: callers pass the brands or organization a principal may read."""
