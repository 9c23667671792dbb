"""Symptom measures: the Measures tab, item-by-item entry, custom measures, sparklines."""
