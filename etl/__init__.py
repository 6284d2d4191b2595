"""Validate and load integrity submissions (norm scores, survey aggregates) into DuckDB."""
