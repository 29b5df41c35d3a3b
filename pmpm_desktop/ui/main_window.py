"""The main window: navigation between the pages, menus, toolbar, status bar, file drops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from pmpm_desktop import __version__
from pmpm_desktop.core.clock import now_stamp
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.encryption import KeyNeeded, WrongKey
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.ui import dialogs, password_dialog, save_location
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.grids import copy_focused
from pmpm_desktop.ui.nav_icons import nav_icon, toolbar_icon
from pmpm_desktop.ui.operations import database as database_ops
from pmpm_desktop.ui.pages import page_classes
from pmpm_desktop.ui.pages.base import Page


def database_label(db: Database) -> str:
    """How the status bar names a database: the file for SQLite, else the URL sans password."""
    if db.is_sqlite and db.engine.url.database:
        return str(db.engine.url.database)
    return db.engine.url.render_as_string(hide_password=True)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle("PMPM Desktop")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(190)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        self._holders: dict[str, QScrollArea] = {}
        self._stale: set[str] = set()
        for cls in page_classes():
            page = cls(ctx)
            self.pages[cls.key] = page
            # A page wider than a small screen scrolls instead of forcing the window wider.
            holder = QScrollArea()
            holder.setObjectName(f"holder_{cls.key}")
            holder.setWidgetResizable(True)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            holder.setWidget(page)
            self._holders[cls.key] = holder
            self.stack.addWidget(holder)
            item = QListWidgetItem(nav_icon(cls.key, self.palette()), cls.title)
            item.setData(Qt.ItemDataRole.UserRole, cls.key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.db_label = QLabel()
        self.db_label.setObjectName("databaseLabel")
        self.statusBar().addPermanentWidget(self.db_label)
        self._update_db_label()

        ctx.data_changed.connect(self._data_changed)
        ctx.status_message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        ctx.navigate.connect(self.go_to)
        ctx.database_changed.connect(self._update_db_label)
        ctx.tasks.busy_changed.connect(self._busy_changed)
        ctx.tasks.waiting.connect(
            lambda title, where: self.statusBar().showMessage(
                f"{title}: waiting for another program using the database {where}…", 30000
            )
        )

        settings = ctx.settings
        if settings.window_geometry is not None:
            self.restoreGeometry(settings.window_geometry)
        if settings.window_state is not None:
            self.restoreState(settings.window_state)
        self._stale = set(self.pages)
        self.go_to(settings.last_page if settings.last_page in self.pages else "dashboard")

    # -- navigation -----------------------------------------------------------------------
    @property
    def current_page(self) -> Page:
        holder = self.stack.currentWidget()
        assert isinstance(holder, QScrollArea)
        page = holder.widget()
        assert isinstance(page, Page)
        return page

    def go_to(self, key: str, filters: dict[str, Any] | None = None) -> Page:
        page = self.pages[key]
        row = list(self.pages).index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # shows and refreshes the page through _show_row
        else:
            self._refresh_if_stale(page)
        if filters:
            page.apply_filters(filters)
        return page

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        page = self.pages[key]
        self.stack.setCurrentWidget(self._holders[key])
        self._refresh_if_stale(page)
        self.ctx.settings.last_page = key

    def _refresh_if_stale(self, page: Page) -> None:
        if page.key in self._stale:
            self._stale.discard(page.key)
            page.refresh()

    def _data_changed(self, what: str) -> None:
        for key, page in self.pages.items():
            if what == Changed.EVERYTHING or what in page.depends_on:
                self._stale.add(key)
        self._refresh_if_stale(self.current_page)

    # -- actions --------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon: str | None = None,
        tip: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(toolbar_icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.act_new_db = self._action("&New database…", self.new_database, key.New)
        self.act_open_db = self._action("&Open database…", self.open_database_dialog, key.Open)
        self.act_import_roster = self._action(
            "Import &roster…",
            lambda: self.import_file(FileKind.ROSTER),
            "Ctrl+R",
            "rosters",
            "Import a payer's monthly roster (xlsx, xls, csv)",
        )
        self.act_import_remit = self._action(
            "Import &statement…",
            lambda: self.import_file(FileKind.STATEMENT),
            "Ctrl+T",
            "remittances",
            "Import a payment statement / remittance",
        )
        self.act_import_rates = self._action(
            "Import rate e&xhibit…", lambda: self.import_file(FileKind.RATES), "Ctrl+Shift+R"
        )
        self.act_reconcile = self._action(
            "Re&concile…",
            lambda: self.go_to("reconciliation"),
            "Ctrl+K",
            "reconciliation",
            "Compare what was paid with what the contracts say",
        )
        self.act_export = self._action(
            "&Export report…",
            lambda: self.go_to("reports"),
            "Ctrl+E",
            "reports",
            "Export an Excel workbook for the manager or the payer",
        )
        self.act_backup = self._action("&Back up database…", self.backup_dialog, "Ctrl+B")
        self.act_protect = self._action(
            "&Protect with a password…",
            lambda: password_dialog.protect(self.ctx, self),
            tip="Encrypt the database file: without the password nobody can read it",
        )
        self.act_unprotect = self._action(
            "Remove pass&word…", lambda: password_dialog.remove_password(self.ctx, self)
        )
        self.act_quit = self._action("&Quit", self.close, key.Quit)
        self.act_undo = self.ctx.undo.createUndoAction(self, "&Undo")
        # every binding of the platform: Redo's first is Ctrl+Y on some, Ctrl+Shift+Z on others
        self.act_undo.setShortcuts(key.Undo)
        self.act_redo = self.ctx.undo.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts(key.Redo)
        # Window-wide Ctrl+C would shadow the grids' and fields' own: Edit ▸ Copy sends it on.
        self.act_copy = self._action("&Copy", copy_focused)
        self.act_guide = self._action("&User guide", self.show_guide, key.HelpContents)
        self.act_about = self._action("&About PMPM Desktop", self.show_about)
        self.page_actions: list[QAction] = []
        for n, (page_key, page) in enumerate(self.pages.items(), start=1):
            self.page_actions.append(
                self._action(page.title, lambda _=False, k=page_key: self.go_to(k), f"Ctrl+{n}")
            )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new_db, self.act_open_db])
        self.recent_menu = QMenu("Recent &databases", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.act_import_roster, self.act_import_remit, self.act_import_rates])
        file_menu.addSeparator()
        file_menu.addActions([self.act_export, self.act_backup])
        file_menu.addActions([self.act_protect, self.act_unprotect])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.act_undo, self.act_redo])
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_copy)
        go_menu = bar.addMenu("&Go")
        go_menu.addActions(self.page_actions)
        go_menu.addSeparator()
        go_menu.addAction(self.act_reconcile)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_guide, self.act_about])

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main toolbar")
        tb.setObjectName("mainToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setMovable(False)
        tb.addActions(
            [self.act_import_roster, self.act_import_remit, self.act_reconcile, self.act_export]
        )
        self.addToolBar(tb)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.ctx.settings.recent_databases
        if not recent:
            empty = self.recent_menu.addAction("(none yet)")
            empty.setEnabled(False)
        for target in recent:
            action = self.recent_menu.addAction(target)
            action.triggered.connect(lambda _=False, t=target: self.switch_database(t))

    def _busy_changed(self, busy: bool) -> None:
        for action in (self.act_new_db, self.act_open_db, *self.recent_menu.actions()):
            action.setEnabled(not busy)

    def _update_db_label(self) -> None:
        encrypted = self.ctx.db.key is not None
        self.act_protect.setEnabled(self.ctx.db.is_sqlite and not encrypted)
        self.act_unprotect.setEnabled(encrypted)
        protected = " (protected with a password)" if encrypted else ""
        self.db_label.setText(f"Database: {self.ctx.db_label}{protected}")
        self.setWindowTitle(f"PMPM Desktop — {Path(self.ctx.db_label).name}")

    def changeEvent(self, event: QEvent) -> None:
        # The icons are drawn in the palette's colours: draw them again when it changes.
        if event.type() == QEvent.Type.PaletteChange:
            for row in range(self.nav.count()):
                item = self.nav.item(row)
                item.setIcon(nav_icon(item.data(Qt.ItemDataRole.UserRole), self.palette()))
        super().changeEvent(event)

    # -- imports --------------------------------------------------------------------------
    def import_file(self, kind: FileKind | None, path: Path | None = None) -> QWidget:
        """Open the import wizard (for ``kind``, on ``path`` when a file was dropped)."""
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        return open_import_wizard(self.ctx, self, kind=kind, path=path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.import_file(None, path)

    # -- databases ------------------------------------------------------------------------
    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "New database",
            str(Path(self.ctx.settings.last_folder) / "pmpm.sqlite3"),
            "PMPM database (*.sqlite3 *.db)",
        )
        if path:
            if Path(path).exists():
                dialogs.show_message(
                    self,
                    "New database",
                    f"{path} already exists. Choose File ▸ Open database to use it, or pick a "
                    "new file name.",
                )
                return
            self.switch_database(path)

    def open_database_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open database",
            self.ctx.settings.last_folder,
            "PMPM database (*.sqlite3 *.db);;All files (*)",
        )
        if path:
            self.switch_database(path)

    def switch_database(self, target: str, key: str | None = None) -> None:
        """Open (creating or upgrading) the database at ``target`` and show it; an encrypted
        one whose password is not found is asked for."""

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, KeyNeeded | WrongKey):
                dialogs.show_error(self, "Opening the database", exc)
                return
            error = password_dialog.WRONG if isinstance(exc, WrongKey) else ""
            answer = password_dialog.ask_key(self, exc.path, error)
            if answer is not None:
                if answer.remember.isChecked():
                    password_dialog.remember(self, exc.path, answer.key)
                self.switch_database(target, answer.key)

        def opened(db: Database) -> None:
            label = database_label(db)
            self.ctx.settings.add_recent_database(label)
            self.ctx.settings.last_database = label
            self.ctx.set_database(db, label)
            self.ctx.status_message.emit(f"Opened {label}")

        self.ctx.run(
            database_ops.open_other(target, key), on_success=opened, on_failure=refused, parent=self
        )

    def backup_dialog(self) -> QFileDialog:
        return save_location.save_dialog(
            self,
            self.ctx.settings,
            title="Back up database",
            name=f"pmpm-backup-{now_stamp()}.sqlite3",
            name_filter="PMPM database (*.sqlite3)",
            on_chosen=self.backup_to,
            object_name="backupDialog",
            suffix="sqlite3",
        )

    def backup_to(self, path: Path) -> None:
        self.ctx.run(database_ops.back_up(self.ctx.db, path), parent=self)

    # -- help -----------------------------------------------------------------------------
    def show_guide(self) -> None:
        from pmpm_desktop.ui.help import UserGuide

        UserGuide(self).show()

    def show_about(self) -> None:
        dialogs.show_message(
            self,
            "About PMPM Desktop",
            f"PMPM Desktop {__version__}\n\nCapitation (PMPM) reconciliation for a medical "
            "practice's billing office: rosters and payment statements in, every difference "
            "found and tracked, Excel workbooks out.\n\nOpen source (MIT licence).",
        )

    # -- closing --------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.window_geometry = self.saveGeometry()
        self.ctx.settings.window_state = self.saveState()
        self.ctx.settings.sync()
        if self.ctx.tasks.busy:
            self.ctx.tasks.cancel_all()
            self.ctx.tasks.wait(30_000)
        event.accept()


def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    urls = [u for u in mime.urls() if u.isLocalFile()]
    if len(urls) != 1:
        return None
    # Any one file: the wizard takes spreadsheets by their type and EDI, MMR, FHIR and
    # fixed-width files by their content (``.834``, ``.edi``, ``.dat``, no extension), and
    # says in words why it refuses anything else.
    return Path(urls[0].toLocalFile())
