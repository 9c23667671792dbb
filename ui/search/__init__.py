"""Search across every note of the vault (Ctrl+Shift+F)."""
