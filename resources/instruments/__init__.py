"""Instrument definitions (TOML), read through importlib.resources."""
