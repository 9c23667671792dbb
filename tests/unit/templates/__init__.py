"""Tests of models.templates, one module for each of its modules."""
