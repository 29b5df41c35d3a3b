"""Where exports are saved: one rule for every save dialog of the app.

The first export defaults to the user's Documents folder (the home folder when there is none);
later ones to the folder the last export went to, remembered in the settings
(``Settings.last_export_folder``). Never the folder payer files were just imported from: that
one (``Settings.last_folder``) is the open dialogs' own. Default file names are plain text a
file system and a mail client take as they are: no en dash, no slash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from pmpm_desktop.io.private_files import create_folders
from pmpm_desktop.ui.settings import Settings

#: characters a default file name never holds (dashes other than "-" read badly in a path)
_UNSAFE = re.compile(r"[\u2010-\u2015\u2212/\\:*?\"<>|]")


def documents_folder() -> Path:
    """The user's Documents folder, created (private) when the system names one that a fresh
    account does not have yet; the home folder when the system names none or it cannot be
    made. Exports never land loose in the home folder of a fresh machine."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found:
        folder = Path(found)
        if not folder.is_dir() and folder.parent.is_dir() and folder != Path.home():
            try:
                create_folders(folder)
            except OSError:
                return Path.home()
        if folder.is_dir():
            return folder
    return Path.home()


def export_folder(settings: Settings) -> Path:
    """Where the next export goes: the folder of the last one while it exists, else
    :func:`documents_folder`."""
    last = settings.last_export_folder
    if last and Path(last).expanduser().is_dir():
        return Path(last).expanduser()
    return documents_folder()


def file_name(text: str) -> str:
    """``text`` as a default file name: dashes as "-", no path separators."""
    return _UNSAFE.sub("-", text).strip()


def suggested_path(settings: Settings, name: str) -> Path:
    """The full path a save dialog or a "Save as" field starts with."""
    return export_folder(settings) / file_name(name)


def remember(settings: Settings, path: Path) -> None:
    """The export went to ``path``: the next one starts in its folder."""
    settings.last_export_folder = str(Path(path).expanduser().parent)


def save_dialog(
    parent: QWidget,
    settings: Settings,
    *,
    title: str,
    name: str,
    name_filter: str,
    on_chosen: Callable[[Path], object],
    object_name: str = "saveDialog",
    suffix: str | None = None,
) -> QFileDialog:
    """Open a non-blocking save dialog at :func:`suggested_path`; the file chosen (its folder
    remembered) goes to ``on_chosen``. Returned so that a caller (or a test) can reach it."""
    dialog = QFileDialog(parent, title, str(suggested_path(settings, name)))
    dialog.setObjectName(object_name)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    if suffix:
        dialog.setDefaultSuffix(suffix)
    dialog.selectFile(file_name(name))

    def chosen(text: str) -> None:
        if text:
            path = Path(text)
            remember(settings, path)
            on_chosen(path)

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
