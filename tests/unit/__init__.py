"""Unit tests of the domain and the reports: no Qt."""
