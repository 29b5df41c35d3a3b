"""Which system libraries Qt's X11 display plugin cannot find, named with the Debian packages
that hold them: "Qt's display plugin failed to load" alone sends people to the wrong package
(the usual advice, libxcb-cursor0, is one of a dozen the plugin links)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

#: the libraries PySide6's libqxcb.so and libQt6XcbQpa.so link, by Debian/Ubuntu package
#: (read with ldd and dpkg -S; scripts/setup.sh installs the same list)
DEBIAN_PACKAGES = {
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def xcb_plugin() -> Path | None:
    """PySide6's X11 platform plugin (in a packaged build too), if it is there."""
    try:
        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def unresolved(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` printed as "not found", in its order, each once."""
    found: list[str] = []
    for line in ldd_output.splitlines():
        name, sep, _rest = line.strip().partition(" => not found")
        if sep and name not in found:
            found.append(name)
    return found


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """What the plugin (and the Qt library it loads) cannot find here; [] when ldd is not
    available or everything resolves."""
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    missing: list[str] = []
    qpa = plugin.parents[2] / "lib" / "libQt6XcbQpa.so.6"
    for library in (plugin, qpa):
        if not library.is_file():
            continue
        try:
            done = subprocess.run(
                [ldd, str(library)], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return missing
        missing += [name for name in unresolved(done.stdout) if name not in missing]
    return missing


def display_advice(missing: list[str]) -> str:
    """What to install, in words: the libraries, and the Debian/Ubuntu packages holding them."""
    if not missing:
        return "on Debian or Ubuntu, `apt install libxcb-cursor0` and its siblings usually fix it"
    packages = [DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES]
    text = "missing: " + ", ".join(missing)
    if packages:
        text += f" (on Debian or Ubuntu: `sudo apt install {' '.join(packages)}`)"
    return text
