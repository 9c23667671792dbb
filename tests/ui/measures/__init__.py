"""Tests of ui/measures: the Measures tab, measure entry, sparklines."""
