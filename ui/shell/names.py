"""The application's name, its vault files' suffix, and window titles that name no client."""

from __future__ import annotations

APP_NAME = "Integration Workstation"
VAULT_SUFFIX = ".iwvault"
VAULT_FILTER = "Integration Workstation vaults (*.iwvault);;All files (*)"


def vault_title(vault_name: str | None) -> str:
    """The window title: the application and the vault file, never a client."""
    return f"{APP_NAME} — {vault_name}" if vault_name else APP_NAME
