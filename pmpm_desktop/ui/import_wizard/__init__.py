"""The import wizard: choose a payer file, check how it reads, see its problems, import it.

Five steps in one dialog (a step list on the left, Back / Next at the bottom), a module each:

1. *Choose the file* (``choose_step``) — what it is, the payer, the roster month / contract /
   payment details, and the file (dropped on the drop zone or picked with Browse…); its kind
   is proposed from its content and name (``kind_proposal``, ``content_kind``: an X12, MMR or
   FHIR file says what it is, a spreadsheet's columns what it looks like).
2. *Columns & preview* (``preview_step``) — ``services.preview.preview`` run in the background:
   sheet, header row, each field's column (the user may correct any; the preview runs again),
   the first rows; a file of another kind refused with a switch to that kind, the decimal
   question, values for every row, and how the file was read (``preview_answers`` and its
   widgets ``values_editor``, ``decimal_box``, ``read_report_view``). A machine format shows
   its standard and "What was found" (``found_panel``) and each field's element, and a
   fixed-width file's layout is set in ``layout_editor`` (``machine_formats``).
3. *Check* (``check_step``) — every problem of the file; nothing can be imported while there
   is one.
4. *Import* (``import_step``) — the ordinary import service, in the background, with a
   progress bar and Cancel.
5. *Done* (``done_step``) — what was stored and, for rosters, what changed since the previous
   roster month.

``wizard`` joins them and navigates; ``tasks`` is the work on the worker thread, and
``outcome_text`` / ``file_name_guesses`` are pure helpers. The wizard never reads the file
itself: the services do, exactly as the import will.
"""

from pmpm_desktop.ui.import_wizard.base import CHECK, CHOOSE, DONE, IMPORT, KIND_NAMES, PREVIEW
from pmpm_desktop.ui.import_wizard.wizard import ImportWizard, open_import_wizard

__all__ = [
    "CHECK",
    "CHOOSE",
    "DONE",
    "IMPORT",
    "KIND_NAMES",
    "PREVIEW",
    "ImportWizard",
    "open_import_wizard",
]
