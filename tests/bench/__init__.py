"""Benchmarks (make bench): start-up, the note form, measures and the vault, timed."""
