"""Every preference, declared once with its type and default (and never anything clinical).

QSettings holds window geometry, splitter positions, the idle timeout and the last vault's
path. No client name, record number or id ever goes here: the file is not encrypted.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from ui.shell.names import APP_NAME

ORGANISATION = "IntegrationWorkstation"

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    minimum: int | None = None
    maximum: int | None = None


IDLE_MINUTES = Setting("lock/idle_minutes", int, 10, minimum=1, maximum=120)
LAST_VAULT = Setting("vault/last_path", str, "")
WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
MAIN_SPLITTER = Setting("window/main_splitter", QByteArray, QByteArray())
# Where backups go and how many dated ones a folder keeps (the oldest beyond are removed).
BACKUP_FOLDER = Setting("backup/folder", str, "")
KEEP_BACKUPS = Setting("backup/keep", int, 10, minimum=1, maximum=365)
# The practice's name printed on reports: about the practice, never about a client.
REPORT_PRACTICE = Setting("reports/practice", str, "")



class Settings:
    """Typed access to QSettings; a value of the wrong type reads as the default."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                 ORGANISATION, APP_NAME)
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, setting: Setting[T]) -> T:
        raw = self._qs.value(setting.key, None)
        if raw is None:
            return setting.default
        try:
            if setting.type is bool and isinstance(raw, str):
                value: Any = raw.lower() in ("1", "true", "yes")
            elif isinstance(raw, setting.type):
                value = raw
            elif setting.type is int:
                value = int(str(raw))
            elif setting.type is str:
                value = str(raw)
            else:
                return setting.default
        except (TypeError, ValueError):
            return setting.default
        if isinstance(value, int) and not isinstance(value, bool):
            if setting.minimum is not None and value < setting.minimum:
                return setting.default
            if setting.maximum is not None and value > setting.maximum:
                return setting.default
        return value  # type: ignore[no-any-return]

    def set(self, setting: Setting[T], value: T) -> None:
        if not isinstance(value, setting.type):
            raise TypeError(f"{setting.key} takes {setting.type.__name__}")
        self._qs.setValue(setting.key, value)

    def sync(self) -> None:
        """Write the file, readable by its owner only (its folder too): it holds no client
        data, but it says which vault this person uses and where."""
        self._qs.sync()
        path = Path(self._qs.fileName())
        with contextlib.suppress(OSError):
            if path.exists():
                os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            if path.parent.name == ORGANISATION:  # our own folder, never a shared one
                os.chmod(path.parent, stat.S_IRWXU)

    @property
    def file_name(self) -> str:
        return self._qs.fileName()
