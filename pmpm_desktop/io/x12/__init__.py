"""X12 EDI files (SPEC §6): the 834 and 271 as rosters; the 820 and 835 as statements.

``segments`` splits an interchange with its own separators, ``envelope`` checks ISA/GS/ST and
their counts and control numbers, ``read.read_x12`` dispatches on ST01 to the reader of each
transaction set (``READERS``); the roster readers (``enrollment``, ``eligibility``) build a
text table (``roster_rows``) that ``io.roster_file.read_roster`` reads like a spreadsheet, and
put every problem back at its segment and element.
"""

from pmpm_desktop.io.x12.read import read_x12 as read_x12
from pmpm_desktop.io.x12.segments import looks_like_x12 as looks_like_x12
