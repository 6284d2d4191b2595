"""Reads: the read model (every read of the database, access applied once), the access
policy, and the export formatting."""
