"""Tests of models.instruments, one module for each of its modules."""
