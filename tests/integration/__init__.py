"""Integration tests: real SQLCipher files on disk, the CLI as a subprocess."""
