"""Benchmarks that print figures (no Django needed for the extraction engine)."""
