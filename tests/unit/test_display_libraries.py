"""Naming what Qt's X11 display plugin cannot find, with the packages that hold it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmpm_desktop.display_libraries import (
    DEBIAN_PACKAGES,
    display_advice,
    missing_libraries,
    unresolved,
    xcb_plugin,
)

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def test_the_libraries_ldd_cannot_find_are_named_once_in_order() -> None:
    assert unresolved(LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_the_advice_names_the_libraries_and_their_debian_packages() -> None:
    assert display_advice(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo.so.2"]) == (
        "missing: libxcb-icccm.so.4, libxcb-keysyms.so.1, libfoo.so.2 (on Debian or Ubuntu: "
        "`sudo apt install libxcb-icccm4 libxcb-keysyms1`)"
    )
    assert "libxcb-cursor0" in display_advice([])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and ELF are Linux's")
def test_the_plugin_of_this_install_links_only_libraries_we_know() -> None:
    """Every library the X11 plugin links from the system is in the table setup.sh installs
    from, so a missing one is always named with its package."""
    plugin = xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        pytest.skip("PySide6's X11 plugin or ldd is not here")
    linked = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=True)
    system = [
        line.split()[0]
        for line in linked.stdout.splitlines()
        if "=> /" in line and "/PySide6/" not in line
    ]
    xcb = [name for name in system if name.startswith(("libxcb", "libxkbcommon", "libX11"))]
    assert xcb and set(xcb) <= DEBIAN_PACKAGES.keys()
    assert missing_libraries(plugin) == []  # this machine has them all
    setup = (Path(__file__).parents[2] / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert all(
        f"{package}:{name}" in setup for name, package in DEBIAN_PACKAGES.items() if name in xcb
    )


@pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or shutil.which("gcc") is None
    or shutil.which("ldd") is None,
    reason="needs gcc and ldd to build a library whose dependency is gone",
)
def test_a_library_whose_dependency_is_gone_is_named(tmp_path: Path) -> None:
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n", encoding="utf-8")
    (tmp_path / "plugin.c").write_text("int dep(void);\nint f(void) { return dep(); }\n")
    dep = tmp_path / "libpmpmgone.so.1"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,-soname,libpmpmgone.so.1", "-o", dep, tmp_path / "dep.c"],
        check=True,
    )
    plugin = tmp_path / "libqxcb.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", plugin, tmp_path / "plugin.c", dep], check=True
    )
    dep.unlink()  # the system library that is not installed
    assert missing_libraries(plugin) == ["libpmpmgone.so.1"]
