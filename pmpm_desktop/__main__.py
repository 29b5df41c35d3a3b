"""``python -m pmpm_desktop`` starts the desktop application."""

import sys

from pmpm_desktop.app import main

sys.exit(main())
