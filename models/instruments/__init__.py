"""Symptom measures: definitions, loading, scoring, change over time and chart series."""
