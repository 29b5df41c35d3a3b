"""The app's own settings (window state, recent databases, practice name) in one INI file.

``PMPM_SETTINGS`` names the file (tests point it into ``tmp_path``); otherwise it lives in the
user's config folder. Each option is a typed property with its default, so no caller spells a
key or a default twice.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from pmpm_desktop.db.database import APP_NAME

MAX_RECENT = 8


def settings_path() -> Path:
    override = os.environ.get("PMPM_SETTINGS")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.ini"


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._q.sync()

    def _text(self, key: str, default: str = "") -> str:
        value = self._q.value(key, default)
        return str(value) if value is not None else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._q.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # -- window ---------------------------------------------------------------------------
    @property
    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._q.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._q.setValue("window/state", value)

    @property
    def last_page(self) -> str:
        return self._text("window/last_page", "dashboard")

    @last_page.setter
    def last_page(self, key: str) -> None:
        self._q.setValue("window/last_page", key)

    # -- databases ------------------------------------------------------------------------
    @property
    def recent_databases(self) -> list[str]:
        value = self._q.value("databases/recent", [])
        # QSettings gives a lone string for a one-item list read back from some backends
        if isinstance(value, str):
            values: list[object] = [value]
        elif isinstance(value, (list, tuple)):
            values = list(value)
        else:
            values = []
        return [str(v) for v in values if str(v)]

    def add_recent_database(self, target: str) -> None:
        recent = [target, *(r for r in self.recent_databases if r != target)][:MAX_RECENT]
        self._q.setValue("databases/recent", recent)

    def remove_recent_database(self, target: str) -> None:
        self._q.setValue("databases/recent", [r for r in self.recent_databases if r != target])

    @property
    def last_database(self) -> str:
        return self._text("databases/last")

    @last_database.setter
    def last_database(self, target: str) -> None:
        self._q.setValue("databases/last", target)

    # -- first run and practice -----------------------------------------------------------
    @property
    def first_run_done(self) -> bool:
        return self._text("app/first_run_done", "false") == "true"

    @first_run_done.setter
    def first_run_done(self, done: bool) -> None:
        self._q.setValue("app/first_run_done", "true" if done else "false")

    @property
    def practice_name(self) -> str:
        return self._text("app/practice_name")

    @practice_name.setter
    def practice_name(self, name: str) -> None:
        self._q.setValue("app/practice_name", name.strip())

    @property
    def last_folder(self) -> str:
        """The folder the last file was picked from (file dialogs start there)."""
        return self._text("app/last_folder", str(Path.home()))

    @last_folder.setter
    def last_folder(self, folder: str) -> None:
        self._q.setValue("app/last_folder", folder)

    # -- pages ----------------------------------------------------------------------------
    @property
    def reconciliation_detail_width(self) -> int:
        """The Reconciliation page's detail pane width the user dragged it to (0: not yet)."""
        try:
            return max(0, int(self._text("reconciliation/detail_width", "0")))
        except ValueError:
            return 0

    @reconciliation_detail_width.setter
    def reconciliation_detail_width(self, width: int) -> None:
        self._q.setValue("reconciliation/detail_width", int(width))

    @property
    def last_export_folder(self) -> str:
        """The folder the last export was saved to ("" before the first): save dialogs start
        there (``ui/save_location.py``), never in the folder files were imported from."""
        return self._text("app/last_export_folder")

    @last_export_folder.setter
    def last_export_folder(self, folder: str) -> None:
        self._q.setValue("app/last_export_folder", folder)

    # -- Payers & Contracts page ----------------------------------------------------------
    @property
    def payers_splitters(self) -> QByteArray | None:
        """Where the user put the page's two splitters (payers | contracts, and both above the
        rate table), as ``PayersPage`` packs them; None until they were moved."""
        return self._bytes("payers/splitters")

    @payers_splitters.setter
    def payers_splitters(self, value: QByteArray) -> None:
        self._q.setValue("payers/splitters", value)
