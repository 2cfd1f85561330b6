"""Commands for the fleet history store: ingest, sql, store ddl."""
