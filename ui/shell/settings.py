"""Every preference, declared once with its type and default (and never anything clinical).

QSettings holds window geometry, splitter positions, the idle timeout and the last vault's
path. No client name, record number or id ever goes here: the file is not encrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "IntegrationWorkstation"
APPLICATION = "Integration Workstation"

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
# The practice's name printed on reports: about the practice, never about a client.
REPORT_PRACTICE = Setting("reports/practice", str, "")



class Settings:
    """Typed access to QSettings; a value of the wrong type reads as the default."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                 ORGANISATION, APPLICATION)
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
        self._qs.sync()

    @property
    def file_name(self) -> str:
        return self._qs.fileName()
