"""The PySide6 desktop application. Everything here sits on top of ``services``; nothing in
``core``, ``db``, ``io`` or ``services`` imports it."""
