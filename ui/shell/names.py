"""The application's name, its vault files' suffix, and window titles that name no client."""

from __future__ import annotations

APP_NAME = "Integration Workstation"
VAULT_SUFFIX = ".iwvault"
VAULT_FILTER = f"{APP_NAME} vaults (*{VAULT_SUFFIX});;All files (*)"


def window_title(subject: str | None = None) -> str:
    """A window's title: what it shows (a vault file, "Session note"; never a client), then
    the application. The application's name comes last because Qt adds it to any title
    that does not end with it: "practice.iwvault — Integration Workstation", not the
    name twice."""
    return f"{subject} — {APP_NAME}" if subject else APP_NAME
