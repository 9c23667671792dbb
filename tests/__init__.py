"""Every test layer: unit (no Qt), ui (pytest-qt, offscreen), integration, bench."""
