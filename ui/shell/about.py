"""The About box: what the application is, its version, and where the data lives."""

from __future__ import annotations

from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox, QWidget

from reports import palette
from ui.shell.names import APP_NAME


def app_version() -> str:
    try:
        return metadata.version("integration-workstation")
    except metadata.PackageNotFoundError:
        return "development"


def about_text(vault_name: str | None) -> str:
    where = (f"<p>Open vault: <b>{vault_name}</b> (SQLCipher 4, AES-256).</p>"
             if vault_name else "<p>No vault is open.</p>")
    return (
        f"<h3>{APP_NAME}</h3>"
        f"<p>Version {app_version()}</p>"
        "<p>Offline, encrypted documentation for ketamine-assisted psychotherapy and its "
        "integration sessions (EMDR, ART, IFS).</p>"
        f"{where}"
        "<p>Every record stays in the encrypted vault file on this computer. The "
        "application keeps only window sizes, the idle lock time and the last vault's "
        "location in its preferences; nothing about a client.</p>"
        f"<p style='color:{palette.MUTED}'>Qt for Python {pyside_version}</p>"
    )


def show_about(parent: QWidget, vault_name: str | None) -> None:
    QMessageBox.about(parent, f"About {APP_NAME}", about_text(vault_name))
